// HEP as the listener receives it: datagram validation, TCP stream framing (split, coalesced,
// garbage, oversize) and decoding of link_hep frames; and, per HEP message of the corpus HEP
// captures, the decoder's addresses, ports, time and payload against the .hep3.tsv oracle.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/hep_stream.hpp"
#include "core/pcap_file_reader.hpp"
#include "decoder_test_frames.hpp"

namespace fs = std::filesystem;
using namespace voxmon;
using namespace voxmon::test;
using core::decode_status;
using core::hep_stream;

namespace {

bytes chunk(uint16_t type, const bytes& value) {
  bytes b;
  put16(b, 0);
  put16(b, type);
  put16(b, static_cast<uint16_t>(6 + value.size()));
  append(b, value);
  return b;
}
bytes be16(uint16_t v) { bytes b; put16(b, v); return b; }
bytes be32(uint32_t v) { bytes b; put32(b, v); return b; }

// A HEP3 SIP message from 10.1.0.<n>:5060 to 10.2.0.1:5080 at second `sec`, `n` µs.
bytes hep3_msg(uint8_t n, uint32_t sec, const std::string& sip_text) {
  bytes c;
  append(c, chunk(1, {2}));
  append(c, chunk(2, {17}));
  append(c, chunk(3, {10, 1, 0, n}));
  append(c, chunk(4, {10, 2, 0, 1}));
  append(c, chunk(7, be16(5060)));
  append(c, chunk(8, be16(5080)));
  append(c, chunk(9, be32(sec)));
  append(c, chunk(10, be32(n)));
  append(c, chunk(11, {1}));
  append(c, chunk(15, text(sip_text)));
  bytes b = text("HEP3");
  put16(b, static_cast<uint16_t>(6 + c.size()));
  append(b, c);
  return b;
}

std::string sip(int i) { return "OPTIONS sip:" + std::to_string(i) + "@x SIP/2.0\r\n\r\n"; }

std::string as_text(std::span<const uint8_t> s) { return std::string(s.begin(), s.end()); }

// Decodes a framed message as the listener does (link_hep) and returns it.
decoded decode_hep_frame(std::span<const uint8_t> msg) {
  core::packet_decoder d;
  return run(d, core::link_hep, bytes(msg.begin(), msg.end()), 77 * core::ns_per_second);
}

}  // namespace

TEST_CASE("HEP3 over TCP: several messages per read and messages split across reads", "[hep][stream]") {
  bytes stream;
  std::vector<bytes> msgs;
  for (uint8_t i = 1; i <= 5; ++i) {
    msgs.push_back(hep3_msg(i, 1700000000 + i, sip(i)));
    append(stream, msgs.back());
  }
  std::vector<std::span<const uint8_t>> out;
  SECTION("all in one read") {
    hep_stream s;
    REQUIRE(s.feed(stream.data(), stream.size(), out) == hep_stream::result::ok);
    REQUIRE(out.size() == 5);
    for (size_t i = 0; i < 5; ++i)
      CHECK(as_text(out[i]) == as_text(msgs[i]));
    CHECK(s.buffered() == 0);
  }
  SECTION("every split point, byte by byte and in odd pieces") {
    for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, size_t{50}, msgs[0].size() + 1}) {
      hep_stream s;
      std::vector<std::string> got;
      for (size_t at = 0; at < stream.size(); at += piece) {
        const size_t n = std::min(piece, stream.size() - at);
        REQUIRE(s.feed(stream.data() + at, n, out) == hep_stream::result::ok);
        for (auto m : out)
          got.push_back(as_text(m));
      }
      REQUIRE(got.size() == 5);
      for (size_t i = 0; i < 5; ++i)
        CHECK(got[i] == as_text(msgs[i]));
      CHECK(s.buffered() == 0);
    }
  }
  SECTION("the decoded fields of a framed message are HEP's own") {
    hep_stream s;
    REQUIRE(s.feed(stream.data(), stream.size(), out) == hep_stream::result::ok);
    auto r = decode_hep_frame(out[2]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.src.to_string() == "10.1.0.3:5060");
    CHECK(r.pkt.dst.to_string() == "10.2.0.1:5080");
    CHECK(r.pkt.proto == core::l4_protocol::udp);
    CHECK(r.pkt.ts == core::timestamp_ns{1700000003} * core::ns_per_second + 3000);
    CHECK(r.payload == sip(3));
  }
}

