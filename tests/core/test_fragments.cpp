// IPv4 and IPv6 fragment reassembly: order, duplicates, overlaps, expiry and memory bounds.
#include <catch2/catch.hpp>

#include "core/fragment_reassembler.hpp"
#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::test;
using core::decode_status;
using core::drop_reason;
using core::l4_protocol;
using core::ns_per_second;

namespace {

// A SIP-sized payload whose bytes tell where they came from.
std::string big_payload(size_t n = 3000) {
  std::string s = "INVITE sip:bob@example.com SIP/2.0\r\n";
  for (size_t i = 0; s.size() < n; ++i)
    s += "X-Line-" + std::to_string(i) + ": abcdefghijklmnopqrstuvwxyz\r\n";
  s.resize(n);
  return s;
}

// Splits the L4 datagram into Ethernet/IPv4 fragments of `chunk` payload bytes.
std::vector<bytes> v4_fragments(const bytes& l4, size_t chunk, uint16_t id = 0x4242,
                                std::string_view src = "10.1.1.1", uint8_t proto = 17) {
  std::vector<bytes> out;
  for (size_t off = 0; off < l4.size(); off += chunk) {
    const size_t n = std::min(chunk, l4.size() - off);
    bytes part(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + n));
    out.push_back(eth(0x0800, ipv4(src, "10.2.2.2", proto, part,
                                   {.id = id, .more_fragments = off + n < l4.size(),
                                    .fragment_offset = static_cast<uint32_t>(off)})));
  }
  return out;
}

// Splits into Ethernet/IPv6 fragments, the fragment header after a hop-by-hop header.
std::vector<bytes> v6_fragments(const bytes& l4, size_t chunk, uint32_t id = 0x01020304) {
  std::vector<bytes> out;
  for (size_t off = 0; off < l4.size(); off += chunk) {
    const size_t n = std::min(chunk, l4.size() - off);
    bytes part(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + n));
    auto frag = ipv6_frag(17, static_cast<uint32_t>(off), off + n < l4.size(), id, part);
    out.push_back(eth(0x86dd, ipv6("2001:db8::a", "2001:db8::b", 0, ipv6_ext(44, 8, frag))));
  }
  return out;
}

struct feeder {
  core::packet_decoder d;
  std::vector<uint8_t> arena;
  uint32_t index = 0;

  explicit feeder(core::decoder_limits l = {}) : d(l) {}
  decoded feed(const bytes& frame, core::timestamp_ns ts = ns_per_second) {
    return run(d, core::link_ethernet, frame, ts, index++, &arena);
  }
};

}  // namespace

TEST_CASE("fragments: IPv4 in order", "[fragments]") {
  const auto payload = big_payload();
  const auto frags = v4_fragments(udp(5060, 5070, text(payload)), 1480);
  REQUIRE(frags.size() == 3);
  feeder f;
  f.arena.assign(100, 0xee);  // the arena belongs to the batch: append, never overwrite
  CHECK(f.feed(frags[0], 1 * ns_per_second).status == decode_status::pending);
  CHECK(f.feed(frags[1], 2 * ns_per_second).status == decode_status::pending);
  auto r = f.feed(frags[2], 3 * ns_per_second);
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.payload_in_arena);
  CHECK(r.pkt.payload_offset == 100 + 8);
  CHECK(r.payload == payload);
  CHECK(r.pkt.proto == l4_protocol::udp);
  CHECK(r.pkt.src.to_string() == "10.1.1.1:5060");
  CHECK(r.pkt.dst.to_string() == "10.2.2.2:5070");
  CHECK(r.pkt.ts == 3 * ns_per_second);
  CHECK(r.pkt.frame_index == 2);
  CHECK(f.d.counters().fragments == 3);
  CHECK(f.d.counters().reassembled == 1);
  CHECK(f.arena.size() == 100 + 8 + payload.size());
}

