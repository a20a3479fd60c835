#pragma once
// A frame of a mirror stream (packetbuffer_sender = yes): captured packets back to back, each
// [time ns: u64][caplen: u32][wirelen: u32][caplen bytes] (little-endian), the whole block
// Snappy-compressed (raw format), or as it is when compression is off (packetbuffer_compress =
// no: no compression work, more bytes on the wire and through TLS: ~9 % more for speech, whose
// payloads barely compress). The sender only packs; the receiver unpacks and feeds the packets
// to its own capture-side pipeline, so they are decoded exactly as a local capture would
// decode them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

inline constexpr size_t mirror_record_header = 16;

class mirror_frame_packer {
 public:
  explicit mirror_frame_packer(size_t max_raw_bytes = 1 << 20);
  // Appends a packet; false when it does not fit (take() the frame first). A packet bigger than
  // a whole frame still goes into an empty frame alone.
  bool add(timestamp_ns ts, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
  bool empty() const { return packets_ == 0; }
  size_t packets() const { return packets_; }
  size_t raw_bytes() const { return size_; }
  timestamp_ns first_ts() const { return first_ts_; }
  // Ends the frame and starts an empty one: its records, Snappy-compressed into a scratch
  // buffer kept for the next frames (`compress` = false: the records as they are, in place).
  // The view stays valid until the next add() or finish().
  std::string_view finish(bool compress = true);
  // finish() into `out`, whose storage is reused.
  void take(std::string& out, bool compress = true) { out.assign(finish(compress)); }

 private:
  size_t max_raw_;
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
