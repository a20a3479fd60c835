// Packet decoder on hand-built frames: link layers, VLAN/MPLS/PPPoE, IPv4/IPv6 validation,
// extension headers, IP-in-IP and L4 ports.
#include <catch2/catch.hpp>

#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::test;
using core::decode_status;
using core::drop_reason;
using core::l4_protocol;

namespace {

const bytes sip = text("OPTIONS sip:a@b SIP/2.0\r\n\r\n");

bytes v4_udp(const bytes& payload = sip) {
  return ipv4("10.0.0.1", "10.0.0.2", 17, udp(5060, 5080, payload));
}
bytes v6_udp(const bytes& payload = sip) {
  return ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5080, payload));
}

void check_v4_udp(const decoded& r) {
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "10.0.0.1:5060");
  CHECK(r.pkt.dst.to_string() == "10.0.0.2:5080");
  CHECK(r.pkt.proto == l4_protocol::udp);
  CHECK_FALSE(r.pkt.payload_in_arena);
  CHECK(r.payload == "OPTIONS sip:a@b SIP/2.0\r\n\r\n");
}

void check_v6_udp(const decoded& r) {
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "[2001:db8::1]:5060");
  CHECK(r.pkt.dst.to_string() == "[2001:db8::2]:5080");
  CHECK(r.pkt.proto == l4_protocol::udp);
  CHECK(r.payload == "OPTIONS sip:a@b SIP/2.0\r\n\r\n");
}

decoded dropped(drop_reason why, int link, const bytes& frame, core::decoder_limits l = {}) {
  core::packet_decoder d(l);
  auto r = run(d, link, frame);
  CHECK(r.status == decode_status::dropped);
  CHECK(d.last_drop() == why);
  CHECK(drops(d, why) == 1);
  return r;
}

}  // namespace

TEST_CASE("decoder: Ethernet IPv4 UDP gives exact addresses, ports and payload", "[decoder]") {
  core::packet_decoder d;
  auto frame = eth(0x0800, v4_udp());
  auto r = run(d, core::link_ethernet, frame, 42 * core::ns_per_second, 9);
  check_v4_udp(r);
  CHECK(r.pkt.payload_offset == 14 + 20 + 8);
  CHECK(r.pkt.ts == 42 * core::ns_per_second);
  CHECK(r.pkt.frame_index == 9);
  CHECK_FALSE(r.pkt.has_vlan);
  CHECK(d.counters().frames == 1);
  CHECK(d.counters().bytes == frame.size());
}

TEST_CASE("decoder: empty frames are truncated on every link type", "[decoder]") {
  for (int link : {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}) {
    INFO("link " << link);
    dropped(drop_reason::truncated, link, {});
  }
}

TEST_CASE("decoder: every truncation point of a frame is a truncated drop", "[decoder]") {
  const auto v4 = eth(0x0800, v4_udp());
  const auto v6 = eth(0x86dd, v6_udp());
  const auto vlan = eth(0x0800, v4_udp(), {{0x88a8, 5}, {0x8100, 6}});
  const auto tcp4 = eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(5060, 5061, sip, 12)));
  const auto sctp4 = eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5060, 5061, sip)));
  for (const auto* frame : {&v4, &v6, &vlan, &tcp4, &sctp4}) {
    core::packet_decoder d;
    for (size_t n = 0; n < frame->size(); ++n) {
      INFO("cut at " << n);
      bytes cut(frame->begin(), frame->begin() + static_cast<long>(n));
      auto r = run(d, core::link_ethernet, cut);
      REQUIRE(r.status == decode_status::dropped);
      CHECK(d.last_drop() == drop_reason::truncated);
    }
    CHECK(run(d, core::link_ethernet, *frame).status == decode_status::packet);
    CHECK(d.counters().frames == frame->size() + 1);
  }
}

TEST_CASE("decoder: lengths that announce more than was captured", "[decoder]") {
  SECTION("IPv4 total length beyond the capture") {
    dropped(drop_reason::truncated, 1,
            eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip), {.total_length = 2000})));
  }
  SECTION("IPv6 payload length beyond the capture") {
    dropped(drop_reason::truncated, 1,
            eth(0x86dd, ipv6("::1", "::2", 17, udp(1, 2, sip), 1000)));
  }
  SECTION("UDP length beyond the IP payload") {
    dropped(drop_reason::truncated, 1,
            eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip, 500))));
  }
  SECTION("UDP length below its own header") {
    dropped(drop_reason::bad_ip_header, 1,
            eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip, 7))));
  }
  SECTION("TCP data offset beyond the segment") {
    auto seg = tcp(1, 2, {});
    seg[12] = 0xf0;  // 60-byte header, 20 present
    dropped(drop_reason::truncated, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 6, seg)));
  }
  SECTION("TCP data offset below 5") {
    auto seg = tcp(1, 2, sip);
    seg[12] = 0x40;
    dropped(drop_reason::bad_ip_header, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 6, seg)));
  }
}

