// SIP over TCP and WebSocket reassembly: split messages, several per segment, retransmissions,
// out-of-order segments, mid-stream start, FIN/RST, idle expiry and memory bounds; SCTP
// fragment reassembly; the batch builder handing whole messages to the router.
#include <catch2/catch.hpp>

#include "core/batch_builder.hpp"
#include "core/sctp_reassembler.hpp"
#include "core/tcp_reassembler.hpp"
#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

std::string msg(const std::string& call_id, const std::string& body = "v=0\r\n") {
  return "INVITE sip:b@x SIP/2.0\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 INVITE\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct feeder {
  core::tcp_reassembler r;
  std::vector<uint8_t> arena;
  std::vector<std::string> out;
  core::endpoint a = core::endpoint{core::ip_address::parse("10.0.0.1").value(), 40000};
  core::endpoint b = core::endpoint{core::ip_address::parse("10.0.0.2").value(), 5060};
  explicit feeder(core::tcp_limits l = {}) : r(l) {}
  bool seg(uint32_t seq, const std::string& data, uint8_t flags = 0, bool start = true,
           core::timestamp_ns ts = core::ns_per_second, bool reverse = false) {
    const bytes d = text(data);
    core::tcp_segment s{reverse ? b : a, reverse ? a : b, seq, flags, ts, d};
    const bool taken = r.add(s, start, arena);
    for (const auto& m : r.messages())
      out.emplace_back(arena.begin() + m.offset, arena.begin() + m.offset + m.length);
    return taken;
  }
};

}  // namespace

TEST_CASE("one message per segment goes straight through", "[tcp]") {
  feeder f;
  REQUIRE(f.seg(1000, msg("a")));
  REQUIRE(f.seg(1000 + msg("a").size(), msg("b")));
  REQUIRE(f.out == std::vector<std::string>{msg("a"), msg("b")});
  CHECK(f.r.bytes_held() == 0);
}

TEST_CASE("a message split across segments and several per segment", "[tcp]") {
  feeder f;
  const std::string all = "\r\n\r\n" + msg("a", std::string(3000, 'x')) + msg("b") + msg("c");
  uint32_t seq = 1;
  for (size_t at = 0; at < all.size(); at += 1400) {
    f.seg(seq, all.substr(at, 1400));
    seq += static_cast<uint32_t>(std::min<size_t>(1400, all.size() - at));
  }
  REQUIRE(f.out.size() == 3);
  CHECK(f.out[0] == msg("a", std::string(3000, 'x')));
  CHECK(f.out[2] == msg("c"));
  CHECK(f.r.bytes_held() == 0);
}

TEST_CASE("retransmissions and out-of-order segments", "[tcp]") {
  feeder f;
  const std::string all = msg("a") + msg("b");
  const size_t cut = 50, cut2 = msg("a").size() + 20;
  f.seg(100, all.substr(0, cut));
  f.seg(100 + cut2, all.substr(cut2));       // ahead of a gap: held
  CHECK(f.out.empty());
  f.seg(100, all.substr(0, cut));            // retransmission
  f.seg(100 + cut, all.substr(cut, cut2 - cut));  // fills the gap
  REQUIRE(f.out == std::vector<std::string>{msg("a"), msg("b")});
  f.seg(100, all.substr(0, cut2));           // old bytes again
  CHECK(f.out.size() == 2);
  CHECK(f.r.counters().retransmissions == 2);
  CHECK(f.r.counters().out_of_order == 1);
  CHECK(f.r.bytes_held() == 0);
}

TEST_CASE("a connection that starts mid-stream is picked up at a message start", "[tcp]") {
  feeder f;
  const std::string m = msg("a");
  CHECK(f.seg(5000, m.substr(30), 0, true));  // tail of a message we never saw
  CHECK(f.out.empty());
  f.seg(5000 + static_cast<uint32_t>(m.size() - 30), msg("b"));
  REQUIRE(f.out == std::vector<std::string>{msg("b")});
  // wrap-around of the sequence space
  feeder w;
  const std::string two = msg("c") + msg("d");
  w.seg(0xffffffff - 10, two.substr(0, 40));
  w.seg(static_cast<uint32_t>(0xffffffffull - 10 + 40), two.substr(40));
  CHECK(w.out.size() == 2);
}

TEST_CASE("untracked connections are left alone, FIN flushes, RST and idle forget", "[tcp]") {
  feeder f;
  CHECK_FALSE(f.seg(1, "GET / HTTP/1.1\r\n\r\n", 0, false));
  CHECK(f.r.streams() == 0);
  f.seg(1, msg("a").substr(0, 60));
  f.seg(61, msg("a").substr(60, 20), core::tcp_reassembler::fin);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0] == msg("a").substr(0, 80));  // partial message handed out at FIN
  CHECK(f.r.streams() == 0);
  f.seg(1, msg("b").substr(0, 60));
  f.seg(1, "", core::tcp_reassembler::rst, true, core::ns_per_second, true);
  CHECK(f.r.streams() == 0);
  f.seg(1, msg("c").substr(0, 60), 0, true, core::ns_per_second);
  f.r.expire(1000 * core::ns_per_second);
  CHECK(f.r.streams() == 0);
  CHECK(f.r.bytes_held() == 0);
  CHECK(f.r.counters().expired == 1);
}

