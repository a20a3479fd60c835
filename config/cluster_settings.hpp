#pragma once
// The central node and remote sensor keys (server_bind, server_destination, server_password,
// TLS files, the sensor's outbox): parsing used by apply_setting, and the password lookup.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace voxmon::config {

bool is_cluster_key(std::string_view lower_key);
// Applies a cluster key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_cluster_setting(settings& s, std::string_view lower_key,
                                                 std::string_view value, bool& known_key);

struct host_port {
  std::string host;
  uint16_t port = 0;
};
// server_destination "a, b:6000, [::1]:7000" with server_destination_port as the default port.
std::optional<std::vector<host_port>> parse_destinations(const settings& s, std::string& reason);

// server_password_file (first line) when set, else VOXMON_SERVER_PASSWORD when set, else
// server_password. nullopt + reason when the file is unreadable.
std::optional<std::string> server_password(const settings& s, std::string& reason);

bool is_server(const settings& s);  // server_bind is set
bool is_sensor(const settings& s);  // server_destination is set
bool is_mirror_sender(const settings& s);  // a sensor with packetbuffer_sender = yes

}  // namespace voxmon::config
