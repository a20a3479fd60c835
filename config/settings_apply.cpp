// apply_setting: one `key = value` checked and stored; parse_port_list; is_sip_port.
#include <algorithm>
#include "core/text.hpp"
#include <iterator>
#include <cctype>
#include <charconv>
#include <string_view>

#include "config/cluster_settings.hpp"
#include "config/gui_settings.hpp"
#include "config/settings.hpp"
#include "config/spool_settings.hpp"
#include "config/store_settings.hpp"
#include "config/tunnel_settings.hpp"
#include "config/live_settings.hpp"

namespace voxmon::config {
namespace {

constexpr uint32_t max_timeout_seconds = 30u * 24 * 3600;  // 30 days

// VoIPmonitor keys that voxmon knows but does not implement yet (sorted: binary search).
constexpr std::string_view ignored_keys[] = {
    "autocleanspool", "autocleanspoolminpercent", "cachedir", "callidmerge_header",
    "cdr_rtpport", "cdr_rtpsrcport", "cdr_sipport", "cdr_ua_enable", "cdrproxy",
    "cleandatabase_cdr", "convert_dlt_sll2en10", "custom_headers_cdr",
    "custom_headers_message", "destroy_call_at_bye", "dscp",
    "ipaccount", "managerip", "managerport", "matchheader", "max_buffer_mem", "maxpcapsize",
    "maxpoolrtpdays", "maxpoolrtpsize", "maxpoolsipdays", "maxpoolsipsize",
    "mirror_bind_ip", "mirror_bind_port", "mirror_destination_ip",
    "mirror_destination_port", "mos_g729", "mos_lqo", "mysqlcompress", "mysqlloadconfig", "mysqlsocket", "natalias",
    "nocdr", "onewaytimeout", "packetbuffer_compress", "packetbuffer_enable",
    "pcapcommand", "query_cache",
    "rtpthreads", "saveaudio", "savegraph",
    "saveudptl", "sip-register", "sipoverlap", "skinny",
    "sqldriver", "ssl", "t2_boost", "tar", "threading_expanded",
    "timezone", "udpfrag", "utc", "vlan_siprtpsame", "vmbuffer",
};
static_assert(std::is_sorted(std::begin(ignored_keys), std::end(ignored_keys)));

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

using core::text::lower_copy;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Digits only (no sign, no spaces); nullopt on anything else or on overflow.
std::optional<uint64_t> parse_unsigned(std::string_view s) {
  if (s.empty() || s.size() > 19)
    return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || !is_digit(s[0]))
    return std::nullopt;
  return v;
}

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

// A number in [min, max]; `what` names the unit in messages ("a number of seconds").
std::optional<std::string> parse_bounded(std::string_view text, uint64_t min, uint64_t max,
                                         const char* what, uint32_t& out) {
  auto v = parse_unsigned(text);
  if (!v) {
    if (all_digits(text))
      return "value " + quoted(text) + " is too large (at most " + std::to_string(max) + ")";
    return std::string("expected ") + what + ", got " + quoted(text);
  }
  if (*v < min || *v > max)
    return "value " + std::to_string(*v) + " is out of range " + std::to_string(min) + ".." +
           std::to_string(max);
  out = static_cast<uint32_t>(*v);
  return std::nullopt;
}

std::optional<std::string> parse_bool(std::string_view text, bool& out) {
  const std::string v = lower_copy(text);
  if (v == "yes" || v == "true" || v == "1" || v == "on") {
    out = true;
    return std::nullopt;
  }
  if (v == "no" || v == "false" || v == "0" || v == "off") {
    out = false;
    return std::nullopt;
  }
  return "expected yes or no, got " + quoted(text);
}

std::optional<std::string> parse_db(std::string_view text, std::string& out) {
  if (text == "none" || (text.starts_with("sqlite:") && text.size() > 7)) {
    out = std::string(text);
    return std::nullopt;
  }
  if (text == "sqlite:")
    return std::string("'sqlite:' needs a file path, e.g. 'sqlite:/var/lib/voxmon/cdr.db'");
  return "expected 'none', 'sqlite:PATH' or 'mysql://...', got " + quoted(text);
}

struct timeout_key {
  std::string_view name;
  uint32_t settings::*field;
};
constexpr timeout_key timeout_keys[] = {
    {"rtptimeout", &settings::rtptimeout},
    {"sipwithoutrtptimeout", &settings::sipwithoutrtptimeout},
    {"absolute_timeout", &settings::absolute_timeout},
    {"bye_timeout", &settings::bye_timeout},
    {"auth_retry_timeout", &settings::auth_retry_timeout},
};

constexpr std::string_view other_supported[] = {
    "sipport", "id_sensor", "cdr_jsonl", "db", "threads", "scheduler", "batch_packets", "table_rows",
    "progress"};

}  // namespace

