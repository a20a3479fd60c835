// Mirror stream frames: packing packets into a Snappy block and unpacking them, and the
// unpacker's checks on bytes that are not a whole frame.
#include <catch2/catch.hpp>

#include <snappy.h>

#include <string>
#include <vector>

#include "core/mirror_frame.hpp"

using namespace voxmon::core;

namespace {

struct packet {
  timestamp_ns ts;
  std::vector<uint8_t> bytes;
  uint32_t wirelen;
};

std::vector<uint8_t> pattern(int tag, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<uint8_t>(tag * 29 + i * 7);
  return v;
}

std::vector<packet> unpack_all(mirror_frame_unpacker& u) {
  std::vector<packet> out;
  timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  while (u.next(ts, data, caplen, wirelen))
    out.push_back({ts, std::vector<uint8_t>(data, data + caplen), wirelen});
  return out;
}

// Takes the packer's frame (Snappy's block or the records as they are), opens it and returns
// its packets.
std::vector<packet> take_and_unpack(mirror_frame_packer& p) {
  std::string frame;
  const bool compressed = p.take(frame);
  mirror_frame_unpacker u;
  REQUIRE(u.open(frame, 64 << 20, compressed) == "");
  return unpack_all(u);
}

// One record as the packer lays it out (little-endian header), for hand-built frames.
void put_record(std::string& raw, uint64_t ts, uint32_t caplen, uint32_t wirelen,
                size_t data_bytes) {
  for (int i = 0; i < 8; ++i)
    raw.push_back(static_cast<char>(ts >> (8 * i)));
  for (int i = 0; i < 4; ++i)
    raw.push_back(static_cast<char>(caplen >> (8 * i)));
  for (int i = 0; i < 4; ++i)
    raw.push_back(static_cast<char>(wirelen >> (8 * i)));
  raw.append(data_bytes, '\x5a');
}

std::string compress(const std::string& raw) {
  std::string out(snappy::MaxCompressedLength(raw.size()), '\0');
  size_t length = 0;
  snappy::RawCompress(raw.data(), raw.size(), out.data(), &length);
  out.resize(length);
  return out;
}

constexpr timestamp_ns t0 = timestamp_ns{1709622489} * ns_per_second + 123456789;

}  // namespace

TEST_CASE("mirror frame: packets round trip with exact times, lengths and bytes", "[mirror]") {
  const std::vector<packet> in = {
      {t0, pattern(1, 60), 60},
      {t0 + 1, pattern(2, 1514), 1514},
      {t0 + 20'000'000, pattern(3, 96), 9000},  // cut by the snap length
      {t0 + 20'000'001, {}, 64},                // nothing captured
      {-5, pattern(4, 1), 1},                   // any 64-bit time survives
  };
  mirror_frame_packer p;
  CHECK(p.empty());
  for (const auto& k : in)
    REQUIRE(p.add(k.ts, k.bytes.data(), static_cast<uint32_t>(k.bytes.size()), k.wirelen));
  CHECK_FALSE(p.empty());
  CHECK(p.packets() == 5);
  CHECK(p.raw_bytes() == 5 * mirror_record_header + 60 + 1514 + 96 + 0 + 1);
  CHECK(p.first_ts() == t0);

  std::string frame;
  CHECK(p.take(frame));  // the 1514-byte packet repeats its pattern: Snappy saves a lot
  CHECK(frame.size() < 5 * mirror_record_header + 1671);
  CHECK(p.empty());
  CHECK(p.packets() == 0);
  CHECK(p.raw_bytes() == 0);
  CHECK(p.first_ts() == 0);
  CHECK_FALSE(frame.empty());

  mirror_frame_unpacker u;
  REQUIRE(u.open(frame) == "");
  CHECK(u.packets() == 5);
  CHECK(u.raw_bytes() == 5 * mirror_record_header + 1671);
  const auto out = unpack_all(u);
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    INFO("packet " << i);
    CHECK(out[i].ts == in[i].ts);
    CHECK(out[i].bytes == in[i].bytes);
    CHECK(out[i].wirelen == in[i].wirelen);
  }
  timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  CHECK_FALSE(u.next(ts, data, caplen, wirelen));

  // The packer starts over: a second frame into the same output string.
  REQUIRE(p.add(t0 + 7, pattern(9, 33).data(), 33, 40));
  CHECK(p.first_ts() == t0 + 7);
  CHECK_FALSE(p.take(frame));  // 49 bytes Snappy cannot shrink: sent as they are
  CHECK(frame.size() == mirror_record_header + 33);
  REQUIRE(u.open(frame, 1 << 20, false) == "");
  const auto second = unpack_all(u);
  REQUIRE(second.size() == 1);
  CHECK(second[0].ts == t0 + 7);
  CHECK(second[0].bytes == pattern(9, 33));
  CHECK(second[0].wirelen == 40);
}

