// pcap_file_reader against libpcap itself: every frame (time, lengths, bytes), the way the file
// ends and the error text must be the same, whether the reader takes a file in its own chunks
// or leaves it (or part of it) to libpcap.
#include <pcap/pcap.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/pcap_file_reader.hpp"
#include "core/temp_dir.hpp"
#include "pcap_frame_record.hpp"

using namespace voxmon::core;
namespace fs = std::filesystem;

namespace {

using frame = voxmon::test::pcap_frame_record;
using voxmon::test::record_of;

struct reading {
  std::vector<frame> frames;
  bool ended = false;  // status end, not error
  std::string error;
};

reading read_with_reader(const fs::path& path, bool* in_place = nullptr) {
  std::string error;
  auto r = pcap_file_reader::open(path.string(), error);
  REQUIRE(r);
  if (in_place)
    *in_place = r->reads_in_place();
  reading out;
  timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  for (;;) {
    const auto s = r->next(ts, data, caplen, wirelen);
    if (s != pcap_file_reader::status::frame) {
      out.ended = s == pcap_file_reader::status::end;
      out.error = r->error();
      break;
    }
    out.frames.push_back(record_of(ts, data, caplen, wirelen));
  }
  CHECK(r->frames_read() == out.frames.size());
  if (out.ended)
    CHECK(r->position() == fs::file_size(path));  // the progress bar ends at 100 %
  return out;
}

reading read_with_libpcap(const fs::path& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  REQUIRE(p);
  reading out;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1)
    out.frames.push_back(
        record_of(static_cast<timestamp_ns>(h->ts.tv_sec) * ns_per_second + h->ts.tv_usec, data, h->caplen, h->len));
  out.ended = rc == PCAP_ERROR_BREAK;
  if (!out.ended)
    out.error = pcap_geterr(p);
  pcap_close(p);
  return out;
}

// A classic pcap file, written byte by byte: little- or big-endian, micro- or nanoseconds.
class pcap_bytes {
 public:
  pcap_bytes(bool nanoseconds, uint32_t snaplen, bool big_endian = false) : big_(big_endian) {
    u32(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(snaplen);
    u32(1);  // Ethernet
  }
  pcap_bytes& record(uint32_t sec, uint32_t fraction, uint32_t caplen, uint32_t wirelen,
                     uint32_t stored = UINT32_MAX) {
    u32(sec);
    u32(fraction);
    u32(caplen);
    u32(wirelen);
    for (uint32_t i = 0; i < (stored == UINT32_MAX ? caplen : stored); ++i)
      bytes_.push_back(static_cast<char>((sec * 131 + i * 7 + caplen) & 0xff));
    return *this;
  }
  pcap_bytes& raw(std::string_view b) {
    bytes_.append(b);
    return *this;
  }
  void write(const fs::path& path) const { std::ofstream(path, std::ios::binary) << bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes_.push_back(static_cast<char>(v >> (big_ ? 24 - 8 * i : 8 * i)));
  }
  void u16(uint16_t v) {
    for (int i = 0; i < 2; ++i)
      bytes_.push_back(static_cast<char>(v >> (big_ ? 8 - 8 * i : 8 * i)));
  }
  bool big_;
  std::string bytes_;
};

// Both readings of `path`; the reader's must equal libpcap's.
void check_same_as_libpcap(const fs::path& path, bool expect_in_place, size_t expect_frames,
                           bool expect_end = true) {
  INFO(path.filename().string());
  bool in_place = false;
  const auto ours = read_with_reader(path, &in_place);
  const auto theirs = read_with_libpcap(path);
  CHECK(in_place == expect_in_place);
  CHECK(ours.frames.size() == expect_frames);
  REQUIRE(ours.frames.size() == theirs.frames.size());
  for (size_t i = 0; i < ours.frames.size(); ++i) {
    INFO("frame " << i);
    CHECK(ours.frames[i] == theirs.frames[i]);
  }
  CHECK(ours.ended == expect_end);
  CHECK(ours.ended == theirs.ended);
  CHECK(ours.error == theirs.error);
}

std::unique_ptr<temp_dir> scratch() {
  std::string error;
  auto d = temp_dir::make("voxmon-pcap-reader-", error);
  REQUIRE(d);
  return d;
}

}  // namespace

TEST_CASE("pcap reader: little-endian classic files are read in place, as libpcap reads them",
          "[pcap_reader]") {
  const auto dir = scratch();
  for (bool ns : {false, true}) {
    pcap_bytes f(ns, 65535);
    f.record(1700000000, 999999, 60, 60).record(1700000001, 5, 0, 0).record(1700000002, 12, 42, 1514);
    const auto path = dir->path() / (ns ? "ns.pcap" : "us.pcap");
    f.write(path);
    check_same_as_libpcap(path, true, 3);
    const auto frames = read_with_reader(path).frames;
    CHECK(frames[1].ts == 1700000001 * ns_per_second + (ns ? 5 : 5000));
    CHECK(frames[0].ts == 1700000000 * ns_per_second + (ns ? 999999 : 999999000));
    CHECK(frames[2].caplen == 42);
    CHECK(frames[2].wirelen == 1514);
  }
  // Seconds past 2^31 are negative in libpcap (heplify-sip_ipv6_udp.pcap in the corpus has them).
  pcap_bytes late(false, 65535);
  late.record(3215500952u, 251758, 60, 60);
  late.write(dir->path() / "late.pcap");
  check_same_as_libpcap(dir->path() / "late.pcap", true, 1);
  CHECK(read_with_reader(dir->path() / "late.pcap").frames[0].ts ==
        (3215500952ll - (1ll << 32)) * ns_per_second + 251758000);
  pcap_bytes empty(false, 65535);
  empty.write(dir->path() / "empty.pcap");
  check_same_as_libpcap(dir->path() / "empty.pcap", true, 0);
}

