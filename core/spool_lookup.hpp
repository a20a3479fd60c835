#pragma once
// Finding a call's spool files and merging them into one pcap: the library behind
// `voxmon pcap CALLID` (and, later, the GUI's download button).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

struct spool_call_files {
  std::string fbasename;
  std::vector<std::filesystem::path> sip, rtp;  // existing files, .pcap or .pcap.gz
  bool empty() const { return sip.empty() && rtp.empty(); }
};

// The files of `call_id`. With `calldate` (from the CDR store) only that minute is looked at;
// without it every minute of the spool index is (no walk of the tree beyond the index, unless
// the index file is missing).
spool_call_files find_call_files(const std::filesystem::path& spooldir, std::string_view call_id,
                                 std::optional<timestamp_ns> calldate = std::nullopt);

// Writes one pcap (nanosecond timestamps) holding every packet of `files` in time order (a
// stable merge: equal timestamps keep SIP before RTP and file order). false + error when a file
// cannot be read, the link types differ, or the output cannot be written.
bool merge_call_pcap(const std::vector<std::filesystem::path>& files, std::FILE* out,
                     std::string& error, size_t* packets = nullptr);

}  // namespace voxmon::core