key_kind classify_key(const std::string& key) {
  const std::string k = lower_copy(key);
  if (is_store_key(k) || is_spool_key(k) || is_cluster_key(k) || is_tunnel_key(k) ||
      is_live_key(k) || is_gui_key(k))
    return key_kind::supported;
  for (const auto& t : timeout_keys)
    if (k == t.name)
      return key_kind::supported;
  for (auto name : other_supported)
    if (k == name)
      return key_kind::supported;
  if (std::binary_search(std::begin(ignored_keys), std::end(ignored_keys), std::string_view(k)))
    return key_kind::ignored;
  return key_kind::unknown;
}

std::optional<std::string> apply_setting(settings& s, const std::string& key,
                                         const std::string& value, bool& known_key) {
  const std::string k = lower_copy(key);
  const std::string_view v = trim(value);
  known_key = true;
  for (const auto& t : timeout_keys)
    if (k == t.name)
      return parse_bounded(v, 1, max_timeout_seconds, "a number of seconds", s.*(t.field));
  if (k == "sipport") {
    std::string reason;
    auto ports = parse_port_list(std::string(v), reason);
    if (!ports)
      return reason;
    s.sipport = std::move(*ports);
    return std::nullopt;
  }
  if (k == "id_sensor")
    return parse_bounded(v, 0, UINT32_MAX, "a sensor id (a non-negative integer)", s.id_sensor);
  if (k == "threads")
    return parse_bounded(v, 0, 1024, "a number of threads (0 = one per core)", s.threads);
  if (k == "scheduler") {
    const std::string l = lower_copy(std::string(v));
    if (l != "sharing" && l != "stealing")
      return "expected sharing or stealing, got '" + std::string(v) + "'";
    s.scheduler = l;
    return std::nullopt;
  }
  if (k == "batch_packets")
    return parse_bounded(v, 64, 1'000'000, "a number of packets", s.batch_packets);
  if (k == "table_rows")
    return parse_bounded(v, 0, 1'000'000, "a number of rows", s.table_rows);
  if (k == "progress")
    return parse_bool(v, s.progress);
  if (k == "db") {
    s.db_explicit = true;
    if (v.starts_with("mysql://"))
      return parse_mysql_url(v, s);
    return parse_db(v, s.db);
  }
  if (auto r = apply_store_setting(s, k, v, known_key); known_key)
    return r;
  if (auto r = apply_spool_setting(s, k, v, known_key); known_key)
    return r;
  if (auto r = apply_cluster_setting(s, k, v, known_key); known_key)
    return r;
  if (auto r = apply_tunnel_setting(s, k, v, known_key); known_key)
    return r;
  if (auto r = apply_live_setting(s, k, v, known_key); known_key)
    return r;
  if (auto r = apply_gui_setting(s, k, v, known_key); known_key)
    return r;
  known_key = true;
  if (k == "cdr_jsonl") {
    s.cdr_jsonl = std::string(v);
    return std::nullopt;
  }
  known_key = false;
  return std::nullopt;
}

std::optional<std::vector<port_range>> parse_port_list(const std::string& text,
                                                       std::string& reason) {
  std::vector<port_range> out;
  std::string_view rest = trim(text);
  if (rest.empty()) {
    reason = "empty port list";
    return std::nullopt;
  }
  auto port = [&](std::string_view p, const std::string_view item, uint16_t& dst) {
    p = trim(p);
    if (p.empty()) {
      reason = "missing port number in " + quoted(item);
      return false;
    }
    auto v = parse_unsigned(p);
    if (!v && all_digits(p))
      v = UINT64_MAX;  // too many digits: out of range
    if (!v) {
      reason = "expected a port number, got " + quoted(p);
      return false;
    }
    if (*v < 1 || *v > 65535) {
      reason = "port " + std::string(p) + " is out of range 1..65535";
      return false;
    }
    dst = static_cast<uint16_t>(*v);
    return true;
  };
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    if (item.empty()) {
      reason = "empty item in port list " + quoted(trim(text));
      return std::nullopt;
    }
    port_range r;
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!port(item, item, r.first))
        return std::nullopt;
      r.last = r.first;
    } else {
      if (!port(item.substr(0, dash), item, r.first) || !port(item.substr(dash + 1), item, r.last))
        return std::nullopt;
      if (r.first > r.last) {
        reason = "range " + quoted(item) + " is reversed (first port > last port)";
        return std::nullopt;
      }
    }
    out.push_back(r);
    if (comma == std::string_view::npos)
      break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

bool is_sip_port(const settings& s, uint16_t port) {
  for (const auto& r : s.sipport)
    if (port >= r.first && port <= r.last)
      return true;
  return false;
}

}  // namespace voxmon::config
