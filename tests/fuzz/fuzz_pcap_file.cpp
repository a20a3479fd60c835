// libFuzzer target: pcap_file_reader against libpcap on the same file. The reader takes
// little-endian classic pcap files in its own chunks and hands anything unusual back to
// libpcap; every frame (time, lengths, bytes), the way the file ends and the error text must be
// what libpcap alone gives.
//
// The input becomes the file: byte 0 bit 0 set puts a valid little-endian header in front
// (bit 1: nanosecond magic; bytes 1-2: the snapshot length, 0 included), so most inputs reach
// the records; otherwise the input is the whole file, header and all. The file is a memfd,
// opened by both through /proc/self/fd.
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/pcap_file_reader.hpp"
#include "tests/core/pcap_frame_record.hpp"

using namespace voxmon::core;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_pcap_file: %s\n", what);
  std::abort();
}

std::string file_of(const uint8_t* data, size_t size) {
  std::string file;
  if (size >= 3 && (data[0] & 1)) {
    append_le(file, uint32_t{(data[0] & 2) ? 0xa1b23c4du : 0xa1b2c3d4u});
    append_le(file, uint32_t{2 | 4u << 16});  // version 2.4
    append_le(file, uint32_t{0});
    append_le(file, uint32_t{0});
    append_le(file, uint32_t{read_le16(data + 1)});  // snapshot length
    append_le(file, uint32_t{1});                     // Ethernet
    data += 3;
    size -= 3;
  }
  file.append(reinterpret_cast<const char*>(data), size);
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz_pcap_file", 0);
  if (fd < 0)
    fail("memfd_create failed");
  const std::string file = file_of(data, size);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, file.data(), file.size(), 0) != static_cast<ssize_t>(file.size()))
    fail("cannot write the memfd");
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  std::string error;
  // 64-byte chunks: records cross chunk ends and long packets go to libpcap, in small inputs.
  auto reader = pcap_file_reader::open(path, error, 64);
  if (!p != !reader)
    fail("one opened the file and the other did not");
  if (!p)
    return 0;
  if (reader->link_type() != pcap_datalink(p))
    fail("link types differ");
  for (;;) {
    pcap_pkthdr* h = nullptr;
    const u_char* bytes = nullptr;
    const int rc = pcap_next_ex(p, &h, &bytes);
    timestamp_ns ts = 0;
    const uint8_t* got = nullptr;
    uint32_t caplen = 0, wirelen = 0;
    const auto s = reader->next(ts, got, caplen, wirelen);
    if (rc == 1) {
      if (s != pcap_file_reader::status::frame)
        fail("libpcap has a frame the reader does not");
      const auto want = voxmon::test::record_of(
          static_cast<timestamp_ns>(h->ts.tv_sec) * ns_per_second + h->ts.tv_usec, bytes, h->caplen, h->len);
      if (voxmon::test::record_of(ts, got, caplen, wirelen) != want)
        fail("a frame differs");
      continue;
    }
    if (rc == PCAP_ERROR_BREAK) {
      if (s != pcap_file_reader::status::end)
        fail("libpcap ended and the reader did not");
      if (reader->position() != file.size())
        fail("the reader ended before the end of the file");
    } else {
      if (s != pcap_file_reader::status::error)
        fail("libpcap failed and the reader did not");
      if (reader->error() != pcap_geterr(p))
        fail("the error texts differ");
    }
    break;
  }
  pcap_close(p);
  return 0;
}
