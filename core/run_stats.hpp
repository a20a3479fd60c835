#pragma once
// Counters of one run, filled along the pipeline (capture -> router -> writer) and printed as
// the summary line.
#include <array>
#include <cstdint>
#include <string>

#include "core/decoded_packet.hpp"

namespace voxmon::core {

struct run_stats {
  // capture
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t ip_in_ip = 0;
  uint64_t reassembled = 0;
  std::array<uint64_t, drop_reason_count> decode_drops{};
  // router
  uint64_t sip_messages = 0;
  uint64_t sip_bad = 0;            // payload on a SIP port that did not parse as SIP
  uint64_t sip_outside_call = 0;   // in-dialog SIP whose INVITE was never seen
  uint64_t sip_non_call = 0;       // REGISTER, OPTIONS, SUBSCRIBE, NOTIFY, MESSAGE, ...
  uint64_t rtp_packets = 0;
  uint64_t rtcp_packets = 0;
  uint64_t unmatched_udp = 0;      // UDP that is neither SIP nor an announced media endpoint
  uint64_t other_packets = 0;      // TCP/SCTP/other that is not SIP
  uint64_t calls = 0;
  // writer
  uint64_t cdrs_written = 0;
  uint64_t cdr_errors = 0;

  // "packets=.. bytes=.. sip=.. rtp=.. calls=.. cdrs=.. drops: truncated=.. ..."
  std::string summary_fields() const;
};

}  // namespace voxmon::core
