#include "core/mirror_frame.hpp"

#include <snappy.h>

#include <algorithm>
#include <cstring>

namespace voxmon::core {

mirror_frame_packer::mirror_frame_packer(size_t max_raw_bytes, mirror_compression c)
    : max_raw_(max_raw_bytes), compression_(c) {
  raw_.resize(max_raw_ + 65536 + mirror_record_header);
}

bool mirror_frame_packer::add(timestamp_ns ts, const uint8_t* data, uint32_t caplen,
                              uint32_t wirelen) {
  const size_t need = mirror_record_header + caplen;
  if (packets_ > 0 && size_ + need > max_raw_)
    return false;
  if (size_ + need > raw_.size())  // a packet bigger than the frames: only ever alone
    raw_.resize(size_ + need);
  if (packets_ == 0)
    first_ts_ = ts;
  uint8_t* p = raw_.data() + size_;
  write_le64(p, static_cast<uint64_t>(ts));
  write_le32(p + 8, caplen);
  write_le32(p + 12, wirelen);
  if (caplen)
    std::memcpy(p + mirror_record_header, data, caplen);
  size_ += need;
  ++packets_;
  return true;
}

bool mirror_frame_packer::try_compress() {
  if (!compression_.enabled || size_ == 0)
    return false;
  if (skip_left_ > 0) {
    --skip_left_;
    ++skipped_;
    return false;
  }
  ++tried_;
  return true;
}

packed_records mirror_frame_packer::finish() {
  const char* records = reinterpret_cast<const char*>(raw_.data());
  packed_records out{std::string_view(records, size_), false};
  if (try_compress()) {
    const size_t bound = snappy::MaxCompressedLength(size_);
    if (compressed_.size() < bound)
      compressed_.resize(bound);
    size_t length = 0;
    snappy::RawCompress(records, size_, compressed_.data(), &length);
    // length / size_ <= 1 - min_saving / 100, in integers; 0 % tries every frame.
    const unsigned min_saving = std::min(compression_.min_saving_percent, 100u);
    const bool saves_enough = min_saving == 0 || length * 100 <= size_ * (100 - min_saving);
    skip_left_ = saves_enough ? 0 : std::max(compression_.probe_every, 1u) - 1;
    if (length < size_)  // already paid for: the smaller one goes
      out = {std::string_view(compressed_.data(), length), true};
  }
  size_ = 0;
  packets_ = 0;
  first_ts_ = 0;
  return out;
}

std::string mirror_frame_unpacker::open(std::string_view bytes, size_t max_raw_bytes,
                                        bool compressed) {
  raw_.clear();
  pos_ = 0;
  packets_ = 0;
  if (!compressed) {
    if (bytes.size() > max_raw_bytes)
      return "frame of " + std::to_string(bytes.size()) + " bytes is above the limit of " +
             std::to_string(max_raw_bytes);
    raw_.assign(bytes);
    return check_records();
  }
  size_t length = 0;
  if (!snappy::GetUncompressedLength(bytes.data(), bytes.size(), &length))
    return "not a Snappy block";
  if (length > max_raw_bytes)
    return "frame of " + std::to_string(length) + " bytes is above the limit of " +
           std::to_string(max_raw_bytes);
  raw_.resize(length);
  if (!snappy::RawUncompress(bytes.data(), bytes.size(), raw_.data())) {
    raw_.clear();
    return "corrupt Snappy block";
  }
  return check_records();
}

// Every record must be whole before any packet is handed out.
std::string mirror_frame_unpacker::check_records() {
  size_t pos = 0, count = 0;
  while (pos < raw_.size()) {
    if (raw_.size() - pos < mirror_record_header) {
      raw_.clear();
      return "truncated record header at byte " + std::to_string(pos);
    }
    const uint32_t caplen = read_le32(bytes_at(pos + 8));
    if (raw_.size() - pos - mirror_record_header < caplen) {
      raw_.clear();
      return "record at byte " + std::to_string(pos) + " runs past the frame";
    }
    pos += mirror_record_header + caplen;
    ++count;
  }
  packets_ = count;
  return {};
}

bool mirror_frame_unpacker::next(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen,
                                 uint32_t& wirelen) {
  if (pos_ >= raw_.size())
    return false;
  const uint8_t* p = bytes_at(pos_);
  ts = static_cast<timestamp_ns>(read_le64(p));
  caplen = read_le32(p + 8);
  wirelen = read_le32(p + 12);
  data = p + mirror_record_header;
  pos_ += mirror_record_header + caplen;
  return true;
}

}  // namespace voxmon::core
