#pragma once
// Counters of one run, filled along the pipeline (capture -> router -> writer) and printed as
// the summary line.
#include <array>
#include <cstdint>
#include <string>

#include "core/decoded_packet.hpp"
#include "core/packet_decoder.hpp"

namespace voxmon::core {

struct run_stats {
  // capture
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t ip_in_ip = 0;
  uint64_t reassembled = 0;
  std::array<uint64_t, drop_reason_count> decode_drops{};
  std::array<uint64_t, tunnel_kind_count> decapsulated{};  // packets taken out of each tunnel kind
  uint64_t tcp_messages = 0;         // SIP messages framed from TCP streams (WebSocket included)
  uint64_t websocket_messages = 0;   // of which carried in WebSocket frames
  uint64_t sctp_messages = 0;        // SCTP DATA chunks handed on as messages
  uint64_t tcp_retransmissions = 0;  // segments whose bytes were all seen before
  uint64_t tcp_out_of_order = 0;     // segments held until an earlier gap filled
  uint64_t tcp_gaps = 0;             // streams resynchronised after lost or non-SIP bytes
  uint64_t tcp_overflow = 0;         // reassembly memory bound reached
  // HEP listener (hep = yes)
  uint64_t hep_udp = 0;              // HEP datagrams received
  uint64_t hep_tcp = 0;              // HEP3 messages framed from TCP clients
  uint64_t hep_bad = 0;              // datagrams that were not HEP (dropped)
  uint64_t hep_clients = 0;          // TCP clients accepted
  uint64_t hep_clients_dropped = 0;  // clients cut off: garbage, oversize message, too many clients
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

  // Adds every counter of `other` (the pipeline stages fill disjoint counters, so merging the
  // capture's, the router's and several sources' statistics is a plain sum).
  run_stats& operator+=(const run_stats& other);
};

}  // namespace voxmon::core