TEST_CASE("decoder: shorter lengths trim Ethernet padding and UDP trailers", "[decoder]") {
  core::packet_decoder d;
  SECTION("Ethernet padding after a small IPv4 packet") {
    auto frame = eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(5060, 5080, text("hi"))));
    frame.resize(60, 0xee);
    auto r = run(d, 1, frame);
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == "hi");
  }
  SECTION("UDP length shorter than the IP payload") {
    auto r = run(d, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, text("abcdef"), 11))));
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == "abc");
  }
  SECTION("IPv4 total length 0 (segmentation offload) uses the capture") {
    auto r = run(d, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 6, tcp(1, 2, sip), {.total_length = 0})));
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.payload == std::string(sip.begin(), sip.end()));
  }
}

TEST_CASE("decoder: IPv4 header validation", "[decoder]") {
  SECTION("IHL below 5") {
    dropped(drop_reason::bad_ip_header, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip), {.ihl = 4})));
  }
  SECTION("total length below the header length") {
    dropped(drop_reason::bad_ip_header, 1,
            eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip), {.total_length = 19})));
  }
  SECTION("IHL beyond the captured bytes") {
    auto pkt = ipv4("1.1.1.1", "2.2.2.2", 17, {}, {.ihl = 15, .total_length = 60});
    pkt.resize(40);
    dropped(drop_reason::truncated, 1, eth(0x0800, pkt));
  }
  SECTION("wrong version under an IPv4 ethertype") {
    dropped(drop_reason::bad_ip_header, 1, eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, sip), {.version = 6})));
  }
  SECTION("IPv6 ethertype with an IPv4 packet") {
    dropped(drop_reason::bad_ip_header, 1, eth(0x86dd, v4_udp(bytes(40, 'x'))));
  }
  SECTION("options are skipped") {
    core::packet_decoder d;
    auto r = run(d, 1, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(5060, 5080, sip), {.ihl = 8})));
    check_v4_udp(r);
    CHECK(r.pkt.payload_offset == 14 + 32 + 8);
  }
}

TEST_CASE("decoder: VLAN stacks record the innermost id", "[decoder]") {
  core::packet_decoder d;
  SECTION("802.1Q") {
    auto r = run(d, 1, eth(0x0800, v4_udp(), {{0x8100, 100}}));
    check_v4_udp(r);
    CHECK(r.pkt.has_vlan);
    CHECK(r.pkt.vlan == 100);
  }
  SECTION("QinQ 802.1ad over 802.1Q") {
    auto r = run(d, 1, eth(0x86dd, v6_udp(), {{0x88a8, 10}, {0x8100, 20}}));
    check_v6_udp(r);
    CHECK(r.pkt.vlan == 20);
    CHECK(r.pkt.payload_offset == 14 + 8 + 40 + 8);
  }
  SECTION("0x9100 stack of three") {
    auto r = run(d, 1, eth(0x0800, v4_udp(), {{0x9100, 4095}, {0x9100, 7}, {0x8100, 1}}));
    check_v4_udp(r);
    CHECK(r.pkt.vlan == 1);
  }
  SECTION("VLAN then ARP is not IP") {
    CHECK(run(d, 1, eth(0x0806, bytes(28, 0), {{0x8100, 3}})).status == decode_status::dropped);
    CHECK(d.last_drop() == drop_reason::not_ip);
  }
}

TEST_CASE("decoder: MPLS label stacks", "[decoder]") {
  core::packet_decoder d;
  check_v4_udp(run(d, 1, eth(0x8847, mpls({16, 17, 18}, v4_udp()))));
  check_v6_udp(run(d, 1, eth(0x8848, mpls({1000}, v6_udp()))));
  auto r = run(d, 1, eth(0x8847, mpls({16}, v4_udp()), {{0x8100, 42}}));
  check_v4_udp(r);
  CHECK(r.pkt.vlan == 42);
  SECTION("Ethernet pseudowire control word is not IP") {
    dropped(drop_reason::not_ip, 1, eth(0x8847, mpls({16}, bytes(64, 0))));
  }
  SECTION("stack without bottom-of-stack runs off the frame") {
    bytes labels{0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x00, 0x40};
    dropped(drop_reason::truncated, 1, eth(0x8847, labels));
  }
}