TEST_CASE("mirror frame: an empty frame unpacks to no packets", "[mirror]") {
  mirror_frame_packer p;
  std::string frame = "old contents";
  CHECK_FALSE(p.take(frame));
  CHECK(frame.empty());
  mirror_frame_unpacker u;
  REQUIRE(u.open(frame, 1 << 20, false) == "");
  CHECK(u.packets() == 0);
  CHECK(u.raw_bytes() == 0);
  CHECK(unpack_all(u).empty());
}

TEST_CASE("mirror frame: a full frame refuses a packet, an empty one takes an oversized one",
          "[mirror]") {
  mirror_frame_packer p(100);
  const auto a = pattern(1, 40), b = pattern(2, 30), c = pattern(3, 28), big = pattern(4, 500);
  REQUIRE(p.add(t0, a.data(), 40, 40));  // 56 raw bytes
  CHECK_FALSE(p.add(t0 + 1, b.data(), 30, 30));  // 56 + 46 > 100
  CHECK(p.packets() == 1);
  CHECK(p.raw_bytes() == 56);
  CHECK(p.add(t0 + 2, c.data(), 28, 28));  // 56 + 44 = 100: exactly full
  CHECK(p.raw_bytes() == 100);
  CHECK_FALSE(p.add(t0 + 3, nullptr, 0, 0));  // even an empty record needs 16 bytes

  auto out = take_and_unpack(p);
  REQUIRE(out.size() == 2);
  CHECK(out[0].bytes == a);
  CHECK(out[1].ts == t0 + 2);
  CHECK(out[1].bytes == c);

  REQUIRE(p.add(t0 + 4, big.data(), 500, 1500));  // alone in an empty frame
  CHECK(p.raw_bytes() == 516);
  CHECK_FALSE(p.add(t0 + 5, nullptr, 0, 0));
  CHECK(p.packets() == 1);
  out = take_and_unpack(p);
  REQUIRE(out.size() == 1);
  CHECK(out[0].ts == t0 + 4);
  CHECK(out[0].bytes == big);
  CHECK(out[0].wirelen == 1500);
}

TEST_CASE("mirror frame: garbage bytes are not a frame", "[mirror]") {
  mirror_frame_unpacker u;
  CHECK(u.open("") == "not a Snappy block");
  CHECK(u.open(std::string(8, '\xff')) == "not a Snappy block");  // length varint never ends
  // A length of 10, then tags that copy from before the start of the output.
  CHECK(u.open(std::string("\x0a\x01\x7f\x7f\x7f\x7f", 6)) == "corrupt Snappy block");
  CHECK(u.packets() == 0);
  CHECK(u.raw_bytes() == 0);
  CHECK(unpack_all(u).empty());
}

TEST_CASE("mirror frame: a truncated compressed block is rejected", "[mirror]") {
  mirror_frame_packer p;
  for (int i = 0; i < 20; ++i) {
    const auto bytes = pattern(i, 200 + i);
    REQUIRE(p.add(t0 + i, bytes.data(), static_cast<uint32_t>(bytes.size()), 300));
  }
  std::string frame;
  REQUIRE(p.take(frame));
  mirror_frame_unpacker u;
  REQUIRE(u.open(frame) == "");
  REQUIRE(u.packets() == 20);

  for (size_t cut : {size_t{1}, size_t{7}, frame.size() / 2}) {
    INFO("cut " << cut);
    const std::string_view truncated(frame.data(), frame.size() - cut);
    CHECK(u.open(truncated) == "corrupt Snappy block");
    CHECK(u.packets() == 0);
    CHECK(u.raw_bytes() == 0);
    CHECK(unpack_all(u).empty());  // nothing left over from the good frame
  }
}

TEST_CASE("mirror frame: records that run past the end of a valid block are rejected",
          "[mirror]") {
  mirror_frame_unpacker u;

  std::string raw;
  put_record(raw, 1, 100, 100, 10);  // claims 100 bytes, has 10
  CHECK(u.open(compress(raw)) == "record at byte 0 runs past the frame");
  CHECK(u.packets() == 0);
  CHECK(unpack_all(u).empty());

  raw.clear();
  put_record(raw, 1, 4, 4, 4);
  put_record(raw, 2, 0xffffffffu, 60, 3);  // a caplen that would wrap a 32-bit sum
  CHECK(u.open(compress(raw)) == "record at byte 20 runs past the frame");

  raw.clear();
  put_record(raw, 1, 4, 4, 4);
  raw.append(15, '\0');  // one byte short of a record header
  CHECK(u.open(compress(raw)) == "truncated record header at byte 20");
  CHECK(u.packets() == 0);
  CHECK(unpack_all(u).empty());

  raw.resize(20);  // the whole first record, nothing after it: a good frame
  REQUIRE(u.open(compress(raw)) == "");
  const auto out = unpack_all(u);
  REQUIRE(out.size() == 1);
  CHECK(out[0].ts == 1);
  CHECK(out[0].bytes == std::vector<uint8_t>(4, 0x5a));
}

