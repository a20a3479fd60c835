#pragma once
// A batch of captured frames and the packets decoded from them, built by the capture side and
// then shared read-only (one allocation per block, never one per packet) with the router and
// every call actor that has packets in it.
#include <algorithm>
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

// The earlier IP fragments of packet `packet` (a reassembled datagram; its completing frame is
// frames[packet.frame_index]): fragment_frames[first, first + count).
struct fragment_list {
  uint32_t packet = 0;
  uint32_t first = 0;
  uint32_t count = 0;
};

struct packet_batch {
  int link_type = 1;
  uint32_t id_sensor = 0;
  // Where the batch's first packet came from in its source, when the source can go back there
  // (a mirror stream: the frame's sequence number). The router keeps, per open call, the mark
  // of the batch that created it, so a mirror receiver knows which frames its open calls need.
  uint64_t source_mark = 0;
  std::vector<uint8_t> raw;             // captured frames, back to back
  std::vector<frame_record> frames;
  std::vector<uint8_t> arena;           // payloads reassembled from fragments
  std::vector<decoded_packet> packets;  // in capture order
  std::vector<payload_class> classes;   // one per packet
  // Frames of IP fragments that came before the frame completing a datagram (they may belong to
  // earlier batches, so they are copied here); only filled on the fragment path.
  std::vector<uint8_t> fragment_raw;
  std::vector<frame_record> fragment_frames;  // offset into fragment_raw
  std::vector<fragment_list> fragment_lists;  // sorted by packet

  // The earlier fragment frames of packet `index` (empty for almost every packet).
  std::span<const frame_record> earlier_fragments(uint32_t index) const {
    if (fragment_lists.empty())
      return {};
    auto it = std::lower_bound(fragment_lists.begin(), fragment_lists.end(), index,
                               [](const fragment_list& l, uint32_t i) { return l.packet < i; });
    if (it == fragment_lists.end() || it->packet != index)
      return {};
    return {fragment_frames.data() + it->first, it->count};
  }
  std::span<const uint8_t> fragment_frame(const frame_record& f) const {
    return {fragment_raw.data() + f.offset, f.caplen};
  }

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