TEST_CASE("decoder: PPPoE session", "[decoder]") {
  core::packet_decoder d;
  check_v4_udp(run(d, 1, eth(0x8864, pppoe(0x0021, v4_udp()))));
  check_v6_udp(run(d, 1, eth(0x8864, pppoe(0x0057, v6_udp()))));
  dropped(drop_reason::not_ip, 1, eth(0x8864, pppoe(0xc021, bytes(20, 1))));  // LCP
  dropped(drop_reason::not_ip, 1, eth(0x8863, bytes(20, 0)));                 // discovery
}

TEST_CASE("decoder: Linux cooked v1 and v2", "[decoder]") {
  core::packet_decoder d;
  auto r = run(d, core::link_linux_sll, sll(0x0800, v4_udp()));
  check_v4_udp(r);
  CHECK(r.pkt.payload_offset == 16 + 28);
  check_v6_udp(run(d, core::link_linux_sll, sll(0x86dd, v6_udp())));
  r = run(d, core::link_linux_sll2, sll2(0x86dd, v6_udp()));
  check_v6_udp(r);
  CHECK(r.pkt.payload_offset == 20 + 48);
  check_v4_udp(run(d, core::link_linux_sll2, sll2(0x0800, v4_udp())));
  dropped(drop_reason::not_ip, core::link_linux_sll, sll(0x0806, bytes(28, 0)));
  dropped(drop_reason::not_ip, core::link_linux_sll2, sll2(0x0004, bytes(28, 0)));
  dropped(drop_reason::truncated, core::link_linux_sll, bytes(15, 0));
  dropped(drop_reason::truncated, core::link_linux_sll2, bytes(19, 0));
}

TEST_CASE("decoder: BSD NULL in both byte orders and LOOP", "[decoder]") {
  core::packet_decoder d;
  for (bool little : {true, false}) {
    INFO("little endian " << little);
    check_v4_udp(run(d, core::link_null, null_link(2, little, v4_udp())));
    for (uint32_t af6 : {24u, 28u, 30u})
      check_v6_udp(run(d, core::link_null, null_link(af6, little, v6_udp())));
    dropped(drop_reason::not_ip, core::link_null, null_link(7, little, v4_udp()));
  }
  check_v4_udp(run(d, core::link_loop, null_link(2, false, v4_udp())));
  check_v6_udp(run(d, core::link_loop, null_link(24, false, v6_udp())));
  dropped(drop_reason::not_ip, core::link_loop, null_link(2, true, v4_udp()));  // LOOP is big endian
}

TEST_CASE("decoder: raw IP link types", "[decoder]") {
  core::packet_decoder d;
  for (int link : {101, 12, 14}) {
    INFO("link " << link);
    auto r = run(d, link, v4_udp());
    check_v4_udp(r);
    CHECK(r.pkt.payload_offset == 28);
    check_v6_udp(run(d, link, v6_udp()));
  }
  check_v4_udp(run(d, core::link_ipv4, v4_udp()));
  check_v6_udp(run(d, core::link_ipv6, v6_udp()));
  dropped(drop_reason::bad_ip_header, core::link_ipv4, v6_udp());
  dropped(drop_reason::bad_ip_header, core::link_ipv6, v4_udp(bytes(30, 'x')));
  auto junk = v4_udp();
  junk[0] = 0x55;
  dropped(drop_reason::bad_ip_header, core::link_raw, junk);
}

TEST_CASE("decoder: unknown links and non-IP ethertypes", "[decoder]") {
  dropped(drop_reason::unsupported_link, 127, v4_udp());  // radiotap
  dropped(drop_reason::unsupported_link, -1, v4_udp());
  dropped(drop_reason::not_ip, 1, eth(0x0806, bytes(28, 0)));  // ARP
  dropped(drop_reason::not_ip, 1, eth(0x88cc, bytes(40, 0)));  // LLDP
  dropped(drop_reason::not_ip, 1, eth(0x0026, bytes(40, 0)));  // 802.3 length (STP)
}