TEST_CASE("fragments: IPv4 out of order, with duplicates and overlaps", "[fragments]") {
  const auto payload = big_payload(4000);
  const auto l4 = udp(5060, 5070, text(payload));
  feeder f;
  SECTION("last first") {
    auto frags = v4_fragments(l4, 1000);
    REQUIRE(frags.size() == 5);
    for (int i : {4, 2, 0, 3})
      CHECK(f.feed(frags[static_cast<size_t>(i)]).status == decode_status::pending);
    auto r = f.feed(frags[1]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == payload);
    CHECK(r.pkt.frame_index == 4);
  }
  SECTION("duplicates are absorbed") {
    auto frags = v4_fragments(l4, 1504);
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    CHECK(f.feed(frags[1]).status == decode_status::pending);
    CHECK(f.feed(frags[1]).status == decode_status::pending);
    auto r = f.feed(frags[2]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == payload);
    CHECK(f.d.counters().reassembled == 1);
    // A late duplicate starts a new datagram that never completes (and later expires).
    CHECK(f.feed(frags[2]).status == decode_status::pending);
  }
  SECTION("overlapping bytes: the first copy wins") {
    auto frags = v4_fragments(l4, 1000);
    auto evil = l4;
    std::fill(evil.begin() + 500, evil.begin() + 1500, 'Z');
    auto overlap = eth(0x0800, ipv4("10.1.1.1", "10.2.2.2", 17,
                                    bytes(evil.begin() + 504, evil.begin() + 1504),
                                    {.id = 0x4242, .more_fragments = true, .fragment_offset = 504}));
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    CHECK(f.feed(overlap).status == decode_status::pending);
    for (size_t i = 1; i + 1 < frags.size(); ++i)
      CHECK(f.feed(frags[i]).status == decode_status::pending);
    auto r = f.feed(frags.back());
    REQUIRE(r.status == decode_status::packet);
    // UDP bytes 0..999 came from frags[0], 1000..1503 from `overlap` (Z up to 1499).
    CHECK(r.payload.substr(0, 992) == payload.substr(0, 992));
    CHECK(r.payload.substr(992, 500) == std::string(500, 'Z'));
    CHECK(r.payload.substr(1492) == payload.substr(1492));
  }
  SECTION("datagrams with different keys do not mix") {
    auto a = v4_fragments(l4, 2008, 7, "10.1.1.1");
    auto b = v4_fragments(udp(1, 2, text(big_payload(3500))), 2008, 7, "10.9.9.9");
    auto c = v4_fragments(l4, 2008, 7, "10.1.1.1", 6);  // same id, other protocol
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
    CHECK(f.feed(a[0]).status == decode_status::pending);
    CHECK(f.feed(b[1]).status == decode_status::pending);
    CHECK(f.feed(c[1]).status == decode_status::pending);
    auto r = f.feed(a[1]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == payload);
    CHECK(f.feed(b[0]).payload == big_payload(3500));
  }
}

TEST_CASE("fragments: missing fragments expire on packet time", "[fragments]") {
  const auto frags = v4_fragments(udp(5060, 5070, text(big_payload())), 1480);
  SECTION("explicit expire") {
    feeder f;
    CHECK(f.feed(frags[1], 10 * ns_per_second).status == decode_status::pending);
    CHECK(f.feed(frags[2], 10 * ns_per_second).status == decode_status::pending);
    f.d.expire(40 * ns_per_second);  // exactly 30 s: not yet
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 0);
    f.d.expire(40 * ns_per_second + 1);
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 2);
    // The first fragment alone cannot complete the forgotten datagram.
    CHECK(f.feed(frags[0], 41 * ns_per_second).status == decode_status::pending);
    f.d.expire(100 * ns_per_second);
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 3);
    CHECK(f.d.counters().reassembled == 0);
  }
  SECTION("decode expires by itself as packet time advances") {
    feeder f;
    CHECK(f.feed(frags[0], 10 * ns_per_second).status == decode_status::pending);
    CHECK(f.feed(eth(0x0806, bytes(28, 0)), 20 * ns_per_second).status == decode_status::dropped);
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 0);
    CHECK(f.feed(eth(0x0806, bytes(28, 0)), 45 * ns_per_second).status == decode_status::dropped);
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 1);
  }
}

TEST_CASE("fragments: memory and datagram bounds", "[fragments]") {
  const auto l4 = udp(5060, 5070, text(big_payload()));
  SECTION("datagram count") {
    feeder f({.max_fragment_datagrams = 2});
    for (uint16_t id : {1, 2})
      CHECK(f.feed(v4_fragments(l4, 1480, id)[0]).status == decode_status::pending);
    auto third = v4_fragments(l4, 1480, 3);
    CHECK(f.feed(third[0]).status == decode_status::dropped);
    CHECK(f.d.last_drop() == drop_reason::fragment_overflow);
    CHECK(drops(f.d, drop_reason::fragment_overflow) == 1);
    // Completing one datagram frees its slot.
    auto first = v4_fragments(l4, 1480, 1);
    CHECK(f.feed(first[1]).status == decode_status::pending);
    CHECK(f.feed(first[2]).status == decode_status::packet);
    CHECK(f.feed(third[0]).status == decode_status::pending);
  }
  SECTION("bytes held") {
    // Held: payload bytes plus the captured frames kept for the spool (1480 + 1514 per
    // fragment here).
    feeder f({.max_fragment_bytes = 4500});
    auto frags = v4_fragments(l4, 1480);
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    CHECK(f.feed(frags[1]).status == decode_status::dropped);  // would hold 5988 bytes
    CHECK(drops(f.d, drop_reason::fragment_overflow) == 1);
    CHECK(f.feed(frags[2]).status == decode_status::dropped);
    f.d.expire(100 * ns_per_second);
    CHECK(drops(f.d, drop_reason::fragment_timeout) == 1);
  }
  SECTION("the reassembler accounts exactly what it holds") {
    core::fragment_reassembler r({.max_fragment_bytes = 10000});
    std::vector<uint8_t> arena;
    uint32_t at = 0, len = 0;
    const bytes chunk(1000, 'a');
    core::fragment_key k{*core::ip_address::parse("1.1.1.1"), *core::ip_address::parse("2.2.2.2"), 5, 17};
    CHECK(r.add(k, 3000, false, chunk, 0, arena, at, len) == core::fragment_result::stored);
    CHECK(r.bytes_held() == 4000);
    CHECK(r.add(k, 0, true, chunk, 0, arena, at, len) == core::fragment_result::stored);
    CHECK(r.bytes_held() == 4000);
    CHECK(r.add(k, 9000, true, chunk, 0, arena, at, len) == core::fragment_result::invalid);
    CHECK(r.add(k, 1000, true, bytes(2000, 'b'), 0, arena, at, len) == core::fragment_result::complete);
    CHECK(r.bytes_held() == 0);
    CHECK(r.empty());
    CHECK(len == 4000);
  }
}

