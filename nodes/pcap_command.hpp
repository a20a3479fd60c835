#pragma once
// `voxmon [--config-file FILE] pcap CALLID [-o FILE] [--spooldir DIR] [--db SPEC]`: one merged
// pcap (SIP and RTP in time order) of a call from the spool, to FILE or standard output.
#include <optional>

namespace voxmon::nodes {

// When argv is the pcap subcommand: runs it and returns its exit code (0, 1 = unknown Call-ID
// or unreadable files, 2 = usage); nullopt otherwise.
std::optional<int> run_pcap_subcommand(int argc, const char* const* argv);

}  // namespace voxmon::nodes
