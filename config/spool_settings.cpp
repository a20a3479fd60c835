#include "config/spool_settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace voxmon::config {

namespace {

constexpr std::string_view spool_keys[] = {"savesip", "savertp", "savertcp", "spooldir",
                                           "maxpoolsize", "maxpooldays", "pcap_compress",
                                           "pcap_dump_zip", "spool_writers", "openfile_max"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<bool> boolean(std::string_view v) {
  const std::string l = lower(v);
  if (l == "yes" || l == "true" || l == "1" || l == "on")
    return true;
  if (l == "no" || l == "false" || l == "0" || l == "off")
    return false;
  return std::nullopt;
}

std::optional<std::string> number(std::string_view v, uint32_t max, const char* what, uint32_t& out) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || !std::isdigit(static_cast<unsigned char>(v[0])))
    return "expected " + std::string(what) + ", got '" + std::string(v) + "'";
  if (n > max)
    return "value " + std::string(v) + " is out of range 0.." + std::to_string(max);
  out = static_cast<uint32_t>(n);
  return std::nullopt;
}

}  // namespace

bool is_spool_key(std::string_view k) {
  return std::find(std::begin(spool_keys), std::end(spool_keys), k) != std::end(spool_keys);
}

std::optional<std::string> apply_spool_setting(settings& s, std::string_view k, std::string_view v,
                                               bool& known_key) {
  known_key = is_spool_key(k);
  if (!known_key)
    return std::nullopt;
  if (k == "savesip" || k == "savertcp") {
    auto b = boolean(v);
    if (!b)
      return "expected yes or no, got '" + std::string(v) + "'";
    (k == "savesip" ? s.savesip : s.savertcp) = *b;
    return std::nullopt;
  }
  if (k == "savertp") {
    if (lower(v) == "header") {
      s.savertp = save_rtp::header;
      return std::nullopt;
    }
    auto b = boolean(v);
    if (!b)
      return "expected yes, no or header, got '" + std::string(v) + "'";
    s.savertp = *b ? save_rtp::yes : save_rtp::no;
    return std::nullopt;
  }
  if (k == "spooldir") {
    if (v.empty())
      return std::string("needs a directory path");
    s.spooldir = std::string(v);
    return std::nullopt;
  }
  if (k == "maxpoolsize")
    return number(v, 1u << 30, "a size in MB (0 = no limit)", s.maxpoolsize);
  if (k == "maxpooldays")
    return number(v, 36500, "a number of days (0 = no limit)", s.maxpooldays);
  if (k == "spool_writers")
    return number(v, 64, "a number of writers (0 = automatic)", s.spool_writers);
  if (k == "openfile_max")
    return number(v, 1u << 24, "a number of open files (0 = 65536)", s.openfile_max);
  // pcap_compress (voxmon) and pcap_dump_zip (VoIPmonitor): no | gzip (yes = gzip).
  const std::string l = lower(v);
  if (l == "no" || l == "none" || l == "0" || l == "false" || l == "off") {
    s.pcap_compress = "no";
    return std::nullopt;
  }
  if (l == "gzip" || l == "gz" || l == "yes" || l == "1" || l == "true" || l == "on") {
    s.pcap_compress = "gzip";
    return std::nullopt;
  }
  return "expected no or gzip, got '" + std::string(v) + "'";
}

}  // namespace voxmon::config