TEST_CASE("mirror frame: a frame above max_raw_bytes is rejected before decompressing",
          "[mirror]") {
  mirror_frame_packer p;
  const auto bytes = pattern(1, 1000);
  REQUIRE(p.add(t0, bytes.data(), 1000, 1000));
  std::string frame;
  REQUIRE(p.take(frame));
  mirror_frame_unpacker u;
  CHECK(u.open(frame, 1015) == "frame of 1016 bytes is above the limit of 1015");
  CHECK(u.packets() == 0);
  CHECK(u.raw_bytes() == 0);
  CHECK(unpack_all(u).empty());
  REQUIRE(u.open(frame, 1016) == "");
  CHECK(u.packets() == 1);
}

TEST_CASE("mirror frame: without compression the records travel as they are and unpack the same",
          "[mirror]") {
  mirror_frame_packer packer(1 << 20, mirror_compression{false});
  const auto a = pattern(1, 60), b = pattern(2, 1400);
  REQUIRE(packer.add(t0, a.data(), 60, 60));
  REQUIRE(packer.add(t0 + 20'000'000, b.data(), 1400, 1514));
  const size_t raw = packer.raw_bytes();
  std::string frame;
  CHECK_FALSE(packer.take(frame));
  CHECK(frame.size() == raw);
  CHECK(packer.frames_tried() == 0);
  CHECK(packer.frames_skipped() == 0);
  CHECK(frame.size() == 2 * mirror_record_header + 60 + 1400);
  mirror_frame_unpacker u;
  REQUIRE(u.open(frame, 1 << 20, /*compressed=*/false).empty());
  const auto got = unpack_all(u);
  REQUIRE(got.size() == 2);
  CHECK(got[0].ts == t0);
  CHECK(got[0].bytes == a);
  CHECK(got[1].ts == t0 + 20'000'000);
  CHECK(got[1].wirelen == 1514);
  CHECK(got[1].bytes == b);
  // Cut short, or above the limit: refused like a compressed frame.
  CHECK(u.open(std::string_view(frame).substr(0, frame.size() - 1), 1 << 20, false) ==
        "record at byte 76 runs past the frame");
  CHECK(u.open(frame, 100, false) == "frame of 1492 bytes is above the limit of 100");
}

TEST_CASE("mirror frame: finish hands out the frame and starts an empty one, in both modes",
          "[mirror]") {
  const auto a = pattern(5, 90), b = pattern(6, 700), c = pattern(7, 300);
  for (bool compress : {true, false}) {
    INFO("compress " << compress);
    mirror_frame_packer p(1 << 20, mirror_compression{compress, 0});
    REQUIRE(p.add(t0, a.data(), 90, 90));
    REQUIRE(p.add(t0 + 1, b.data(), 700, 800));
    const packed_records r = p.finish();
    CHECK(r.compressed == compress);
    const std::string first(r.bytes);
    CHECK(p.empty());
    CHECK(p.raw_bytes() == 0);
    CHECK(p.first_ts() == 0);
    if (!compress)
      CHECK(first.size() == 2 * mirror_record_header + 90 + 700);
    // The scratch and the record buffer are reused: the next frame holds only its own packet.
    REQUIRE(p.add(t0 + 2, c.data(), 300, 300));
    const packed_records r2 = p.finish();
    CHECK(r2.compressed == compress);
    const std::string second(r2.bytes);
    mirror_frame_unpacker u;
    REQUIRE(u.open(first, 1 << 20, compress) == "");
    const auto got = unpack_all(u);
    REQUIRE(got.size() == 2);
    CHECK(got[0].bytes == a);
    CHECK(got[1].ts == t0 + 1);
    CHECK(got[1].bytes == b);
    CHECK(got[1].wirelen == 800);
    REQUIRE(u.open(second, 1 << 20, compress) == "");
    const auto next = unpack_all(u);
    REQUIRE(next.size() == 1);
    CHECK(next[0].ts == t0 + 2);
    CHECK(next[0].bytes == c);
  }
}

