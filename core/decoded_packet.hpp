#pragma once
// What the capture side knows about one packet after decoding L2-L4.
#include "core/net_types.hpp"

namespace voxmon::core {

enum class l4_protocol : uint8_t { udp, tcp, sctp, other };

// Why a frame did not yield a usable packet. Every drop is counted by reason.
enum class drop_reason : uint8_t {
  truncated,            // frame shorter than a header it announces
  unsupported_link,     // link type voxmon does not decode
  not_ip,               // ARP, LLDP, STP ... (not an error, but not analysable)
  bad_ip_header,        // IPv4/IPv6 header fails validation
  fragment_overflow,    // reassembly memory or count bound reached
  fragment_timeout,     // fragments that never completed (counted when they expire)
  tunnel_depth,         // encapsulation nested deeper than the bound
  count_                // number of reasons (not a reason)
};
constexpr size_t drop_reason_count = static_cast<size_t>(drop_reason::count_);
const char* to_string(drop_reason r);

// One decoded packet. Its payload lives in the batch that holds the packet: either inside the
// captured frame (raw buffer) or, for reassembled datagrams, in the batch's arena.
struct decoded_packet {
  timestamp_ns ts = 0;
  uint32_t frame_index = 0;     // index of the captured frame this packet completed
  endpoint src;
  endpoint dst;
  l4_protocol proto = l4_protocol::other;
  bool has_vlan = false;
  uint16_t vlan = 0;            // innermost 802.1Q VLAN id seen on the way in
  bool payload_in_arena = false;
  uint32_t payload_offset = 0;  // into the raw buffer or the arena
  uint32_t payload_length = 0;
};

}  // namespace voxmon::core