TEST_CASE("decoder: IP-in-IP gives the innermost addresses", "[decoder]") {
  core::packet_decoder d;
  SECTION("4in4") {
    auto r = run(d, 1, eth(0x0800, ipv4("192.0.2.1", "192.0.2.2", 4, v4_udp())));
    check_v4_udp(r);
    CHECK(r.pkt.payload_offset == 14 + 20 + 20 + 8);
  }
  SECTION("6in4") { check_v6_udp(run(d, 1, eth(0x0800, ipv4("192.0.2.1", "192.0.2.2", 41, v6_udp())))); }
  SECTION("4in6") { check_v4_udp(run(d, 1, eth(0x86dd, ipv6("fd00::1", "fd00::2", 4, v4_udp())))); }
  SECTION("6in6") { check_v6_udp(run(d, 1, eth(0x86dd, ipv6("fd00::1", "fd00::2", 41, v6_udp())))); }
  SECTION("inner truncated") {
    auto inner = v4_udp();
    inner.resize(30);
    CHECK(run(d, 1, eth(0x0800, ipv4("192.0.2.1", "192.0.2.2", 4, inner))).status == decode_status::dropped);
    CHECK(d.last_drop() == drop_reason::truncated);
  }
  CHECK(d.counters().ip_in_ip == 1);
}

TEST_CASE("decoder: tunnel depth is bounded", "[decoder]") {
  auto nest = [](int levels) {
    bytes pkt = v4_udp();
    bool top_v4 = true;
    for (int i = 0; i < levels; ++i) {
      const uint8_t inner = top_v4 ? 4 : 41;
      top_v4 = i % 2 != 0;
      pkt = top_v4 ? ipv4("192.0.2.1", "192.0.2.2", inner, pkt)
                   : ipv6("fd00::1", "fd00::2", inner, pkt);
    }
    return pkt;
  };
  core::packet_decoder d;  // default bound: 8 levels
  check_v4_udp(run(d, core::link_raw, nest(8)));
  CHECK(d.counters().ip_in_ip == 1);
  dropped(drop_reason::tunnel_depth, core::link_raw, nest(9));
  dropped(drop_reason::tunnel_depth, core::link_raw, nest(1), {.max_tunnel_depth = 0});
  core::packet_decoder one({.max_tunnel_depth = 1});
  check_v4_udp(run(one, core::link_raw, nest(1)));
}

TEST_CASE("decoder: IPv6 extension headers", "[decoder]") {
  core::packet_decoder d;
  SECTION("hop-by-hop, routing, destination options and AH before UDP") {
    auto chain = ipv6_ext(43, 8, ipv6_ext(60, 24, ipv6_ext(51, 16, ipv6_ah(17, udp(5060, 5080, sip)))));
    auto r = run(d, 1, eth(0x86dd, ipv6("2001:db8::1", "2001:db8::2", 0, chain)));
    check_v6_udp(r);
    CHECK(r.pkt.payload_offset == 14 + 40 + 8 + 24 + 16 + 24 + 8);
  }
  SECTION("atomic fragment header passes through") {
    auto r = run(d, 1, eth(0x86dd, ipv6("2001:db8::1", "2001:db8::2", 44, ipv6_frag(17, 0, false, 9, udp(5060, 5080, sip)))));
    check_v6_udp(r);
    CHECK(d.counters().fragments == 0);
  }
  SECTION("ESP and no-next-header are not analysable") {
    dropped(drop_reason::not_ip, 1, eth(0x86dd, ipv6("::1", "::2", 50, bytes(40, 0x11))));
    dropped(drop_reason::not_ip, 1, eth(0x86dd, ipv6("::1", "::2", 60, ipv6_ext(59, 8, {}))));
  }
  SECTION("extension header longer than the packet") {
    auto pkt = ipv6("::1", "::2", 0, ipv6_ext(17, 8, {}));
    pkt[40 + 1] = 3;  // claims 32 bytes
    dropped(drop_reason::truncated, 1, eth(0x86dd, pkt));
    dropped(drop_reason::truncated, 1, eth(0x86dd, ipv6("::1", "::2", 43, bytes{17})));
  }
}

TEST_CASE("decoder: TCP, SCTP and other protocols", "[decoder]") {
  core::packet_decoder d;
  auto r = run(d, 1, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(5060, 5080, sip, 12))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.proto == l4_protocol::tcp);
  CHECK(r.pkt.src.port == 5060);
  CHECK(r.pkt.dst.port == 5080);
  CHECK(r.pkt.payload_offset == 14 + 20 + 32);
  CHECK(r.payload == std::string(sip.begin(), sip.end()));

  r = run(d, 1, eth(0x86dd, ipv6("::1", "::2", 132, sctp(2905, 5060, text("chunk")))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.proto == l4_protocol::sctp);
  CHECK(r.pkt.src.to_string() == "[::1]:2905");
  CHECK(r.pkt.dst.to_string() == "[::2]:5060");
  CHECK(r.payload == "chunk");

  // A protocol the decoder does not look into (OSPF) comes out as "other" with its payload.
  // (GRE, 47, is decapsulated now: see the tunnel tests.)
  r = run(d, 1, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 89, text("ospf-bytes"))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.proto == l4_protocol::other);
  CHECK(r.pkt.src.to_string() == "10.0.0.1:0");
  CHECK(r.payload == "ospf-bytes");

  r = run(d, 1, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, {})));  // empty ICMP
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.proto == l4_protocol::other);
  CHECK(r.pkt.payload_length == 0);

  r = run(d, 1, eth(0x86dd, ipv6("::1", "::2", 17, udp(1, 2, text("jumbo"), 0))));
  REQUIRE(r.status == decode_status::packet);  // UDP length 0: the IP length rules
  CHECK(r.payload == "jumbo");
}

