#pragma once
// IPv4/IPv6 fragment reassembly with bounded memory and packet-time expiry. Used by
// packet_decoder only on the fragment path; the fast path never touches it.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/packet_batch.hpp"
#include "core/packet_decoder.hpp"

namespace voxmon::core {

// RFC 791 / RFC 8200 reassembly key (protocol kept for IPv6 too: a mismatch never completes).
struct fragment_key {
  ip_address src;
  ip_address dst;
  uint32_t id = 0;
  uint8_t proto = 0;
  friend bool operator==(const fragment_key&, const fragment_key&) = default;
};

// The captured frames of a datagram's fragments (all but the one that completed it), kept so
// that the per-call pcap files can hold every fragment of a reassembled SIP message.
struct fragment_frames {
  std::vector<uint8_t> bytes;         // the frames back to back
  std::vector<frame_record> frames;   // offset into `bytes`, in arrival order
  void clear() { bytes.clear(); frames.clear(); }
};

struct fragment_key_hash {
  size_t operator()(const fragment_key& k) const noexcept;
};

enum class fragment_result : uint8_t {
  stored,    // kept (or a duplicate of bytes already held); datagram still incomplete
  complete,  // datagram appended to the arena
  overflow,  // memory or datagram-count bound reached: fragment dropped
  invalid,   // beyond 64 KiB or contradicting the datagram's known end: fragment dropped
};

class fragment_reassembler {
 public:
  explicit fragment_reassembler(const decoder_limits& limits) : limits_(limits) {}

  // Adds the fragment carrying bytes [offset, offset + data.size()) of the datagram's payload.
  // `more` is the MF flag. On `complete` the whole payload was appended to `arena` at
  // `arena_offset` with `length` bytes. The bytes of `data` are copied before the arena grows,
  // so `data` may point into `arena`. Overlaps keep the bytes that arrived first.
  // `frame` (the captured frame, `wirelen` its length on the wire) is kept with the datagram
  // when not empty; its bytes count against max_fragment_bytes. On `complete`,
  // completed_frames() holds the kept frames of the earlier fragments (not this one).
  fragment_result add(const fragment_key& key, uint32_t offset, bool more,
                      std::span<const uint8_t> data, timestamp_ns ts,
                      std::vector<uint8_t>& arena, uint32_t& arena_offset, uint32_t& length,
                      std::span<const uint8_t> frame = {}, uint32_t wirelen = 0);

  // The earlier fragments' frames of the datagram the last `complete` returned.
  const fragment_frames& completed_frames() const { return completed_; }

  // Forgets datagrams whose first fragment is more than `timeout` older than `now`. Returns
  // the number of fragments they held.
  uint64_t expire(timestamp_ns now, timestamp_ns timeout);

  bool empty() const { return datagrams_.empty(); }
  size_t datagrams() const { return datagrams_.size(); }
  size_t bytes_held() const { return bytes_held_; }

 private:
  struct datagram {
    timestamp_ns first_ts = 0;
    std::vector<uint8_t> data;                         // payload bytes at their offsets
    std::vector<std::pair<uint32_t, uint32_t>> have;  // received [begin, end), sorted, merged
    uint32_t total = 0;                                // payload length, once the last is seen
    bool have_last = false;
    uint32_t fragments = 0;
    fragment_frames frames;                            // captured frames kept so far
  };

  static void copy_gaps(datagram& d, uint32_t begin, uint32_t end, const uint8_t* src);
  static void mark(datagram& d, uint32_t begin, uint32_t end);

  decoder_limits limits_;
  size_t bytes_held_ = 0;
  fragment_frames completed_;
  std::unordered_map<fragment_key, datagram, fragment_key_hash> datagrams_;
};

}  // namespace voxmon::core
