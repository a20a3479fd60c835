// Packet decoder on the public corpus: every frame decodes without a crash, the frame count
// matches capinfos, and every SIP message tshark saw (on a path this decoder handles: not GRE,
// GTP or HEP) shows up as a decoded packet with the same innermost addresses and ports.
#include <pcap/pcap.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "core/packet_decoder.hpp"

namespace fs = std::filesystem;
using namespace voxmon;

namespace {

const fs::path corpus_dir = VOXMON_CORPUS_DIR;

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep))
    out.push_back(cell);
  if (!line.empty() && line.back() == sep)
    out.emplace_back();
  return out;
}

// tshark prints every occurrence of a field, comma separated: the innermost is the last.
std::string last_value(const std::string& cell) {
  auto comma = cell.rfind(',');
  return comma == std::string::npos ? cell : cell.substr(comma + 1);
}

long capinfos_packets(const std::string& name) {
  std::ifstream in(corpus_dir / "oracle" / (name + ".capinfos.txt"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Number of packets:", 0) == 0)
      return std::stol(line.substr(line.find(':') + 1));
  return -1;
}

using flow = std::tuple<std::string, uint16_t, std::string, uint16_t>;

// The SIP rows of sip_msgs.tsv that this decoder must reach, as innermost flows.
std::vector<std::pair<std::string, flow>> oracle_flows(const std::string& name) {
  std::vector<std::pair<std::string, flow>> out;
  std::ifstream in(corpus_dir / "oracle" / (name + ".sip_msgs.tsv"));
  std::string line;
  if (!std::getline(in, line))
    return out;
  const auto header = split(line, '\t');
  auto col = [&](const char* field) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == field)
        return i;
    FAIL("sip_msgs.tsv of " << name << " has no column " << field);
    return size_t{0};
  };
  const size_t frame = col("frame.number"), protos = col("frame.protocols");
  while (std::getline(in, line)) {
    const auto row = split(line, '\t');
    const auto layers = split(row.at(protos), ':');
    std::string l3, l4;
    bool other_encap = false;
    for (const auto& layer : layers) {
      if (layer == "ip" || layer == "ipv6")
        l3 = layer;
      else if ((layer == "udp" || layer == "tcp" || layer == "sctp") && l4.empty())
        l4 = layer;  // one transport on the paths checked here (GTP/HEP rows are skipped)
      else if (layer == "gre" || layer == "gtp" || layer == "hep")
        other_encap = true;  // later issues
    }
    if (other_encap || l3.empty() || l4.empty())
      continue;
    const auto v = [&](const std::string& field) { return last_value(row.at(col(field.c_str()))); };
    const std::string src = v(l3 + ".src"), dst = v(l3 + ".dst");
    const auto sport = static_cast<uint16_t>(std::stoi(v(l4 + ".srcport")));
    const auto dport = static_cast<uint16_t>(std::stoi(v(l4 + ".dstport")));
    out.push_back({"frame " + row.at(frame), flow{src, sport, dst, dport}});
  }
  return out;
}

}  // namespace

TEST_CASE("decoder corpus: every capture decodes and reaches every SIP message", "[decoder][corpus]") {
  if (!fs::exists(corpus_dir / "MANIFEST.tsv")) {
    WARN("corpus not found at " << corpus_dir << ": skipped");
    SUCCEED();
    return;
  }
  std::ifstream manifest(corpus_dir / "MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);  // header
  int captures = 0;
  size_t flows_checked = 0;
  while (std::getline(manifest, line)) {
    if (line.empty())
      continue;
    const std::string name = split(line, '\t').at(0);
    const auto path = corpus_dir / "pcaps" / name;
    INFO("capture " << name);
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    INFO(err);
    REQUIRE(p != nullptr);
    const int link = pcap_datalink(p);

    core::packet_decoder decoder;
    std::vector<uint8_t> arena;
    std::set<flow> seen;
    long frames = 0, packets = 0;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
      const core::timestamp_ns ts = h->ts.tv_sec * core::ns_per_second + h->ts.tv_usec;
      core::decoded_packet pkt;
      arena.clear();
      const auto st = decoder.decode(link, ts, {data, h->caplen}, static_cast<uint32_t>(frames),
                                     pkt, arena);
      ++frames;
      if (st != core::decode_status::packet)
        continue;
      ++packets;
      const auto& buf_size = pkt.payload_in_arena ? arena.size() : size_t{h->caplen};
      REQUIRE(size_t{pkt.payload_offset} + pkt.payload_length <= buf_size);
      if (pkt.proto != core::l4_protocol::other)
        seen.insert({pkt.src.addr.to_string(), pkt.src.port, pkt.dst.addr.to_string(), pkt.dst.port});
    }
    CHECK(rc == PCAP_ERROR_BREAK);
    pcap_close(p);

    CHECK(frames == capinfos_packets(name));
    CHECK(decoder.counters().frames == static_cast<uint64_t>(frames));
    CHECK(packets > 0);
    for (const auto& [where, f] : oracle_flows(name)) {
      INFO(where << ": " << std::get<0>(f) << ':' << std::get<1>(f) << " -> " << std::get<2>(f)
                 << ':' << std::get<3>(f));
      CHECK(seen.count(f) == 1);
      ++flows_checked;
    }
    ++captures;
  }
  CHECK(captures == 27);
  CHECK(flows_checked > 9000);
}
