// Tunnel decapsulation on hand-built frames: GRE (plain, key + sequence, transparent Ethernet
// bridging, IPv6, enhanced GRE with PPP), ERSPAN I/II/III, VXLAN (default and configured port),
// TZSP, GTP-U, HEP v2/v3 (also zlib-compressed), nesting, VLAN inheritance and depth bound.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::test;
using core::decode_status;
using core::drop_reason;
using core::l4_protocol;
using core::tunnel_kind;

namespace {

const std::string sip_text = "OPTIONS sip:a@b SIP/2.0\r\n\r\n";
const bytes sip = text(sip_text);

bytes inner_v4() { return ipv4("192.168.1.1", "192.168.1.2", 17, udp(5060, 5062, sip)); }
bytes inner_eth(std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  return eth(0x0800, inner_v4(), tags);
}
bytes outer_v4(uint8_t proto, const bytes& payload) {
  return ipv4("10.0.0.1", "10.0.0.2", proto, payload);
}
bytes gre(uint16_t flags, uint16_t type, const bytes& payload, size_t optional_words) {
  bytes b;
  put16(b, flags);
  put16(b, type);
  for (size_t i = 0; i < optional_words; ++i)
    put32(b, 0x01020304);
  append(b, payload);
  return b;
}
uint64_t tunnels(const core::packet_decoder& d, tunnel_kind k) {
  return d.counters().tunnels[static_cast<size_t>(k)];
}
void check_inner(const decoded& r) {
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "192.168.1.1:5060");
  CHECK(r.pkt.dst.to_string() == "192.168.1.2:5062");
  CHECK(r.pkt.proto == l4_protocol::udp);
  CHECK(r.payload == sip_text);
}

}  // namespace

TEST_CASE("GRE carries IPv4, IPv6 and Ethernet, with key and sequence", "[decoder][tunnel]") {
  core::packet_decoder d;
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0, 0x0800, inner_v4(), 0)))));
  check_inner(run(d, core::link_ethernet,
                  eth(0x0800, outer_v4(47, gre(0xb000, 0x0800, inner_v4(), 3)))));  // C K S
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x2000, 0x6558, inner_eth(), 1)))));
  auto v6 = run(d, core::link_ethernet,
                eth(0x0800, outer_v4(47, gre(0, 0x86dd, ipv6("2001:db8::1", "2001:db8::2", 17,
                                                             udp(5060, 5060, sip)), 0))));
  REQUIRE(v6.status == decode_status::packet);
  CHECK(v6.pkt.src.to_string() == "[2001:db8::1]:5060");
  // over IPv6 too
  check_inner(run(d, core::link_ethernet,
                  eth(0x86dd, ipv6("2001:db8::a", "2001:db8::b", 47, gre(0, 0x0800, inner_v4(), 0)))));
  CHECK(tunnels(d, tunnel_kind::gre) == 5);
}

TEST_CASE("enhanced GRE (PPTP) carries PPP with and without address/control", "[decoder][tunnel]") {
  core::packet_decoder d;
  bytes ppp_full{0xff, 0x03, 0x00, 0x21};
  append(ppp_full, inner_v4());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x3001, 0x880b, ppp_full, 2)))));
  bytes ppp_short{0x21};  // protocol field compressed, address/control omitted
  append(ppp_short, inner_v4());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x2081, 0x880b, ppp_short, 2)))));
  bytes lcp{0xc0, 0x21, 1, 1, 0, 4};
  CHECK(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x2001, 0x880b, lcp, 1)))).status ==
        decode_status::dropped);
}

TEST_CASE("ERSPAN types I, II and III", "[decoder][tunnel]") {
  core::packet_decoder d;
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0, 0x88be, inner_eth(), 0)))));
  bytes type2{0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0};  // version 1, session 5
  append(type2, inner_eth());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x1000, 0x88be, type2, 1)))));
  bytes type3(12, 0);
  type3[0] = 0x20;
  append(type3, inner_eth());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x1000, 0x22eb, type3, 1)))));
  bytes type3_o(20, 0);  // with the platform-specific subheader
  type3_o[0] = 0x20;
  type3_o[11] = 0x01;
  append(type3_o, inner_eth());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0x1000, 0x22eb, type3_o, 1)))));
  CHECK(tunnels(d, tunnel_kind::erspan) == 4);
  CHECK(tunnels(d, tunnel_kind::gre) == 0);
}

