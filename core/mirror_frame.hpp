#pragma once
// A frame of a mirror stream (packetbuffer_sender = yes): captured packets back to back, each
// [time ns: u64][caplen: u32][wirelen: u32][caplen bytes] (little-endian), the whole block
// Snappy-compressed (raw format) or as it is; each frame says which. The sender only packs; the
// receiver unpacks and feeds the packets to its own capture-side pipeline, so they are decoded
// exactly as a local capture would decode them.
//
// When a frame is compressed (mirror_compression): never with packetbuffer_compress = no; and
// never when Snappy's block would not be smaller. Snappy spends about as much CPU on bytes it
// cannot shrink as on bytes it can: coded or encrypted speech saves 8-15 % (its headers) for
// ~30 % of the sender's CPU, G.711 with its silences ~60 %, SIP ~75 %. So a frame that saves
// less than min_saving_percent makes the packer send the next frames as they are, without
// trying, and try again every probe_every-th frame: on such traffic the sender pays for 1 frame
// in 16, and as soon as the traffic compresses again (within 16 frames) every frame is
// compressed again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

inline constexpr size_t mirror_record_header = 16;

struct mirror_compression {
  bool enabled = true;               // packetbuffer_compress
  unsigned min_saving_percent = 20;  // mirror_compress_min_saving: 0 = try every frame
  unsigned probe_every = 16;         // while frames do not save enough, try 1 frame in this many
};

// A finished frame's records: Snappy's block (`compressed`) or the records as they are.
struct packed_records {
  std::string_view bytes;
  bool compressed = false;
};

class mirror_frame_packer {
 public:
  explicit mirror_frame_packer(size_t max_raw_bytes = 1 << 20, mirror_compression c = {});
  // Appends a packet; false when it does not fit (take() the frame first). A packet bigger than
  // a whole frame still goes into an empty frame alone.
  bool add(timestamp_ns ts, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
  bool empty() const { return packets_ == 0; }
  size_t packets() const { return packets_; }
  size_t raw_bytes() const { return size_; }
  timestamp_ns first_ts() const { return first_ts_; }
  // Ends the frame and starts an empty one: its records, Snappy-compressed into a scratch
  // buffer kept for the next frames, or as they are, in place (see mirror_compression). The
  // view stays valid until the next add() or finish().
  packed_records finish();
  // finish() into `out`, whose storage is reused; true when `out` is Snappy's block.
  bool take(std::string& out) {
    const packed_records r = finish();
    out.assign(r.bytes);
    return r.compressed;
  }
  // Frames Snappy compressed (sent compressed or not), and those sent without trying.
  uint64_t frames_tried() const { return tried_; }
  uint64_t frames_skipped() const { return skipped_; }

 private:
  bool try_compress();
  size_t max_raw_;
  mirror_compression compression_;
  unsigned skip_left_ = 0;  // frames still to send without trying
  uint64_t tried_ = 0, skipped_ = 0;
  std::vector<uint8_t> raw_;  // sized once; size_ bytes are the frame (no zero fill per packet)
  std::vector<char> compressed_;  // grown to the largest compressed size once, not zeroed per frame
  size_t size_ = 0;
  size_t packets_ = 0;
  timestamp_ns first_ts_ = 0;
};

class mirror_frame_unpacker {
 public:
  // Decompresses (unless `compressed` is false) and checks every record; an error text when
  // the bytes are not a whole frame of at most max_raw_bytes (then next() yields nothing).
  std::string open(std::string_view bytes, size_t max_raw_bytes = 64 << 20, bool compressed = true);
  bool next(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen, uint32_t& wirelen);
  size_t packets() const { return packets_; }
  size_t raw_bytes() const { return raw_.size(); }

 private:
  std::string check_records();
  const uint8_t* bytes_at(size_t pos) const {
    return reinterpret_cast<const uint8_t*>(raw_.data()) + pos;
  }
  std::string raw_;
  size_t pos_ = 0;
  size_t packets_ = 0;
};

}  // namespace voxmon::core
