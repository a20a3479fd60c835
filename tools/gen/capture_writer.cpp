#include "tools/gen/capture_writer.hpp"

#include <cstring>

namespace voxmon::gen {
namespace {
constexpr size_t buffer_size = 1 << 20;
constexpr uint32_t snaplen = 65535;
}  // namespace

// Files are written in host byte order (little-endian here); readers detect it by the magic.
capture_writer::capture_writer(const std::string& path, int dlt, bool nano, bool pcapng)
    : nano_(nano), pcapng_(pcapng), buf_(buffer_size) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) return;
  if (!pcapng_) {
    u32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);  // thiszone
    u32(0);  // sigfigs
    u32(snaplen);
    u32(static_cast<uint32_t>(dlt));
    return;
  }
  // Section Header Block: no options, section length unknown (-1).
  u32(0x0A0D0D0A);
  u32(28);
  u32(0x1A2B3C4D);
  u16(1);
  u16(0);
  u32(0xFFFFFFFF);
  u32(0xFFFFFFFF);
  u32(28);
  // Interface Description Block: if_tsresol (code 9) = 10^-9 or 10^-6, then opt_endofopt.
  u32(1);
  u32(32);
  u16(static_cast<uint16_t>(dlt));
  u16(0);
  u32(snaplen);
  u16(9);
  u16(1);
  const uint8_t res[4] = {static_cast<uint8_t>(nano ? 9 : 6), 0, 0, 0};
  put(res, 4);
  u32(0);
  u32(32);
}

capture_writer::~capture_writer() { close(); }

void capture_writer::put(const void* p, size_t n) {
  if (used_ + n > buf_.size()) drain();
  std::memcpy(buf_.data() + used_, p, n);
  used_ += n;
}

void capture_writer::drain() {
  if (file_ && used_ && std::fwrite(buf_.data(), 1, used_, file_) != used_) error_ = true;
  used_ = 0;
}

void capture_writer::write(int64_t t, const uint8_t* data, size_t len) {
  const int64_t units = nano_ ? t : t / 1000;
  if (!pcapng_) {
    u32(static_cast<uint32_t>(t / 1'000'000'000));
    u32(static_cast<uint32_t>((t % 1'000'000'000) / (nano_ ? 1 : 1000)));
    u32(static_cast<uint32_t>(len));
    u32(static_cast<uint32_t>(len));
    put(data, len);
    return;
  }
  // Enhanced Packet Block: the timestamp in if_tsresol units, data padded to 32 bits.
  const size_t pad = (4 - len % 4) % 4;
  const auto total = static_cast<uint32_t>(32 + len + pad);
  u32(6);
  u32(total);
  u32(0);
  u32(static_cast<uint32_t>(static_cast<uint64_t>(units) >> 32));
  u32(static_cast<uint32_t>(units));
  u32(static_cast<uint32_t>(len));
  u32(static_cast<uint32_t>(len));
  put(data, len);
  static constexpr uint8_t zeros[4] = {};
  put(zeros, pad);
  u32(total);
}

bool capture_writer::close() {
  if (!file_) return false;
  drain();
  const bool ok = std::fflush(file_) == 0 && !error_ && !std::ferror(file_);
  std::fclose(file_);
  file_ = nullptr;
  return ok;
}

}  // namespace voxmon::gen
