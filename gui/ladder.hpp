#pragma once
// The SIP ladder of a call, read from its SIP pcap file(s) in the spool: hosts (IP:port) as
// columns in order of appearance, messages in time order with their full text. SIP over UDP
// and over TCP (reassembled with core's tcp_reassembler).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace voxmon::gui {

struct ladder_message {
  int64_t ts_ns = 0;
  std::string src, dst;        // "10.0.0.1:5060", "[2001:db8::1]:5060"
  size_t src_col = 0, dst_col = 0;
  bool request = false;
  std::string label;           // "INVITE", "200 OK"
  std::string cseq;            // "1 INVITE"
  std::string transport;       // "UDP", "TCP"
  std::string text;            // the whole message (cut at 64 KB)
};

struct call_ladder {
  std::vector<std::string> hosts;
  std::vector<ladder_message> messages;
  size_t packets = 0;          // packets read from the files
  size_t not_sip = 0;          // packets that held no parsable SIP
  bool truncated = false;      // more than max_ladder_messages
};

inline constexpr size_t max_ladder_messages = 5000;

// false + error when a file cannot be read.
bool build_ladder(const std::vector<std::filesystem::path>& sip_files, call_ladder& out,
                  std::string& error);

}  // namespace voxmon::gui