TEST_CASE("mirror frame: a packet larger than the packer's whole buffer goes alone, intact",
          "[mirror]") {
  // The packer's buffer is max_raw_bytes + 64 KiB: a 200 KB jumbo capture must grow it, and the
  // frames after it must still be right.
  mirror_frame_packer p(100);
  const auto jumbo = pattern(7, 200'000), small = pattern(8, 40);
  REQUIRE(p.add(t0, jumbo.data(), 200'000, 200'000));
  CHECK(p.raw_bytes() == mirror_record_header + 200'000);
  CHECK_FALSE(p.add(t0 + 1, small.data(), 40, 40));
  auto got = take_and_unpack(p);
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == jumbo);
  REQUIRE(p.add(t0 + 1, small.data(), 40, 40));
  got = take_and_unpack(p);
  REQUIRE(got.size() == 1);
  CHECK(got[0].ts == t0 + 1);
  CHECK(got[0].bytes == small);
}

namespace {

// Bytes Snappy cannot shrink (splitmix64), like coded or encrypted speech.
std::vector<uint8_t> noise(uint64_t seed, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t z = (seed * 0x9e3779b97f4a7c15ULL) + i * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    v[i] = static_cast<uint8_t>(z ^ (z >> 31));
  }
  return v;
}

// One frame of 50 packets of 200 bytes; returns whether it went as a Snappy block, after
// checking that it unpacks to exactly its packets.
bool pack_frame(mirror_frame_packer& p, int frame, bool compressible) {
  std::vector<std::vector<uint8_t>> in;
  for (int i = 0; i < 50; ++i) {
    in.push_back(compressible ? pattern(i, 200) : noise(uint64_t(frame) * 100 + i, 200));
    REQUIRE(p.add(t0 + frame * 1000 + i, in.back().data(), 200, 214));
  }
  const size_t raw = p.raw_bytes();
  std::string bytes;
  const bool compressed = p.take(bytes);
  if (!compressed)
    CHECK(bytes.size() == raw);
  mirror_frame_unpacker u;
  REQUIRE(u.open(bytes, 1 << 20, compressed) == "");
  const auto out = unpack_all(u);
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i)
    CHECK(out[i].bytes == in[i]);
  return compressed;
}

}  // namespace

TEST_CASE("mirror frame: frames Snappy cannot shrink enough go as they are, tried again every "
          "16th frame", "[mirror]") {
  mirror_frame_packer p;  // defaults: at least 20 % saved, else 1 frame in 16 tried
  std::vector<int> tried_at;
  for (int f = 1; f <= 50; ++f) {
    const uint64_t before = p.frames_tried();
    pack_frame(p, f, /*compressible=*/f > 33);
    if (p.frames_tried() > before)
      tried_at.push_back(f);
  }
  // Noise in frames 1-33: tried at 1, 17 and 33. Compressible from 34: not tried until 49, and
  // from then on every frame.
  CHECK(tried_at == std::vector<int>{1, 17, 33, 49, 50});
  CHECK(p.frames_tried() == 5);
  CHECK(p.frames_skipped() == 45);
  // A frame that is tried and compresses goes compressed; a skipped one as it is.
  CHECK(pack_frame(p, 51, true));
  CHECK(pack_frame(p, 52, false));  // tried, smaller by its headers, not by 20 %: sent compressed
  CHECK_FALSE(pack_frame(p, 53, true));  // ... so the next 15 are not tried, compressible or not
  CHECK(p.frames_tried() == 7);
  CHECK(p.frames_skipped() == 46);
}

TEST_CASE("mirror frame: the saving a frame must reach is mirror_compress_min_saving",
          "[mirror]") {
  // 99 %: even the repeating pattern (which Snappy shrinks a lot) is not enough.
  mirror_frame_packer strict(1 << 20, mirror_compression{true, 99});
  CHECK(pack_frame(strict, 1, true));   // tried: smaller, so it goes compressed ...
  CHECK_FALSE(pack_frame(strict, 2, true));  // ... but the next ones are not tried
  CHECK(strict.frames_tried() == 1);
  CHECK(strict.frames_skipped() == 1);
  // 0 %: every frame is tried, and noise Snappy makes no smaller goes as it is.
  mirror_frame_packer eager(1 << 20, mirror_compression{true, 0});
  const auto random = noise(7, 1000);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(eager.add(t0 + i, random.data(), 1000, 1000));
    std::string bytes;
    CHECK_FALSE(eager.take(bytes));
    CHECK(bytes.size() == mirror_record_header + 1000);
    CHECK(bytes.substr(mirror_record_header) == std::string(random.begin(), random.end()));
  }
  CHECK(eager.frames_tried() == 3);
  CHECK(eager.frames_skipped() == 0);
  for (int f = 4; f < 8; ++f)
    CHECK(pack_frame(eager, f, false));  // 50 packets: their headers make it a little smaller
  CHECK(eager.frames_tried() == 7);
}
