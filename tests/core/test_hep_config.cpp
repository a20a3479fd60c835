// Tunnel, TCP and HEP listener keys: parsing, bounds, and the decoder/reassembler options they
// give (config/tunnel_settings).
#include <catch2/catch.hpp>

#include "config/settings.hpp"
#include "config/tunnel_settings.hpp"
#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::config;

TEST_CASE("tunnel and HEP keys are read, bounded and reach the decoder", "[config][hep]") {
  settings s;
  auto r = load_config_text(
      "hep = yes\nhep_bind = 127.0.0.1\nhep_bind_port = 19060\nhep_bind_tcp = no\n"
      "hep_max_clients = 8\nhep_max_message = 4096\n"
      "udp_port_vxlan = 8472\nudp_port_tzsp = 37009\nudp_port_l2tp = 1702\nudp_port_gtp = 2153\n"
      "udp_port_hep = 9061\nl2tp_cookie_length = 4\n"
      "tcp_max_stream_kb = 64\ntcp_max_total_mb = 16\ntcp_max_streams = 1000\n",
      "voxmon.conf", s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings.empty());
  CHECK(s.hep);
  CHECK(s.hep_bind == "127.0.0.1");
  CHECK(s.hep_bind_port == 19060);
  CHECK(s.hep_bind_udp);
  CHECK_FALSE(s.hep_bind_tcp);
  CHECK(s.hep_max_clients == 8);
  CHECK(s.hep_max_message == 4096);
  const auto l = decoder_limits_from(s);
  CHECK(l.vxlan_port == 8472);
  CHECK(l.tzsp_port == 37009);
  CHECK(l.l2tp_port == 1702);
  CHECK(l.gtp_port == 2153);
  CHECK(l.hep_port == 9061);
  CHECK(l.l2tp_cookie_length == 4);
  const auto t = tcp_limits_from(s);
  CHECK(t.max_stream_bytes == 64 * 1024);
  CHECK(t.max_total_bytes == 16u * 1024 * 1024);
  CHECK(t.max_streams == 1000);

  // defaults
  const settings d;
  CHECK_FALSE(d.hep);
  CHECK(d.hep_bind == "0.0.0.0");
  CHECK(d.hep_bind_port == 9060);
  CHECK(decoder_limits_from(d).l2tp_cookie_length == -1);
  CHECK(decoder_limits_from(d).vxlan_port == 4789);
  CHECK(tcp_limits_from(d).max_stream_bytes == core::tcp_limits{}.max_stream_bytes);

  // the configured VXLAN port decapsulates, the default one no longer does
  using namespace voxmon::test;
  core::packet_decoder dec(decoder_limits_from(s));
  const bytes inner = eth(0x0800, ipv4("192.168.1.1", "192.168.1.2", 17, udp(5060, 5062, text("OPTIONS sip:a@b SIP/2.0\r\n\r\n"))));
  bytes vx{0x08, 0, 0, 0, 0, 0, 1, 0};
  append(vx, inner);
  auto a = run(dec, core::link_ethernet, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 8472, vx))));
  REQUIRE(a.status == core::decode_status::packet);
  CHECK(a.pkt.src.to_string() == "192.168.1.1:5060");
  auto b = run(dec, core::link_ethernet, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 4789, vx))));
  REQUIRE(b.status == core::decode_status::packet);
  CHECK(b.pkt.src.to_string() == "10.0.0.1:1");
}

TEST_CASE("bad tunnel and HEP values are refused with a reason", "[config][hep]") {
  settings s;
  bool known = false;
  CHECK(apply_setting(s, "udp_port_vxlan", "0", known) == "value 0 is out of range 1..65535");
  CHECK(known);
  CHECK(apply_setting(s, "hep_bind_port", "70000", known) == "value 70000 is out of range 1..65535");
  CHECK(apply_setting(s, "hep_bind_port", "-1", known) == "expected a port, got '-1'");
  CHECK(apply_setting(s, "hep", "maybe", known) == "expected yes or no, got 'maybe'");
  CHECK(apply_setting(s, "l2tp_cookie_length", "6", known) == "expected auto, 0, 4 or 8, got '6'");
  CHECK(apply_setting(s, "l2tp_cookie_length", "auto", known) == std::nullopt);
  CHECK(s.l2tp_cookie_length == -1);
  CHECK(apply_setting(s, "hep_bind", "", known).has_value());
  CHECK(apply_setting(s, "hep_max_message", "10", known) == "value 10 is out of range 64..65535");
  CHECK(classify_key("HEP_BIND_PORT") == key_kind::supported);
  CHECK(classify_key("udp_port_l2tp") == key_kind::supported);
}
