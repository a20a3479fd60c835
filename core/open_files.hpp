#pragma once
// The process's limit of open files (RLIMIT_NOFILE) and the spool writers' share of it. Every
// open call keeps its SIP and RTP pcaps open; beyond a writer's share, the least recently used
// file is closed and reopened for its next packets, so a share below the open calls' files
// turns every few packets into a close, an open and a small write. Debian's default soft limit
// is 1024; VoIPmonitor raises it (openfile_max), and so does voxmon.
#include <cstddef>
#include <cstdint>
#include <string>

namespace voxmon::core {

struct open_file_limits {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Files kept for the rest of the process (sockets, the store, the capture, GUI connections).
inline constexpr uint64_t reserved_open_files = 512;
inline constexpr uint64_t default_open_file_limit = 65536;
inline constexpr size_t max_files_per_spool_writer = 16384;  // keeps the LRU scan short

// Raises the soft limit to `wanted` (0: default_open_file_limit), or to the hard limit when
// that is lower; never lowers it. Returns the limits in force afterwards; `warning` says why
// `wanted` was not reached (empty otherwise).
open_file_limits raise_open_file_limit(uint64_t wanted, std::string& warning);

// Open pcap files each of `writers` spool writers may keep under a soft limit of `limit`.
size_t spool_files_per_writer(uint64_t limit, size_t writers);

}  // namespace voxmon::core