TEST_CASE("VXLAN on 4789 and on a configured port, outer VLAN kept", "[decoder][tunnel]") {
  bytes vx{0x08, 0, 0, 0, 0, 0, 0x2a, 0};
  append(vx, inner_eth());
  core::packet_decoder d;
  auto r = run(d, core::link_ethernet,
               eth(0x0800, outer_v4(17, udp(40000, 4789, vx)), {{0x8100, 42}}));
  check_inner(r);
  CHECK(r.pkt.has_vlan);
  CHECK(r.pkt.vlan == 42);  // the inner frame has no tag: the outer one stays
  bytes vx_tagged{0x08, 0, 0, 0, 0, 0, 0x2a, 0};
  append(vx_tagged, inner_eth({{0x8100, 7}}));
  r = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 4789, vx_tagged)), {{0x8100, 42}}));
  check_inner(r);
  CHECK(r.pkt.vlan == 7);
  CHECK(tunnels(d, tunnel_kind::vxlan) == 2);

  core::decoder_limits lim;
  lim.vxlan_port = 8472;
  core::packet_decoder linux_port{lim};
  check_inner(run(linux_port, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 8472, vx)))));
  // on 4789 without the I flag it stays plain UDP
  bytes not_vx(8, 0);
  append(not_vx, inner_eth());
  auto plain = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 4789, not_vx))));
  REQUIRE(plain.status == decode_status::packet);
  CHECK(plain.pkt.dst.port == 4789);
}

TEST_CASE("TZSP and GTP-U", "[decoder][tunnel]") {
  core::packet_decoder d;
  bytes tz{1, 0, 0, 1, 0x0a, 4, 1, 2, 3, 4, 0x00, 0x01};  // a tag, padding, end
  append(tz, inner_eth());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 37008, tz)))));
  CHECK(tunnels(d, tunnel_kind::tzsp) == 1);

  bytes gtp{0x30, 0xff};
  put16(gtp, static_cast<uint16_t>(inner_v4().size()));
  put32(gtp, 0x11223344);
  append(gtp, inner_v4());
  check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(2152, 2152, gtp)))));
  bytes gtp_ext{0x34, 0xff, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0x85, 1, 0x10, 0x00, 0x00};  // PDU session
  append(gtp_ext, ipv6("fd00::1", "fd01::183", 17, udp(5060, 5060, sip)));
  auto r = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(2152, 2152, gtp_ext))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "[fd00::1]:5060");
  CHECK(tunnels(d, tunnel_kind::gtp) == 2);
}

TEST_CASE("tunnels nest with each other and are bounded", "[decoder][tunnel]") {
  core::packet_decoder d;
  // VXLAN inside GRE inside an MPLS-labelled, VLAN-tagged frame, IP-in-IP innermost
  bytes vx{0x08, 0, 0, 0, 0, 0, 1, 0};
  append(vx, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 4, inner_v4())));
  const bytes frame = eth(0x8847, mpls({16}, outer_v4(47, gre(0, 0x0800,
                          ipv4("10.1.0.1", "10.1.0.2", 17, udp(1, 4789, vx)), 0))), {{0x8100, 9}});
  auto r = run(d, core::link_ethernet, frame);
  check_inner(r);
  CHECK(r.pkt.vlan == 9);
  CHECK(tunnels(d, tunnel_kind::gre) == 1);
  CHECK(tunnels(d, tunnel_kind::vxlan) == 1);
  CHECK(d.counters().ip_in_ip == 1);

  core::decoder_limits lim;
  lim.max_tunnel_depth = 2;
  core::packet_decoder shallow{lim};
  bytes nested = inner_v4();
  for (int i = 0; i < 3; ++i)
    nested = outer_v4(47, gre(0, 0x0800, nested, 0));
  CHECK(run(shallow, core::link_raw, nested).status == decode_status::dropped);
  CHECK(drops(shallow, drop_reason::tunnel_depth) == 1);

  core::decoder_limits off;
  off.decapsulate = false;
  core::packet_decoder plain{off};
  auto p = run(plain, core::link_ethernet, eth(0x0800, outer_v4(47, gre(0, 0x0800, inner_v4(), 0))));
  REQUIRE(p.status == decode_status::packet);
  CHECK(p.pkt.proto == l4_protocol::other);
}

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
bytes hep3(const bytes& payload, uint16_t payload_type) {
  bytes c;
  append(c, chunk(1, {2}));
  append(c, chunk(2, {6}));  // TCP
  append(c, chunk(3, addr_bytes("192.168.1.1", 4)));
  append(c, chunk(4, addr_bytes("192.168.1.2", 4)));
  append(c, chunk(7, be16(5060)));
  append(c, chunk(8, be16(5062)));
  append(c, chunk(9, be32(1481455196)));
  append(c, chunk(10, be32(325)));
  append(c, chunk(11, {1}));
  append(c, chunk(payload_type, payload));
  bytes b = text("HEP3");
  put16(b, static_cast<uint16_t>(6 + c.size()));
  append(b, c);
  return b;
}
}  // namespace

