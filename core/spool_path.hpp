#pragma once
// Where a call's pcap files live, as VoIPmonitor lays them out:
//   spooldir/YYYY-MM-DD/HH/MM/SIP/<fbasename>.pcap   and   .../RTP/<fbasename>.pcap
// The minute is the call's start (calldate, UTC). fbasename is the Call-ID made safe for a file
// name. Pure functions: no I/O.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/net_types.hpp"

namespace voxmon::core {

enum class spool_kind : uint8_t { sip, rtp };

// Longest fbasename: leaves room for ".pcap.gz" and any suffix within a 255-byte file name.
constexpr size_t max_fbasename = 200;

// The Call-ID with every byte outside [A-Za-z0-9:-.@_] replaced by '_'. When a byte was replaced
// (so that "a b", "a;b" and "a_b" cannot share a file, nor a cdr_next key), or the name is
// longer than max_fbasename: the name (cut to max_fbasename - 17 characters), '_' and 16 hex
// digits of a 64-bit FNV-1a hash of the whole Call-ID. A Call-ID of safe characters only (the
// usual case) is its own fbasename. "", "." and ".." become "_", "_" and "__" plus the hash,
// so no name points at a directory.
std::string make_fbasename(std::string_view call_id);

// FNV-1a 64 (stable across runs and machines: also used to pick a spool_writer of the pool).
uint64_t fnv1a64(std::string_view s);

// "YYYY-MM-DD/HH/MM" (UTC) of the minute holding `t`.
std::string spool_minute(timestamp_ns t);

// "SIP" or "RTP".
const char* spool_kind_dir(spool_kind k);

// spooldir / spool_minute(calldate) / SIP|RTP / fbasename + extension (".pcap", ".pcap.gz").
std::filesystem::path spool_file_path(const std::filesystem::path& spooldir, timestamp_ns calldate,
                                      std::string_view fbasename, spool_kind kind,
                                      std::string_view extension);

}  // namespace voxmon::core
