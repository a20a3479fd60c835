#pragma once
// The live capture and daemon keys (interface, filter, promisc, snaplen, ringbuffer,
// deduplicate, metrics_bind, run_as_user, pidfile): parsing used by apply_setting.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace voxmon::config {

bool is_live_key(std::string_view lower_key);
// Applies a live key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_live_setting(settings& s, std::string_view lower_key,
                                              std::string_view value, bool& known_key);

// "HOST:PORT" of metrics_bind (IPv4 address or "localhost"); nullopt + reason when malformed.
struct bind_address {
  std::string host;
  uint16_t port = 0;
};
std::optional<bind_address> parse_bind_address(std::string_view text, std::string& reason);

}  // namespace voxmon::config