TEST_CASE("HEP3 gives the packet HEP's addresses, transport and time", "[decoder][hep]") {
  core::packet_decoder d;
  for (uint16_t port : {uint16_t{9060}, uint16_t{9999}}) {  // by port, and by magic
    auto r = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, port, hep3(sip, 0x0f)))));
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.src.to_string() == "192.168.1.1:5060");
    CHECK(r.pkt.dst.to_string() == "192.168.1.2:5062");
    CHECK(r.pkt.proto == l4_protocol::tcp);
    CHECK_FALSE(d.last_has_tcp_header());
    CHECK(r.pkt.ts == 1481455196'000325000);
    CHECK(r.payload == sip_text);
  }
  // compressed payload chunk
  bytes z(compressBound(sip.size()));
  uLongf zlen = z.size();
  REQUIRE(compress(z.data(), &zlen, sip.data(), sip.size()) == Z_OK);
  z.resize(zlen);
  std::vector<uint8_t> arena;
  auto r = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 9060, hep3(z, 0x10)))),
               core::ns_per_second, 1, &arena);
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.payload_in_arena);
  CHECK(r.payload == sip_text);
  CHECK(tunnels(d, tunnel_kind::hep) == 3);
  // a bad chunk length is a counted drop
  bytes bad = hep3(sip, 0x0f);
  bad[bad.size() - sip.size() - 1] = 0xff;
  CHECK(run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(1, 9060, bad)))).status ==
        decode_status::dropped);
}

TEST_CASE("HEP v2 header with IPv4 addresses and time", "[decoder][hep]") {
  bytes h{2, 8, 2, 17};
  put16(h, 5060);
  put16(h, 5062);
  append(h, addr_bytes("192.168.1.1", 4));
  append(h, addr_bytes("192.168.1.2", 4));
  append(h, {0x5c, 0x2b, 0x4d, 0x58, 0x45, 0x01, 0, 0, 1, 0, 0, 0});  // LE sec, usec, id
  append(h, sip);
  core::packet_decoder d;
  auto r = run(d, core::link_ethernet, eth(0x0800, outer_v4(17, udp(40000, 9060, h))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "192.168.1.1:5060");
  CHECK(r.pkt.ts == core::timestamp_ns{0x584d2b5c} * core::ns_per_second + 325'000);
  CHECK(r.payload == sip_text);
}

namespace {
bytes l2tp_session(uint32_t session, const bytes& cookie, const bytes& payload) {
  bytes b;
  put32(b, session);
  append(b, cookie);
  append(b, payload);
  return b;
}
bytes l2tp_udp_header(uint8_t flags, uint8_t version, const bytes& rest) {
  bytes b{flags, version, 0, 0};
  append(b, rest);
  return b;
}
}  // namespace

TEST_CASE("L2TPv3 Ethernet pseudowire over IP and UDP, cookies 0/4/8", "[decoder][tunnel][l2tp]") {
  const bytes cookie4{0xde, 0xad, 0xbe, 0xef};
  const bytes cookie8{1, 2, 3, 4, 5, 6, 7, 8};
  core::packet_decoder d;
  // over IP protocol 115, guessed cookie lengths
  for (const bytes& c : {bytes{}, cookie4, cookie8}) {
    INFO("cookie " << c.size());
    check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(115, l2tp_session(0x1234, c, inner_eth())))));
  }
  CHECK(tunnels(d, tunnel_kind::l2tp) == 3);
  // over UDP 1701 (data: T bit clear, version 3), with an inner VLAN: a cookie of 8 would also
  // leave a valid header (the tag read as cookie), the smallest match is the right one
  INFO("over UDP");
  check_inner(run(d, core::link_ethernet,
                  eth(0x0800, outer_v4(17, udp(1701, 1701, l2tp_udp_header(0, 3, l2tp_session(7, cookie4, inner_eth())))))));
  auto r = run(d, core::link_ethernet,
               eth(0x0800, outer_v4(17, udp(1701, 1701, l2tp_udp_header(0, 3, l2tp_session(7, cookie4, inner_eth({{0x8100, 42}})))))));
  check_inner(r);
  CHECK(r.pkt.has_vlan);
  CHECK(r.pkt.vlan == 42);
  CHECK(tunnels(d, tunnel_kind::l2tp) == 5);
  // over IPv6
  INFO("over IPv6");
  check_inner(run(d, core::link_ethernet,
                  eth(0x86dd, ipv6("2001:db8::1", "2001:db8::2", 115, l2tp_session(9, cookie8, inner_eth())))));
  CHECK(tunnels(d, tunnel_kind::l2tp) == 6);
}

