#pragma once
// The per-call pcap keys (savesip, savertp, savertcp, spooldir, maxpoolsize, maxpooldays,
// pcap_compress / pcap_dump_zip, spool_writers): parsing used by apply_setting.
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace voxmon::config {

bool is_spool_key(std::string_view lower_key);
// Applies a spool key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_spool_setting(settings& s, std::string_view lower_key,
                                               std::string_view value, bool& known_key);
// True when any of savesip / savertp / savertcp asks for files.
inline bool spool_enabled(const settings& s) {
  return s.savesip || s.savertp != save_rtp::no || s.savertcp;
}

}  // namespace voxmon::config
