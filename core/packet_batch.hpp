#pragma once
// A batch of captured frames and the packets decoded from them, built by the capture side and
// then shared read-only (one allocation per block, never one per packet) with the router and
// every call actor that has packets in it.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/decoded_packet.hpp"

namespace voxmon::core {

struct frame_record {
  timestamp_ns ts = 0;
  uint32_t offset = 0;   // into packet_batch::raw
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
};

// What the capture side could tell about a packet's payload without call state.
enum class payload_class : uint8_t {
  sip,      // on a SIP port or shaped like SIP
  datagram, // UDP that is not SIP: RTP if a call's SDP announced its endpoint
  rtcp,     // UDP that is not SIP and is shaped like RTCP (RFC 5761 payload types 192-207)
  other,    // anything else (not analysed)
};

struct packet_batch {
  int link_type = 1;
  uint32_t id_sensor = 0;
  std::vector<uint8_t> raw;             // captured frames, back to back
  std::vector<frame_record> frames;
  std::vector<uint8_t> arena;           // payloads reassembled from fragments
  std::vector<decoded_packet> packets;  // in capture order
  std::vector<payload_class> classes;   // one per packet

  std::span<const uint8_t> payload(const decoded_packet& p) const {
    const auto& buf = p.payload_in_arena ? arena : raw;
    const uint32_t base = p.payload_in_arena ? 0 : frames[p.frame_index].offset;
    return {buf.data() + base + p.payload_offset, p.payload_length};
  }
  std::span<const uint8_t> frame(uint32_t index) const {
    const auto& f = frames[index];
    return {raw.data() + f.offset, f.caplen};
  }
};

using batch_ptr = std::shared_ptr<const packet_batch>;

}  // namespace voxmon::core