TEST_CASE("fragments: invalid fragments are dropped", "[fragments]") {
  feeder f;
  SECTION("beyond 64 KiB") {
    auto frame = eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, bytes(1000, 'x'),
                                  {.more_fragments = true, .fragment_offset = 65000}));
    CHECK(f.feed(frame).status == decode_status::dropped);
    CHECK(f.d.last_drop() == drop_reason::bad_ip_header);
  }
  SECTION("a second last fragment that disagrees") {
    auto frags = v4_fragments(udp(1, 2, text(big_payload())), 1480);
    CHECK(f.feed(frags[2]).status == decode_status::pending);
    auto other_end = eth(0x0800, ipv4("10.1.1.1", "10.2.2.2", 17, bytes(16, 'x'),
                                      {.id = 0x4242, .fragment_offset = 1480}));
    CHECK(f.feed(other_end).status == decode_status::dropped);
    CHECK(f.d.last_drop() == drop_reason::bad_ip_header);
  }
  SECTION("a reassembled datagram is validated like any other") {
    auto l4 = udp(5060, 5060, bytes(8, 'x'), 100);  // UDP length 100, 16 bytes sent
    auto first = eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, bytes(l4.begin(), l4.begin() + 8),
                                  {.more_fragments = true}));
    auto last = eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, bytes(l4.begin() + 8, l4.end()),
                                 {.fragment_offset = 8}));
    CHECK(f.feed(last).status == decode_status::pending);
    CHECK(f.feed(first).status == decode_status::dropped);
    CHECK(f.d.last_drop() == drop_reason::truncated);
    CHECK(f.d.counters().reassembled == 1);
  }
}

TEST_CASE("fragments: IPv6 fragment header after hop-by-hop", "[fragments]") {
  const auto payload = big_payload(2500);
  const auto frags = v6_fragments(udp(5060, 5062, text(payload)), 1232);
  REQUIRE(frags.size() == 3);
  feeder f;
  CHECK(f.feed(frags[2]).status == decode_status::pending);
  CHECK(f.feed(frags[0]).status == decode_status::pending);
  auto r = f.feed(frags[1], 5 * ns_per_second);
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.payload_in_arena);
  CHECK(r.pkt.src.to_string() == "[2001:db8::a]:5060");
  CHECK(r.pkt.dst.to_string() == "[2001:db8::b]:5062");
  CHECK(r.pkt.ts == 5 * ns_per_second);
  CHECK(r.payload == payload);
  CHECK(f.d.counters().fragments == 3);
  CHECK(f.d.counters().reassembled == 1);
}

TEST_CASE("fragments: fragmented tunnels and TCP", "[fragments]") {
  feeder f;
  SECTION("outer IPv4 fragments carrying IPv6/UDP") {
    const auto payload = big_payload(2000);
    const auto inner = ipv6("fd00::1", "fd00::2", 17, udp(5060, 5060, text(payload)));
    const auto frags = v4_fragments(inner, 1200, 77, "192.0.2.1", 41);
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    auto r = f.feed(frags[1]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.src.to_string() == "[fd00::1]:5060");
    CHECK(r.payload == payload);
    CHECK(f.d.counters().ip_in_ip == 1);
  }
  SECTION("inner IPv4 fragments inside an unfragmented tunnel") {
    const auto payload = big_payload(1800);
    const auto l4 = udp(5060, 5061, text(payload));
    std::vector<bytes> outer;
    for (size_t off = 0; off < l4.size(); off += 1000) {
      const size_t n = std::min<size_t>(1000, l4.size() - off);
      bytes part(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + n));
      outer.push_back(eth(0x86dd, ipv6("fd00::1", "fd00::2", 4,
          ipv4("10.0.0.1", "10.0.0.2", 17, part, {.id = 9, .more_fragments = off + n < l4.size(),
                                                   .fragment_offset = static_cast<uint32_t>(off)}))));
    }
    CHECK(f.feed(outer[1]).status == decode_status::pending);
    auto r = f.feed(outer[0]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.src.to_string() == "10.0.0.1:5060");
    CHECK(r.payload == payload);
  }
  SECTION("TCP segment") {
    const auto payload = big_payload(2000);
    const auto frags = v4_fragments(tcp(5060, 40000, text(payload), 12), 1480, 5, "10.1.1.1", 6);
    CHECK(f.feed(frags[0]).status == decode_status::pending);
    auto r = f.feed(frags[1]);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.proto == l4_protocol::tcp);
    CHECK(r.pkt.dst.port == 40000);
    CHECK(r.payload == payload);
  }
}