TEST_CASE("L2TPv3: configured cookie, control messages, L2TPv2 and unguessable payloads", "[decoder][tunnel][l2tp]") {
  const bytes cookie4{0xde, 0xad, 0xbe, 0xef};
  SECTION("a configured cookie length is used as is") {
    core::decoder_limits lim;
    lim.l2tp_cookie_length = 4;
    core::packet_decoder d(lim);
    check_inner(run(d, core::link_ethernet, eth(0x0800, outer_v4(115, l2tp_session(5, cookie4, inner_eth())))));
    // with the wrong length configured the frame is misread, not guessed around
    lim.l2tp_cookie_length = 8;
    core::packet_decoder d8(lim);
    CHECK(run(d8, core::link_ethernet, eth(0x0800, outer_v4(115, l2tp_session(5, cookie4, inner_eth()))))
              .status == decode_status::dropped);
  }
  SECTION("a configured UDP port") {
    core::decoder_limits lim;
    lim.l2tp_port = 1702;
    core::packet_decoder d(lim);
    check_inner(run(d, core::link_ethernet,
                    eth(0x0800, outer_v4(17, udp(40000, 1702, l2tp_udp_header(0, 3, l2tp_session(7, {}, inner_eth())))))));
    // 1701 is plain UDP now
    auto r = run(d, core::link_ethernet,
                 eth(0x0800, outer_v4(17, udp(1701, 1701, l2tp_udp_header(0, 3, l2tp_session(7, {}, inner_eth()))))));
    REQUIRE(r.status == decode_status::packet);
    CHECK(r.pkt.src.to_string() == "10.0.0.1:1701");
  }
  core::packet_decoder d;
  // control messages: session id 0 over IP, T bit over UDP
  CHECK(run(d, core::link_ethernet, eth(0x0800, outer_v4(115, l2tp_session(0, {}, inner_eth())))).status ==
        decode_status::dropped);
  CHECK(d.last_drop() == drop_reason::not_ip);
  CHECK(run(d, core::link_ethernet,
            eth(0x0800, outer_v4(17, udp(1701, 1701, l2tp_udp_header(0xc8, 3, l2tp_session(7, {}, inner_eth())))))).status ==
        decode_status::dropped);
  // L2TPv2 on 1701 stays plain UDP
  auto r = run(d, core::link_ethernet,
               eth(0x0800, outer_v4(17, udp(1701, 1701, l2tp_udp_header(0x02, 2, l2tp_session(7, {}, inner_eth()))))));
  REQUIRE(r.status == decode_status::packet);
  CHECK(r.pkt.src.to_string() == "10.0.0.1:1701");
  CHECK(tunnels(d, tunnel_kind::l2tp) == 0);
  // no cookie length leaves a valid frame behind it: a counted drop, not a guess
  CHECK(run(d, core::link_ethernet, eth(0x0800, outer_v4(115, l2tp_session(3, {1, 2}, text("not a frame at all, just some bytes here")))))
            .status == decode_status::dropped);
  CHECK(d.last_drop() == drop_reason::not_ip);
  // truncated: session id cut
  CHECK(run(d, core::link_ethernet, eth(0x0800, outer_v4(115, bytes{0, 0}))).status == decode_status::dropped);
  CHECK(d.last_drop() == drop_reason::truncated);
  // nested in GRE, bounded like every tunnel
  check_inner(run(d, core::link_ethernet,
                  eth(0x0800, outer_v4(47, gre(0, 0x0800, outer_v4(115, l2tp_session(5, cookie4, inner_eth())), 0)))));
}