TEST_CASE("pcap reader: records across its 1 MiB chunks, and packets of every size", "[pcap_reader]") {
  const auto dir = scratch();
  pcap_bytes f(false, 262144);
  // Sizes that put record headers and packets across chunk ends at many offsets, a 64 KiB
  // packet and a 256 KiB one (the largest a snapshot length allows).
  uint32_t n = 0, sec = 1;
  while (f.size() < (3u << 20)) {
    const uint32_t len = (n % 97 == 0) ? 65535 : (n % 401 == 0) ? 262144 : 1 + (n * 7919) % 1600;
    f.record(sec++, n % 1000000, len, len + n % 3);
    ++n;
  }
  const auto path = dir->path() / "big.pcap";
  f.write(path);
  check_same_as_libpcap(path, true, n);
}

TEST_CASE("pcap reader: files cut short end with libpcap's own error", "[pcap_reader]") {
  const auto dir = scratch();
  SECTION("in a record header") {
    pcap_bytes f(false, 65535);
    f.record(1, 0, 100, 100).record(2, 0, 100, 100).raw("0123456789");
    f.write(dir->path() / "cut.pcap");
    check_same_as_libpcap(dir->path() / "cut.pcap", true, 2, false);
    CHECK(read_with_reader(dir->path() / "cut.pcap").error ==
          "truncated dump file; tried to read 16 header bytes, only got 10");
  }
  SECTION("in a packet") {
    pcap_bytes f(false, 65535);
    f.record(1, 0, 100, 100).record(2, 0, 100, 100, 37);
    f.write(dir->path() / "cut.pcap");
    check_same_as_libpcap(dir->path() / "cut.pcap", true, 1, false);
    CHECK(read_with_reader(dir->path() / "cut.pcap").error ==
          "truncated dump file; tried to read 100 captured bytes, only got 37");
  }
  SECTION("in a packet beyond the first chunk") {
    pcap_bytes f(false, 65535);
    uint32_t n = 0;
    while (f.size() < (1u << 20) + 5000)
      f.record(++n, 0, 1400, 1400);
    f.record(++n, 0, 1400, 1400, 700);
    f.write(dir->path() / "cut.pcap");
    check_same_as_libpcap(dir->path() / "cut.pcap", true, n - 1, false);
  }
}

TEST_CASE("pcap reader: records libpcap treats specially are left to libpcap", "[pcap_reader]") {
  const auto dir = scratch();
  SECTION("a packet longer than the snapshot length is cut to it") {
    pcap_bytes f(false, 100);
    f.record(1, 0, 80, 80).record(2, 0, 150, 150).record(3, 0, 90, 90);
    f.write(dir->path() / "long.pcap");
    check_same_as_libpcap(dir->path() / "long.pcap", true, 3);
    CHECK(read_with_reader(dir->path() / "long.pcap").frames[1].caplen == 100);
  }
  SECTION("a garbage capture length") {
    pcap_bytes f(false, 65535);
    f.record(1, 0, 80, 80).record(2, 0, 0xfffffff0u, 80, 50);
    f.write(dir->path() / "garbage.pcap");
    check_same_as_libpcap(dir->path() / "garbage.pcap", true, 1, false);
    CHECK_FALSE(read_with_reader(dir->path() / "garbage.pcap").error.empty());
  }
  SECTION("big-endian files") {
    pcap_bytes f(true, 65535, /*big_endian=*/true);
    f.record(1, 5, 80, 80).record(2, 6, 90, 91);
    f.write(dir->path() / "be.pcap");
    check_same_as_libpcap(dir->path() / "be.pcap", false, 2);
  }
  SECTION("other versions") {
    pcap_bytes f(false, 65535);
    f.record(1, 5, 80, 80);
    f.write(dir->path() / "v22.pcap");
    std::fstream io(dir->path() / "v22.pcap", std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(6);
    io.put(2);  // version 2.2
    io.close();
    check_same_as_libpcap(dir->path() / "v22.pcap", false, 1);
  }
}

TEST_CASE("pcap reader: every corpus capture reads as libpcap reads it", "[pcap_reader]") {
  const fs::path corpus = VOXMON_CORPUS_DIR;
  if (!fs::is_directory(corpus / "pcaps")) {
    WARN("corpus not found at " << corpus.string() << ": skipped");
    return;
  }
  size_t in_place = 0, files = 0;
  for (const auto& e : fs::directory_iterator(corpus / "pcaps")) {
    bool chunked = false;
    read_with_reader(e.path(), &chunked);
    const bool pcapng = e.path().extension() == ".pcapng";
    const auto theirs = read_with_libpcap(e.path());
    check_same_as_libpcap(e.path(), !pcapng, theirs.frames.size(), theirs.ended);
    in_place += chunked;
    ++files;
  }
  CHECK(files == 27);
  CHECK(in_place == 22);  // the pcapng files stay with libpcap
}
