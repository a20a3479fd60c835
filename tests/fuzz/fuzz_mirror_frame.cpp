// libFuzzer target: the mirror frame unpacker (core/mirror_frame), which reads what a mirror
// sender sends over the network.
//
// The input is used twice:
//   1. as a compressed frame, handed to mirror_frame_unpacker::open as is (Snappy decoding,
//      the size limit, the record checks);
//   2. as the raw records of a frame: compressed here with snappy::RawCompress, so every record
//      layout reaches the record checks. open must accept it exactly when a reference walk
//      finds whole records, and the packets must be the input's own bytes.
// Whenever open accepts a frame, next() must hand out packets() records that tile raw_bytes()
// exactly, and packing them again (mirror_frame_packer) must give a frame that unpacks to the
// same records. A rejected frame must yield nothing.
#include <snappy.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/mirror_frame.hpp"

using namespace voxmon::core;

namespace {

constexpr size_t max_raw = 1 << 20;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_mirror_frame invariant violated: %s\n", what);
  std::abort();
}

struct record {
  timestamp_ns ts;
  uint32_t wirelen;
  std::vector<uint8_t> bytes;
  bool operator==(const record&) const = default;
};

// Reads every record; each packet is copied into its own buffer (ASan sees reads past it).
std::vector<record> drain(mirror_frame_unpacker& u, const std::string& error) {
  std::vector<record> out;
  timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  size_t bytes = 0;
  while (u.next(ts, data, caplen, wirelen)) {
    if (!error.empty())
      fail("a rejected frame handed out a packet");
    if (out.size() >= u.packets())
      fail("next() handed out more packets than packets()");
    out.push_back({ts, wirelen, std::vector<uint8_t>(data, data + caplen)});
    bytes += mirror_record_header + caplen;
    if (bytes > u.raw_bytes())
      fail("a packet runs past the frame");
  }
  if (!error.empty() && (u.packets() != 0 || u.raw_bytes() != 0))
    fail("a rejected frame kept packets or bytes");
  if (out.size() != u.packets() || bytes != u.raw_bytes())
    fail("the packets do not tile the frame");
  return out;
}

// Packs the records again (all into one frame, Snappy tried on it) and checks they come back
// unchanged, in a Snappy block only when that is smaller.
void repack(const std::vector<record>& records, size_t raw_bytes) {
  mirror_frame_packer p(raw_bytes, mirror_compression{true, 0});
  for (const auto& r : records)
    if (!p.add(r.ts, r.bytes.data(), static_cast<uint32_t>(r.bytes.size()), r.wirelen))
      fail("the packer refused a record of a frame it could hold");
  if (p.raw_bytes() != raw_bytes || p.packets() != records.size())
    fail("the packer's frame differs in size");
  std::string frame;
  const bool compressed = p.take(frame);
  if (!p.empty() || p.raw_bytes() != 0)
    fail("take() did not start an empty frame");
  if (compressed ? frame.size() >= raw_bytes : frame.size() != raw_bytes)
    fail("a frame was sent compressed and no smaller, or uncompressed and not as it is");
  mirror_frame_unpacker u;
  const std::string error = u.open(frame, raw_bytes, compressed);
  if (!error.empty())
    fail("a packed frame was rejected");
  if (drain(u, error) != records)
    fail("packed records did not round trip");
}

// True when `raw` is a sequence of whole records (the reference for the unpacker's checks).
bool whole_records(std::string_view raw) {
  size_t pos = 0;
  while (pos < raw.size()) {
    if (raw.size() - pos < mirror_record_header)
      return false;
    uint32_t caplen = 0;
    for (int i = 0; i < 4; ++i)
      caplen |= uint32_t{static_cast<uint8_t>(raw[pos + 8 + i])} << (8 * i);
    if (raw.size() - pos - mirror_record_header < caplen)
      return false;
    pos += mirror_record_header + caplen;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mirror_frame_unpacker u;

  // 1. The input as a compressed frame.
  {
    const std::string error = u.open(input, max_raw);
    const auto records = drain(u, error);
    if (error.empty() && u.raw_bytes() > max_raw)
      fail("a frame above the limit was accepted");
    if (error.empty())
      repack(records, u.raw_bytes());
  }

  // 2. The input as raw records, compressed here.
  if (size <= max_raw) {
    std::string compressed(snappy::MaxCompressedLength(size), '\0');
    size_t length = 0;
    snappy::RawCompress(input.data(), size, compressed.data(), &length);
    compressed.resize(length);
    const std::string error = u.open(compressed, max_raw);
    if (error.empty() != whole_records(input))
      fail("open disagrees with the reference record walk");
    const auto records = drain(u, error);
    if (error.empty()) {
      if (u.raw_bytes() != size)
        fail("the frame's size is not the input's");
      size_t pos = 0;
      for (const auto& r : records) {
        if (!r.bytes.empty() &&
            std::memcmp(data + pos + mirror_record_header, r.bytes.data(), r.bytes.size()) != 0)
          fail("a packet's bytes are not the input's");
        pos += mirror_record_header + r.bytes.size();
      }
      repack(records, size);
    }
  }
  return 0;
}
