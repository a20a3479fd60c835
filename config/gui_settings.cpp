// The web GUI keys: gui_bind, gui_bind_port, gui_tls_cert, gui_tls_key, gui_session_hours,
// gui_number_index_calls.
#include "config/gui_settings.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace voxmon::config {

namespace {

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

std::optional<std::string> parse_number(std::string_view v, uint32_t min, uint32_t max,
                                        const char* what, uint32_t& out) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size())
    return std::string("expected ") + what + ", got " + quoted(v);
  if (n < min || n > max)
    return "value " + std::to_string(n) + " is out of range " + std::to_string(min) + ".." +
           std::to_string(max);
  out = static_cast<uint32_t>(n);
  return std::nullopt;
}

// An IPv4 or IPv6 address literal, or "localhost".
bool is_bind_address(std::string_view v) {
  if (v == "localhost")
    return true;
  const std::string s(v);
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

bool is_gui_key(std::string_view k) {
  return k == "gui_bind" || k == "gui_bind_port" || k == "gui_tls_cert" || k == "gui_tls_key" ||
         k == "gui_session_hours" || k == "gui_number_index_calls";
}

std::optional<std::string> apply_gui_setting(settings& s, std::string_view k, std::string_view v,
                                             bool& known_key) {
  known_key = is_gui_key(k);
  if (!known_key)
    return std::nullopt;
  if (k == "gui_bind") {
    if (!v.empty() && !is_bind_address(v))
      return "expected an IPv4 or IPv6 address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::), got " +
             quoted(v);
    s.gui_bind = std::string(v);
    return std::nullopt;
  }
  if (k == "gui_bind_port")
    return parse_number(v, 1, 65535, "a TCP port", s.gui_bind_port);
  if (k == "gui_number_index_calls")
    return parse_number(v, 0, 100'000'000, "a number of calls (0..100000000, 0 = none)", s.gui_number_index_calls);
  if (k == "gui_session_hours")
    return parse_number(v, 1, 24 * 30, "a number of hours (1..720)", s.gui_session_hours);
  (k == "gui_tls_cert" ? s.gui_tls_cert : s.gui_tls_key) = std::string(v);
  return std::nullopt;
}

bool is_gui(const settings& s) { return !s.gui_bind.empty(); }

std::string check_gui_settings(const settings& s) {
  if (s.gui_tls_cert.empty() != s.gui_tls_key.empty())
    return "gui_tls_cert and gui_tls_key go together: give both (HTTPS) or neither (HTTP)";
  return {};
}

}  // namespace voxmon::config