TEST_CASE("HEP over TCP: garbage and oversize messages end the client", "[hep][stream]") {
  std::vector<std::span<const uint8_t>> out;
  const bytes good = hep3_msg(1, 1700000000, sip(1));
  SECTION("garbage at the start, even before four bytes are in") {
    hep_stream s;
    const bytes g = text("GET / HTTP/1.1\r\n\r\n");
    CHECK(s.feed(g.data(), 2, out) == hep_stream::result::garbage);
  }
  SECTION("garbage after a good message: the good one is not lost") {
    hep_stream s;
    bytes b = good;
    append(b, text("HEP4xxxxxx"));
    CHECK(s.feed(b.data(), b.size(), out) == hep_stream::result::garbage);
    REQUIRE(out.size() == 1);
    CHECK(as_text(out[0]) == as_text(good));
  }
  SECTION("a length below the header") {
    hep_stream s;
    bytes b = text("HEP3");
    put16(b, 5);
    CHECK(s.feed(b.data(), b.size(), out) == hep_stream::result::garbage);
  }
  SECTION("a message larger than allowed") {
    hep_stream s(100);
    bytes b = hep3_msg(1, 1, std::string(200, 'x'));
    CHECK(s.feed(b.data(), 6, out) == hep_stream::result::too_large);
  }
  SECTION("a partial message is held, nothing more") {
    hep_stream s;
    CHECK(s.feed(good.data(), good.size() - 1, out) == hep_stream::result::ok);
    CHECK(out.empty());
    CHECK(s.buffered() == good.size() - 1);
    CHECK(s.feed(good.data() + good.size() - 1, 1, out) == hep_stream::result::ok);
    REQUIRE(out.size() == 1);
    CHECK(as_text(out[0]) == as_text(good));
  }
}

TEST_CASE("HEP datagrams: v3 and v2 accepted, anything else refused", "[hep]") {
  const bytes v3 = hep3_msg(1, 1700000000, sip(1));
  CHECK(core::is_hep_datagram(v3.data(), v3.size()));
  CHECK_FALSE(core::is_hep_datagram(v3.data(), 5));
  bytes cut = v3;
  cut.resize(cut.size() - 1);
  CHECK_FALSE(core::is_hep_datagram(cut.data(), cut.size()));
  bytes v2{2, 8, 2, 17};
  put16(v2, 5060);
  put16(v2, 5062);
  append(v2, {192, 168, 1, 1, 192, 168, 1, 2});
  append(v2, {0x5c, 0x2b, 0x4d, 0x58, 0x45, 0x01, 0, 0, 1, 0, 0, 0});
  append(v2, text(sip(9)));
  CHECK(core::is_hep_datagram(v2.data(), v2.size()));
  auto r = decode_hep_frame(v2);
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "192.168.1.1:5060");
  CHECK(r.pkt.dst.to_string() == "192.168.1.2:5062");
  CHECK(r.pkt.ts == core::timestamp_ns{0x584d2b5c} * core::ns_per_second + 325'000);
  CHECK(r.payload == sip(9));
  const bytes junk = text("INVITE sip:x SIP/2.0\r\n");
  CHECK_FALSE(core::is_hep_datagram(junk.data(), junk.size()));
  core::packet_decoder d;
  CHECK(run(d, core::link_hep, junk).status == decode_status::dropped);
}