TEST_CASE("decoder: counters and drop reason names", "[decoder]") {
  core::packet_decoder d;
  const auto good = eth(0x0800, v4_udp());
  run(d, 1, good);
  run(d, 1, eth(0x0806, bytes(28, 0)));
  run(d, 1, bytes(5, 0));
  run(d, 999, bytes(50, 0));
  CHECK(good.size() == 14 + 20 + 8 + 27);
  CHECK(d.counters().frames == 4);
  CHECK(d.counters().bytes == good.size() + 14 + 28 + 5 + 50);
  CHECK(drops(d, drop_reason::not_ip) == 1);
  CHECK(drops(d, drop_reason::truncated) == 1);
  CHECK(drops(d, drop_reason::unsupported_link) == 1);
  CHECK(d.last_drop() == drop_reason::unsupported_link);

  CHECK(std::string(to_string(drop_reason::truncated)) == "truncated");
  CHECK(std::string(to_string(drop_reason::unsupported_link)) == "unsupported_link");
  CHECK(std::string(to_string(drop_reason::not_ip)) == "not_ip");
  CHECK(std::string(to_string(drop_reason::bad_ip_header)) == "bad_ip_header");
  CHECK(std::string(to_string(drop_reason::fragment_overflow)) == "fragment_overflow");
  CHECK(std::string(to_string(drop_reason::fragment_timeout)) == "fragment_timeout");
  CHECK(std::string(to_string(drop_reason::tunnel_depth)) == "tunnel_depth");
}

TEST_CASE("decoder: a moved decoder keeps working", "[decoder]") {
  core::packet_decoder a;
  run(a, 1, eth(0x0800, v4_udp()));
  core::packet_decoder b(std::move(a));
  check_v4_udp(run(b, 1, eth(0x0800, v4_udp())));
  CHECK(b.counters().frames == 2);
}

TEST_CASE("decoder: corrupted frames never escape the frame or the arena", "[decoder]") {
  // Run under VOXMON_SANITIZE=ON to turn any read past a frame into a failure.
  const bytes seeds[] = {
    eth(0x0800, v4_udp(), {{0x8100, 1}}),
    eth(0x86dd, ipv6("::1", "::2", 0, ipv6_ext(44, 8, ipv6_frag(17, 0, true, 1, udp(1, 2, sip))))),
    eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, bytes(16, 'f'), {.id = 3, .more_fragments = true})),
    eth(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, bytes(16, 'g'), {.id = 3, .fragment_offset = 16})),
    eth(0x8847, mpls({1, 2}, ipv6("::1", "::2", 4, v4_udp()))),
    eth(0x8864, pppoe(0x0021, ipv4("1.1.1.1", "2.2.2.2", 6, tcp(1, 2, sip, 8)))),
  };
  const int links[] = {0, 1, 101, 108, 113, 276};
  uint32_t state = 12345;
  auto rnd = [&state] { return state = state * 1664525u + 1013904223u; };
  core::packet_decoder d({.max_fragment_bytes = 64 * 1024, .max_fragment_datagrams = 16});
  std::vector<uint8_t> arena;
  uint64_t packets = 0;
  for (int i = 0; i < 60000; ++i) {
    bytes f = seeds[rnd() % std::size(seeds)];
    const int flips = 1 + static_cast<int>(rnd() % 4);
    for (int k = 0; k < flips; ++k)
      f[rnd() % f.size()] ^= static_cast<uint8_t>(1u << (rnd() % 8));
    f.resize(rnd() % 8 == 0 ? rnd() % (f.size() + 1) : f.size());
    const int link = rnd() % 4 == 0 ? links[rnd() % std::size(links)] : 1;
    arena.clear();
    core::decoded_packet p;
    if (d.decode(link, i * 1'000'000LL, f, 0, p, arena) == decode_status::packet) {
      ++packets;
      REQUIRE(size_t{p.payload_offset} + p.payload_length <= (p.payload_in_arena ? arena.size() : f.size()));
    }
  }
  CHECK(packets > 1000);
  CHECK(d.counters().frames == 60000);
}
