#include "config/live_settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/pcap_live_source.hpp"

namespace voxmon::config {

namespace {

constexpr std::string_view live_keys[] = {"interface", "filter",       "promisc",     "snaplen",
                                          "ringbuffer", "deduplicate", "metrics_bind", "run_as_user",
                                          "pidfile"};

std::optional<bool> boolean(std::string_view v) {
  std::string l(v);
  for (auto& c : l)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "yes" || l == "true" || l == "1" || l == "on")
    return true;
  if (l == "no" || l == "false" || l == "0" || l == "off")
    return false;
  return std::nullopt;
}

std::optional<std::string> number(std::string_view v, uint32_t min, uint32_t max, const char* what,
                                  uint32_t& out) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size())
    return "expected " + std::string(what) + ", got '" + std::string(v) + "'";
  if (n < min || n > max)
    return "value " + std::string(v) + " is out of range " + std::to_string(min) + ".." + std::to_string(max);
  out = static_cast<uint32_t>(n);
  return std::nullopt;
}

}  // namespace

bool is_live_key(std::string_view k) {
  return std::find(std::begin(live_keys), std::end(live_keys), k) != std::end(live_keys);
}

std::optional<bind_address> parse_bind_address(std::string_view text, std::string& reason) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    reason = "expected HOST:PORT (e.g. 127.0.0.1:9108), got '" + std::string(text) + "'";
    return std::nullopt;
  }
  bind_address a;
  a.host = std::string(text.substr(0, colon));
  uint32_t port = 0;
  if (auto e = number(text.substr(colon + 1), 0, 65535, "a port number (0 = any free port)", port)) {
    reason = *e;
    return std::nullopt;
  }
  a.port = static_cast<uint16_t>(port);
  return a;
}

std::optional<std::string> apply_live_setting(settings& s, std::string_view k, std::string_view v,
                                              bool& known_key) {
  known_key = is_live_key(k);
  if (!known_key)
    return std::nullopt;
  if (k == "interface") {
    std::string reason;
    if (!core::parse_interface_list(std::string(v), reason))
      return reason;
    s.interface = std::string(v);
    return std::nullopt;
  }
  if (k == "filter") {
    s.filter = std::string(v);
    return std::nullopt;
  }
  if (k == "promisc" || k == "deduplicate") {
    auto b = boolean(v);
    if (!b)
      return "expected yes or no, got '" + std::string(v) + "'";
    (k == "promisc" ? s.promisc : s.deduplicate) = *b;
    return std::nullopt;
  }
  if (k == "snaplen")
    return number(v, 64, 262144, "a number of bytes", s.snaplen);
  if (k == "ringbuffer")
    return number(v, 1, 2000, "a number of MB", s.ringbuffer);
  if (k == "metrics_bind") {
    std::string reason;
    if (!v.empty() && !parse_bind_address(v, reason))
      return reason;
    s.metrics_bind = std::string(v);
    return std::nullopt;
  }
  if (k == "run_as_user") {
    s.run_as_user = std::string(v);
    return std::nullopt;
  }
  s.pidfile = std::string(v);  // pidfile
  return std::nullopt;
}

}  // namespace voxmon::config
