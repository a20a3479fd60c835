#include "core/spool_path.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace voxmon::core {

namespace {

bool keep(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '-' || c == '.' || c == '@';
}

}  // namespace

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string make_fbasename(std::string_view call_id) {
  std::string out;
  out.reserve(call_id.size() + 17);
  bool changed = false;  // a byte other than '_' became '_': another Call-ID may give this name
  for (unsigned char c : call_id) {
    const bool k = keep(c);
    changed |= !k && c != '_';
    out += k ? static_cast<char>(c) : '_';
  }
  if (out.empty() || out == "." || out == "..") {
    out.assign(out.size() ? out.size() : 1, '_');
    changed = true;
  }
  if (changed || out.size() > max_fbasename) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(call_id)));
    out.resize(std::min(out.size(), max_fbasename - 17));
    out += '_';
    out += hex;
  }
  return out;
}

std::string spool_minute(timestamp_ns t) {
  const std::time_t secs = static_cast<std::time_t>((t >= 0 ? t : t - (ns_per_second - 1)) / ns_per_second);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min);
  return buf;
}

const char* spool_kind_dir(spool_kind k) { return k == spool_kind::sip ? "SIP" : "RTP"; }

std::filesystem::path spool_file_path(const std::filesystem::path& spooldir, timestamp_ns calldate,
                                      std::string_view fbasename, spool_kind kind,
                                      std::string_view extension) {
  std::string name(fbasename);
  name += extension;
  return spooldir / spool_minute(calldate) / spool_kind_dir(kind) / name;
}

}  // namespace voxmon::core