// ---- the corpus HEP captures against tools/hep3_extract.py's view (.hep3.tsv) ----

namespace {

const fs::path corpus_dir = VOXMON_CORPUS_DIR;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t'))
    out.push_back(cell);
  if (!line.empty() && line.back() == '\t')
    out.emplace_back();
  return out;
}

core::timestamp_ns parse_hep_time(const std::string& t) {  // "1481455196.000100"
  const auto dot = t.find('.');
  return std::stoll(t.substr(0, dot)) * core::ns_per_second + std::stoll(t.substr(dot + 1)) * 1000;
}

}  // namespace

TEST_CASE("every HEP message of the corpus decodes as tshark + hep3_extract see it", "[hep][corpus]") {
  for (const std::string name : {"hepws-hep.pcap", "hepws-hep3_compressed.pcapng"}) {
    const fs::path pcap = corpus_dir / "pcaps" / name;
    const fs::path oracle = corpus_dir / "oracle" / (name + ".hep3.tsv");
    if (!fs::exists(pcap) || !fs::exists(oracle)) {
      WARN("corpus capture " << name << " absent: skipped");
      continue;
    }
    INFO(name);
    std::ifstream in(oracle);
    std::string line;
    REQUIRE(std::getline(in, line));
    const auto header = split_tabs(line);
    REQUIRE(header == std::vector<std::string>{"frame", "hep_time", "proto_type", "src", "dst", "sport",
                                               "dport", "call_id", "sip_first_line", "compressed"});
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line))
      if (!line.empty())
        rows.push_back(split_tabs(line));
    REQUIRE(rows.size() >= 8);

    std::string error;
    auto reader = core::pcap_file_reader::open(pcap.string(), error);
    REQUIRE(reader);
    core::packet_decoder d;
    std::vector<uint8_t> arena;
    core::timestamp_ns ts;
    const uint8_t* data;
    uint32_t caplen, wirelen, frame = 0;
    size_t row = 0, checked = 0;
    while (reader->next(ts, data, caplen, wirelen) == core::pcap_file_reader::status::frame) {
      ++frame;
      if (row >= rows.size() || std::stoul(rows[row][0]) != frame)
        continue;
      const auto& o = rows[row++];
      INFO("frame " << frame);
      arena.clear();
      core::decoded_packet p;
      REQUIRE(d.decode(reader->link_type(), ts, {data, caplen}, frame, p, arena) == decode_status::packet);
      CHECK(p.ts == parse_hep_time(o[1]));
      CHECK(p.src.addr.to_string() == o[3]);
      CHECK(p.dst.addr.to_string() == o[4]);
      CHECK(p.src.port == std::stoul(o[5]));
      CHECK(p.dst.port == std::stoul(o[6]));
      CHECK(p.payload_in_arena == (o[9] == "yes"));
      const uint8_t* base = p.payload_in_arena ? arena.data() : data;
      const std::string payload(reinterpret_cast<const char*>(base) + p.payload_offset, p.payload_length);
      auto first_line = [](const std::string& t) {
        std::string l = t.substr(0, t.find('\n'));
        if (!l.empty() && l.back() == '\r')
          l.pop_back();
        return l;
      };
      if (o[2] == "1") {  // SIP (over UDP or TCP as HEP says): first line and Call-ID are tshark's
        CHECK(p.proto != core::l4_protocol::other);
        CHECK(first_line(payload) == o[8]);
        CHECK(payload.find("Call-ID: " + o[7]) != std::string::npos);
      } else {  // logs, RTCP JSON ...: not SIP, the text is the chunk's
        CHECK(p.proto == core::l4_protocol::other);
        CHECK(payload.substr(0, o[8].size()) == o[8]);
      }
      ++checked;
    }
    CHECK(checked == rows.size());
    CHECK(d.counters().tunnels[static_cast<size_t>(core::tunnel_kind::hep)] == rows.size());
  }
}
