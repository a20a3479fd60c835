// Pure logic of the sensor daemon: interface lists, libpcap drop counters (32-bit, wrapping),
// cross-interface deduplication, the status line and Prometheus text, the replay tool's clock.
#include <catch2/catch.hpp>

#include "core/dedup.hpp"
#include "core/metrics_text.hpp"
#include "core/pcap_live_source.hpp"
#include "tests/support/frames.hpp"
#include "tools/replay/replay_clock.hpp"

using namespace voxmon::core;
using voxmon::test::udp_frame;
using voxmon::test::bytes;

namespace {

// The IP packet of an Ethernet frame from udp_frame(), re-framed as Linux cooked v1 / v2.
std::vector<uint8_t> as_sll(const std::vector<uint8_t>& eth) {
  std::vector<uint8_t> f = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
  f.insert(f.end(), eth.begin() + 14, eth.end());
  return f;
}
std::vector<uint8_t> as_sll2(const std::vector<uint8_t>& eth) {
  std::vector<uint8_t> f = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0};
  f.insert(f.end(), eth.begin() + 14, eth.end());
  return f;
}
std::vector<uint8_t> with_vlan(const std::vector<uint8_t>& eth, uint16_t id) {
  std::vector<uint8_t> f(eth.begin(), eth.begin() + 12);
  f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x08, 0x00});
  f.insert(f.end(), eth.begin() + 14, eth.end());
  return f;
}

std::optional<uint64_t> hash_of(int link, const std::vector<uint8_t>& f) {
  return dedup_hash(link, f.data(), static_cast<uint32_t>(f.size()));
}

}  // namespace

TEST_CASE("interface lists: one, a comma list, any, but empty items and 'any' with others refused",
          "[live]") {
  std::string why;
  auto one = parse_interface_list("eth0", why);
  REQUIRE(one);
  CHECK(*one == std::vector<std::string>{"eth0"});
  auto two = parse_interface_list(" eth0 , eth1,eth0 ", why);  // spaces trimmed, repeat dropped
  REQUIRE(two);
  CHECK(*two == std::vector<std::string>{"eth0", "eth1"});
  auto any = parse_interface_list("any", why);
  REQUIRE(any);
  CHECK(*any == std::vector<std::string>{"any"});
  CHECK_FALSE(parse_interface_list("", why));
  CHECK(why == "empty interface list");
  CHECK_FALSE(parse_interface_list("eth0,,eth1", why));
  CHECK(why == "empty item in interface list 'eth0,,eth1'");
  CHECK_FALSE(parse_interface_list("any,eth0", why));
  CHECK(why.find("'any' already captures every interface") != std::string::npos);
}

TEST_CASE("drop counter: 32-bit libpcap readings become 64-bit totals across a wrap", "[live]") {
  drop_counter d;
  CHECK(d.update(5, 1) == 6);  // drops since the capture was opened
  CHECK(d.update(5, 1) == 0);
  CHECK(d.update(12, 1) == 7);
  CHECK(d.kernel_total() == 12);
  CHECK(d.interface_total() == 1);
  CHECK(d.update(0xFFFFFFF0u, 3) == (0xFFFFFFF0u - 12) + 2);
  CHECK(d.update(0x10u, 3) == 0x20);  // the kernel counter wrapped: 0x10 more than 0xFFFFFFF0
  CHECK(d.kernel_total() == 0x100000010ull);
  CHECK(d.interface_total() == 3);
}

TEST_CASE("dedup hash: the same IP packet on any link layer, TTL and checksum aside, hashes equal",
          "[live]") {
  const auto payload = bytes("INVITE sip:bob@example.com SIP/2.0\r\n");
  const auto eth = udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, payload);
  const auto h = hash_of(1, eth);
  REQUIRE(h);
  CHECK(hash_of(113, as_sll(eth)) == h);
  CHECK(hash_of(276, as_sll2(eth)) == h);
  CHECK(hash_of(1, with_vlan(eth, 42)) == h);
  std::vector<uint8_t> raw(eth.begin() + 14, eth.end());
  CHECK(hash_of(101, raw) == h);
  auto routed = eth;  // one hop later: TTL 63, a new header checksum
  routed[14 + 8] = 63;
  routed[14 + 10] = 0xab;
  routed[14 + 11] = 0xcd;
  CHECK(hash_of(1, routed) == h);
  auto other_id = eth;  // another packet with the same content: a different IP id
  other_id[14 + 5] = 2;
  CHECK(hash_of(1, other_id) != h);
  CHECK(hash_of(1, udp_frame("10.0.0.1", 5060, "10.0.0.2", 5062, payload)) != h);
  CHECK(hash_of(1, udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, bytes("INVITE sip:bob@example.com SIP/2.0\r\r"))) != h);
  // No IP packet inside: ARP, a truncated header, an unknown link type.
  std::vector<uint8_t> arp(eth.begin(), eth.begin() + 14);
  arp[12] = 0x08;
  arp[13] = 0x06;
  arp.resize(42, 0);
  CHECK_FALSE(hash_of(1, arp));
  std::vector<uint8_t> cut(eth.begin(), eth.begin() + 14 + 19);
  CHECK_FALSE(hash_of(1, cut));
  CHECK_FALSE(hash_of(1, std::vector<uint8_t>(eth.begin(), eth.begin() + 13)));
  CHECK_FALSE(hash_of(147, eth));
}