TEST_CASE("memory stays bounded per stream and in total", "[tcp]") {
  core::tcp_limits l;
  l.max_stream_bytes = 4096;
  l.max_total_bytes = 6000;
  feeder f{l};
  const std::string big = msg("a", std::string(10000, 'x'));
  for (size_t at = 0, seq = 1; at < big.size(); at += 1000, seq += 1000)
    f.seg(static_cast<uint32_t>(seq), big.substr(at, 1000));
  CHECK(f.r.bytes_held() <= l.max_stream_bytes);
  CHECK(f.r.counters().overflow >= 1);
  // many streams, each holding a partial message: the total bound holds
  for (uint16_t port = 1; port < 20; ++port) {
    f.a.port = port;
    f.seg(1, msg("p", std::string(2000, 'x')).substr(0, 100 + port * 30));
  }
  CHECK(f.r.bytes_held() <= l.max_total_bytes);
  // held out-of-order segments are bounded too, and the stream recovers after the gap
  feeder g{l};
  g.seg(1, msg("a").substr(0, 10));
  for (uint32_t i = 0; i < 100; ++i)
    g.seg(100000 + i * 100, std::string(100, 'y'));
  CHECK(g.r.bytes_held() <= l.max_stream_bytes);
  g.seg(900000, msg("z"));
  REQUIRE_FALSE(g.out.empty());
  CHECK(g.out.back() == msg("z"));
}

TEST_CASE("SIP over WebSocket: handshake, masked and fragmented frames", "[tcp][websocket]") {
  feeder f;
  f.b.port = 8080;
  const std::string get = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                          "Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
  REQUIRE(f.seg(1, get, 0, false));
  const std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  REQUIRE(f.seg(1, resp, 0, false, core::ns_per_second, true));
  const std::string m = msg("ws", std::string(300, 'b'));
  // client frames are masked; split into a first fragment and a continuation
  auto frame = [](uint8_t b0, const std::string& payload, bool mask) {
    std::string out{static_cast<char>(b0)};
    const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    if (payload.size() < 126) {
      out += static_cast<char>((mask ? 0x80 : 0) | payload.size());
    } else {
      out += static_cast<char>((mask ? 0x80 : 0) | 126);
      out += static_cast<char>(payload.size() >> 8);
      out += static_cast<char>(payload.size() & 0xff);
    }
    if (mask)
      out.append(reinterpret_cast<const char*>(key), 4);
    for (size_t i = 0; i < payload.size(); ++i)
      out += static_cast<char>(payload[i] ^ (mask ? key[i & 3] : 0));
    return out;
  };
  const std::string stream = frame(0x01, m.substr(0, 100), true) + frame(0x89, "", true) +
                             frame(0x80, m.substr(100), true);
  const uint32_t seq = 1 + static_cast<uint32_t>(get.size());
  f.seg(seq, stream.substr(0, 70), 0, false);
  f.seg(seq + 70, stream.substr(70), 0, false);
  REQUIRE(f.out == std::vector<std::string>{m});
  f.seg(1 + static_cast<uint32_t>(resp.size()), frame(0x81, msg("reply"), false), 0, false,
        core::ns_per_second, true);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1] == msg("reply"));
  CHECK(f.r.counters().websocket == 2);
}

TEST_CASE("SCTP DATA fragments are reassembled per stream", "[sctp]") {
  core::sctp_reassembler s;
  std::vector<uint8_t> arena;
  auto data = [](uint8_t flags, uint32_t tsn, const std::string& payload) {
    bytes c{0, flags};
    put16(c, static_cast<uint16_t>(16 + payload.size()));
    put32(c, tsn);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0);
    append(c, text(payload));
    while (c.size() % 4)
      c.push_back(0);
    return c;
  };
  const core::endpoint a{}, b{};
  const bytes first = data(0x02, 7, "INVITE sip:x SIP/2.0\r\n");
  s.add(a, b, first, arena);
  CHECK(s.messages().empty());
  bytes two = data(0x01, 8, "Call-ID: 1\r\n\r\n");
  append(two, data(0x03, 9, "SIP/2.0 100 Trying\r\n\r\n"));
  s.add(a, b, two, arena);
  REQUIRE(s.messages().size() == 2);
  const auto& whole = s.messages()[0];
  CHECK(whole.in_arena);
  CHECK(std::string(arena.begin() + whole.offset, arena.begin() + whole.offset + whole.length) ==
        "INVITE sip:x SIP/2.0\r\nCall-ID: 1\r\n\r\n");
  CHECK_FALSE(s.messages()[1].in_arena);
  s.add(a, b, data(0x01, 50, "orphan"), arena);
  CHECK(s.messages().empty());
  CHECK(s.dropped() == 1);
}

TEST_CASE("the batch builder hands whole TCP messages to the router", "[tcp][batch]") {
  core::batch_builder builder{1, 0, {{5060, 5060}}, 1000};
  const std::string all = msg("a") + msg("b");
  auto segment = [](uint32_t seq, const std::string& payload) {
    bytes t = tcp(40000, 5060, text(payload));
    t[4] = static_cast<uint8_t>(seq >> 24);
    t[5] = static_cast<uint8_t>(seq >> 16);
    t[6] = static_cast<uint8_t>(seq >> 8);
    t[7] = static_cast<uint8_t>(seq);
    return eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, t));
  };
  for (const bytes& f : {segment(1, all.substr(0, 100)), segment(101, all.substr(100))})
    builder.add(core::ns_per_second, f.data(), static_cast<uint32_t>(f.size()),
                static_cast<uint32_t>(f.size()));
  auto batch = builder.take();
  REQUIRE(batch->packets.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(batch->classes[i] == core::payload_class::sip);
    CHECK(batch->packets[i].payload_in_arena);
    CHECK(batch->packets[i].frame_index == 1);
    const auto p = batch->payload(batch->packets[i]);
    CHECK(std::string(p.begin(), p.end()) == msg(i == 0 ? "a" : "b"));
  }
  core::run_stats stats;
  builder.add_counters(stats);
  CHECK(stats.tcp_messages == 2);
  CHECK(stats.summary_fields().find("tcp_sip=2") != std::string::npos);
}
