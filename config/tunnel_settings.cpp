#include "config/tunnel_settings.hpp"

#include <charconv>

#include "core/text.hpp"

namespace voxmon::config {

namespace {

struct number_key {
  std::string_view name;
  uint32_t settings::*field;
  uint32_t min, max;
  const char* what;
};
constexpr number_key number_keys[] = {
    {"udp_port_vxlan", &settings::udp_port_vxlan, 1, 65535, "a UDP port"},
    {"udp_port_tzsp", &settings::udp_port_tzsp, 1, 65535, "a UDP port"},
    {"udp_port_l2tp", &settings::udp_port_l2tp, 1, 65535, "a UDP port"},
    {"udp_port_gtp", &settings::udp_port_gtp, 1, 65535, "a UDP port"},
    {"udp_port_hep", &settings::udp_port_hep, 1, 65535, "a UDP port"},
    {"tcp_max_stream_kb", &settings::tcp_max_stream_kb, 4, 1024 * 1024, "a size in KB"},
    {"tcp_max_total_mb", &settings::tcp_max_total_mb, 1, 64 * 1024, "a size in MB"},
    {"tcp_max_streams", &settings::tcp_max_streams, 1, 10'000'000, "a number of streams"},
    {"hep_bind_port", &settings::hep_bind_port, 1, 65535, "a port"},
    {"hep_max_clients", &settings::hep_max_clients, 1, 65536, "a number of clients"},
    {"hep_max_message", &settings::hep_max_message, 64, 65535, "a size in bytes"},
};

struct bool_key {
  std::string_view name;
  bool settings::*field;
};
constexpr bool_key bool_keys[] = {
    {"hep", &settings::hep},
    {"hep_bind_udp", &settings::hep_bind_udp},
    {"hep_bind_tcp", &settings::hep_bind_tcp},
};

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

std::optional<std::string> parse_number(std::string_view v, const number_key& k, uint32_t& out) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || v[0] == '-' || v[0] == '+')
    return std::string("expected ") + k.what + ", got " + quoted(v);
  if (n < k.min || n > k.max)
    return "value " + std::to_string(n) + " is out of range " + std::to_string(k.min) + ".." +
           std::to_string(k.max);
  out = static_cast<uint32_t>(n);
  return std::nullopt;
}

}  // namespace

bool is_tunnel_key(std::string_view k) {
  for (const auto& n : number_keys)
    if (k == n.name)
      return true;
  for (const auto& b : bool_keys)
    if (k == b.name)
      return true;
  return k == "hep_bind" || k == "l2tp_cookie_length";
}

std::optional<std::string> apply_tunnel_setting(settings& s, std::string_view k,
                                                std::string_view v, bool& known_key) {
  known_key = true;
  for (const auto& n : number_keys)
    if (k == n.name)
      return parse_number(v, n, s.*(n.field));
  for (const auto& b : bool_keys)
    if (k == b.name) {
      const std::string x = core::text::lower_copy(v);
      if (x == "yes" || x == "true" || x == "1" || x == "on")
        s.*(b.field) = true;
      else if (x == "no" || x == "false" || x == "0" || x == "off")
        s.*(b.field) = false;
      else
        return "expected yes or no, got " + quoted(v);
      return std::nullopt;
    }
  if (k == "hep_bind") {
    if (v.empty())
      return std::string("expected an IPv4 or IPv6 address to listen on, e.g. 0.0.0.0 or ::");
    s.hep_bind = std::string(v);
    return std::nullopt;
  }
  if (k == "l2tp_cookie_length") {
    const std::string x = core::text::lower_copy(v);
    if (x == "auto") {
      s.l2tp_cookie_length = -1;
      return std::nullopt;
    }
    if (x == "0" || x == "4" || x == "8") {
      s.l2tp_cookie_length = x[0] - '0';
      return std::nullopt;
    }
    return "expected auto, 0, 4 or 8, got " + quoted(v);
  }
  known_key = false;
  return std::nullopt;
}

core::decoder_limits decoder_limits_from(const settings& s) {
  core::decoder_limits l;
  l.vxlan_port = static_cast<uint16_t>(s.udp_port_vxlan);
  l.tzsp_port = static_cast<uint16_t>(s.udp_port_tzsp);
  l.l2tp_port = static_cast<uint16_t>(s.udp_port_l2tp);
  l.gtp_port = static_cast<uint16_t>(s.udp_port_gtp);
  l.hep_port = static_cast<uint16_t>(s.udp_port_hep);
  l.l2tp_cookie_length = s.l2tp_cookie_length;
  return l;
}

core::tcp_limits tcp_limits_from(const settings& s) {
  core::tcp_limits t;
  t.max_stream_bytes = size_t{s.tcp_max_stream_kb} * 1024;
  t.max_total_bytes = size_t{s.tcp_max_total_mb} * 1024 * 1024;
  t.max_streams = s.tcp_max_streams;
  return t;
}

}  // namespace voxmon::config