TEST_CASE("dedup window: a copy within the window is a duplicate, later it is a new packet", "[live]") {
  dedup_window w(100'000'000);  // 100 ms
  CHECK_FALSE(w.duplicate(7, 1'000'000'000));
  CHECK(w.duplicate(7, 1'000'000'000 + 40'000));      // the second interface, 40 us later
  CHECK(w.duplicate(7, 1'000'000'000 - 30'000));      // or a little earlier (threads race)
  CHECK_FALSE(w.duplicate(8, 1'000'000'000 + 50'000));
  CHECK_FALSE(w.duplicate(7, 1'200'000'001));         // 200 ms later: a retransmission, kept
  CHECK(w.duplicate(7, 1'250'000'000));               // ... and its own copy 50 ms later
  // Expiry: once packet time has moved on, old entries are forgotten.
  CHECK_FALSE(w.duplicate(9, 5'000'000'000));
  CHECK(w.size() == 1);
  dedup_window small(1'000'000'000, 2);  // bounded: at most 2 remembered
  CHECK_FALSE(small.duplicate(1, 10));
  CHECK_FALSE(small.duplicate(2, 20));
  CHECK_FALSE(small.duplicate(3, 30));
  CHECK_FALSE(small.duplicate(4, 40));
  CHECK(small.size() <= 3);
  CHECK(small.duplicate(4, 41));
}

TEST_CASE("status line: rates over the interval, drops, absent stages as '-'", "[live]") {
  live_snapshot prev, now;
  prev.captured_packets = 1000;
  prev.captured_bytes = 1'000'000;
  now.captured_packets = 1000 + 8500;
  now.captured_bytes = 1'000'000 + 15'375'000;  // 12.3 Mbit in 10 s
  now.kernel_dropped = 17;
  now.interface_dropped = 2;
  now.calls_open = 12;
  now.cdrs_queued = 3;
  now.cdrs_journaled = 0;
  now.rss_bytes = 47'395'635;  // 45.2 MiB
  CHECK(render_status_line(now, prev, 10.0) ==
        "calls 12 | 850 pkt/s 12.30 Mbit/s | drops 17 (if 2) | cdr queue 3 journal 0 | "
        "spool queue - | rss 45.2 MiB");
  now.duplicates = 4;
  now.spool_queued = 9;
  now.calls_open.reset();
  CHECK(render_status_line(now, prev, 10.0) ==
        "calls - | 850 pkt/s 12.30 Mbit/s | drops 17 (if 2) dup 4 | cdr queue 3 journal 0 | "
        "spool queue 9 | rss 45.2 MiB");
  now.merged_early = 0;  // one interface, or merged in order: nothing to say
  CHECK(render_status_line(now, prev, 10.0).find("merged") == std::string::npos);
  now.merged_early = 31;
  CHECK(render_status_line(now, prev, 10.0) ==
        "calls - | 850 pkt/s 12.30 Mbit/s | drops 17 (if 2) dup 4 merged early 31 | cdr queue 3 "
        "journal 0 | spool queue 9 | rss 45.2 MiB");
}

TEST_CASE("metrics text: Prometheus 0.0.4 HELP/TYPE/sample lines, absent stages left out", "[live]") {
  live_snapshot s;
  s.uptime_seconds = 12.5;
  s.interfaces = 2;
  s.captured_packets = 123456;
  s.captured_bytes = 9876543210ull;
  s.kernel_dropped = 17;
  s.interface_dropped = 0;
  s.duplicates = 5;
  s.calls_open = 3;
  s.merged_early = 8;
  s.rss_bytes = 4096;
  s.spool_buffer_bytes = 65536;
  const std::string text = render_metrics(s);
  CHECK(text.rfind("# HELP voxmon_uptime_seconds ", 0) == 0);
  CHECK(text.find("\n# TYPE voxmon_uptime_seconds gauge\nvoxmon_uptime_seconds 12.500\n") != std::string::npos);
  CHECK(text.find("# TYPE voxmon_capture_interfaces gauge\nvoxmon_capture_interfaces 2\n") != std::string::npos);
  CHECK(text.find("# TYPE voxmon_capture_packets_total counter\nvoxmon_capture_packets_total 123456\n") != std::string::npos);
  CHECK(text.find("\nvoxmon_capture_bytes_total 9876543210\n") != std::string::npos);
  CHECK(text.find("\nvoxmon_capture_kernel_dropped_total 17\n") != std::string::npos);
  CHECK(text.find("\nvoxmon_capture_interface_dropped_total 0\n") != std::string::npos);
  CHECK(text.find("\nvoxmon_capture_duplicates_total 5\n") != std::string::npos);
  CHECK(text.find("# TYPE voxmon_calls_open gauge\nvoxmon_calls_open 3\n") != std::string::npos);
  CHECK(text.find("# TYPE voxmon_merged_early_packets_total counter\nvoxmon_merged_early_packets_total 8\n") != std::string::npos);
  CHECK(text.find("\nvoxmon_resident_memory_bytes 4096\n") != std::string::npos);
  CHECK(text.find("# TYPE voxmon_spool_buffer_bytes gauge\nvoxmon_spool_buffer_bytes 65536\n") != std::string::npos);
  // The writer and the spool did not answer: no made-up zeros for them.
  CHECK(text.find("voxmon_cdrs_queued") == std::string::npos);
  CHECK(text.find("voxmon_spool_queued_packets") == std::string::npos);
  CHECK(text.find("voxmon_calls_closed_total") == std::string::npos);
  // Every sample line belongs to a metric announced by exactly one HELP and one TYPE line.
  size_t samples = 0, helps = 0, types = 0, pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    REQUIRE(end != std::string::npos);  // ends with a newline
    const std::string line = text.substr(pos, end - pos);
    if (line.rfind("# HELP ", 0) == 0)
      ++helps;
    else if (line.rfind("# TYPE ", 0) == 0)
      ++types;
    else {
      CHECK(line.rfind("voxmon_", 0) == 0);
      ++samples;
    }
    pos = end + 1;
  }
  CHECK(samples == 11);  // uptime, 6 capture counters, calls_open, merged early, spool buffers, memory
  CHECK(helps == samples);
  CHECK(types == samples);
}

TEST_CASE("replay clock: original timing, a multiplier, top speed, late and backwards frames",
          "[live]") {
  using voxmon::replay::replay_clock;
  replay_clock one(1.0);
  CHECK_FALSE(one.due(5'000'000'000, 100));                   // the first frame goes at once
  CHECK(one.due(5'020'000'000, 150) == 100 + 20'000'000);    // 20 ms after it
  CHECK(one.due(5'040'000'000, 100 + 20'000'000) == 100 + 40'000'000);
  CHECK_FALSE(one.due(5'060'000'000, 100 + 70'000'000));     // late: at once, no drift added
  CHECK(one.due(5'100'000'000, 100 + 70'000'000) == 100 + 100'000'000);
  CHECK_FALSE(one.due(4'000'000'000, 200));                   // time stamp before the first
  replay_clock twice(2.0);
  CHECK_FALSE(twice.due(1'000'000'000, 0));
  CHECK(twice.due(2'000'000'000, 0) == 500'000'000);
  replay_clock top(0);
  CHECK_FALSE(top.due(1'000'000'000, 0));
  CHECK_FALSE(top.due(9'000'000'000, 0));
}

TEST_CASE("replay window: --from inclusive, --to exclusive, seconds after the first frame", "[live]") {
  using voxmon::replay::replay_window;
  replay_window all;
  CHECK(all.contains(0));
  CHECK(all.contains(1'000'000'000'000));
  replay_window head{-1, 10};
  CHECK(head.contains(0));
  CHECK(head.contains(9'999'999'999));
  CHECK_FALSE(head.contains(10'000'000'000));
  replay_window tail{10, -1};
  CHECK_FALSE(tail.contains(9'999'999'999));
  CHECK(tail.contains(10'000'000'000));
  replay_window mid{1.5, 2};
  CHECK_FALSE(mid.contains(1'499'999'999));
  CHECK(mid.contains(1'500'000'000));
  CHECK_FALSE(mid.contains(2'000'000'000));
}
