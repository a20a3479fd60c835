#include "config/cluster_settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/text.hpp"

namespace voxmon::config {
namespace {

constexpr std::string_view cluster_keys[] = {
    "max_buffer_mem", "mirror_compress_min_saving", "mirror_frame_kb", "packetbuffer_compress", "mirror_frame_ms", "mirror_window",
    "packetbuffer_file_path", "packetbuffer_file_totalmaxsize", "replay_speed",
    "packetbuffer_sender", "remote_pcap_max_mb", "remote_pcap_timeout", "sensor_name",
    "server_bind", "server_bind_port",
    "server_destination", "server_destination_port", "server_flush_timeout", "server_outbox",
    "server_password", "server_password_file", "server_upload_batch", "stay_joined", "tls_ca",
    "tls_cert", "tls_key"};

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

std::optional<uint32_t> number(std::string_view v, uint32_t min, uint32_t max) {
  auto n = core::text::parse_decimal(v, max);
  if (!n || *n < min)
    return std::nullopt;
  return static_cast<uint32_t>(*n);
}

std::optional<std::string> port(std::string_view v, uint32_t& out) {
  auto n = number(v, 1, 65535);
  if (!n)
    return "expected a TCP port 1..65535, got " + quoted(v);
  out = *n;
  return std::nullopt;
}

}  // namespace

bool is_cluster_key(std::string_view k) {
  return std::find(std::begin(cluster_keys), std::end(cluster_keys), k) != std::end(cluster_keys);
}

std::optional<std::string> apply_cluster_setting(settings& s, std::string_view k,
                                                 std::string_view v, bool& known_key) {
  known_key = true;
  if (k == "server_bind_port")
    return port(v, s.server_bind_port);
  if (k == "server_destination_port")
    return port(v, s.server_destination_port);
  if (k == "server_flush_timeout") {
    auto n = number(v, 1, 7 * 24 * 3600);
    if (!n)
      return "expected a number of seconds, got " + quoted(v);
    s.server_flush_timeout = *n;
    return std::nullopt;
  }
  if (k == "server_upload_batch") {
    auto n = number(v, 1, 100'000);
    if (!n)
      return "expected a number of CDRs 1..100000, got " + quoted(v);
    s.server_upload_batch = *n;
    return std::nullopt;
  }
  if (k == "packetbuffer_sender" || k == "packetbuffer_compress" || k == "stay_joined") {
    bool& flag = k == "packetbuffer_sender"     ? s.packetbuffer_sender
                 : k == "packetbuffer_compress" ? s.packetbuffer_compress
                                                : s.stay_joined;
    const std::string l = core::text::lower_copy(v);
    if (l == "no" || l == "false" || l == "0" || l == "off") {
      flag = false;
      return std::nullopt;
    }
    if (l == "yes" || l == "true" || l == "1" || l == "on") {
      flag = true;
      return std::nullopt;
    }
    return "expected yes or no, got " + quoted(v);
  }
  struct bounded {
    std::string_view key;
    uint32_t* field;
    uint32_t min, max;
    const char* unit;
  };
  const bounded numbers[] = {
    {"max_buffer_mem", &s.max_buffer_mem, 1, 1'000'000, "MB"},
    {"packetbuffer_file_totalmaxsize", &s.packetbuffer_file_totalmaxsize, 0, 100'000'000, "MB"},
    {"mirror_frame_kb", &s.mirror_frame_kb, 1, 65536, "KB"},
    {"mirror_compress_min_saving", &s.mirror_compress_min_saving, 0, 99, "percent"},
    {"mirror_frame_ms", &s.mirror_frame_ms, 1, 60'000, "ms"},
    {"mirror_window", &s.mirror_window, 1, 1024, "frames"},
    {"remote_pcap_max_mb", &s.remote_pcap_max_mb, 1, 1'048'576, "MB"},
    {"remote_pcap_timeout", &s.remote_pcap_timeout, 1, 3600, "seconds"},
  };
  for (const auto& b : numbers)
    if (k == b.key) {
      auto n = number(v, b.min, b.max);
      if (!n)
        return "expected " + std::to_string(b.min) + ".." + std::to_string(b.max) + " " + b.unit +
               ", got " + quoted(v);
      *b.field = *n;
      return std::nullopt;
    }
  if (k == "replay_speed") {
    char* end = nullptr;
    const std::string text(v);
    const double x = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(x >= 0) || x > 1e6)
      return "expected 0 (as fast as acknowledged) or a speed factor such as 1 (real time), got " +
             quoted(v);
    s.replay_speed = x;
    return std::nullopt;
  }
  std::string* text = nullptr;
  if (k == "server_bind") text = &s.server_bind;
  else if (k == "server_password") text = &s.server_password;
  else if (k == "server_password_file") text = &s.server_password_file;
  else if (k == "server_destination") text = &s.server_destination;
  else if (k == "sensor_name") text = &s.sensor_name;
  else if (k == "tls_cert") text = &s.tls_cert;
  else if (k == "tls_key") text = &s.tls_key;
  else if (k == "tls_ca") text = &s.tls_ca;
  else if (k == "server_outbox") text = &s.server_outbox;
  else if (k == "packetbuffer_file_path") text = &s.packetbuffer_file_path;
  if (!text) {
    known_key = false;
    return std::nullopt;
  }
  *text = std::string(v);
  if (k == "server_outbox" && v.empty())
    return std::string("server_outbox needs a file path");
  if (k == "server_destination") {
    std::string reason;
    if (!v.empty() && !parse_destinations(s, reason))
      return reason;
  }
  return std::nullopt;
}

std::optional<std::vector<host_port>> parse_destinations(const settings& s, std::string& reason) {
  std::vector<host_port> out;
  std::string_view rest = s.server_destination;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = core::text::trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) {
      reason = "empty entry in server_destination " + quoted(s.server_destination);
      return std::nullopt;
    }
    host_port hp;
    hp.port = static_cast<uint16_t>(s.server_destination_port);
    std::string_view host = item, port_text;
    if (item.front() == '[') {  // [IPv6]:port
      const size_t close = item.find(']');
      if (close == std::string_view::npos) {
        reason = "missing ']' in " + quoted(item);
        return std::nullopt;
      }
      host = item.substr(1, close - 1);
      if (close + 1 < item.size()) {
        if (item[close + 1] != ':') {
          reason = "expected ':port' after ']' in " + quoted(item);
          return std::nullopt;
        }
        port_text = item.substr(close + 2);
      }
    } else if (const size_t colon = item.find(':');
               colon != std::string_view::npos && item.find(':', colon + 1) == std::string_view::npos) {
      host = item.substr(0, colon);
      port_text = item.substr(colon + 1);
    }
    if (!port_text.empty()) {
      auto n = number(port_text, 1, 65535);
      if (!n) {
        reason = "expected a TCP port 1..65535 in " + quoted(item);
        return std::nullopt;
      }
      hp.port = static_cast<uint16_t>(*n);
    }
    if (host.empty()) {
      reason = "missing host name in " + quoted(item);
      return std::nullopt;
    }
    hp.host = std::string(host);
    out.push_back(std::move(hp));
  }
  if (out.empty()) {
    reason = "server_destination is empty";
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> server_password(const settings& s, std::string& reason) {
  if (!s.server_password_file.empty()) {
    std::ifstream in(s.server_password_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      reason = "cannot read server_password_file '" + s.server_password_file + "'";
      return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("VOXMON_SERVER_PASSWORD"))
    return std::string(env);
  return s.server_password;
}

bool is_server(const settings& s) { return !s.server_bind.empty(); }
bool is_sensor(const settings& s) { return !s.server_destination.empty(); }
bool is_mirror_sender(const settings& s) { return is_sensor(s) && s.packetbuffer_sender; }

}  // namespace voxmon::config
