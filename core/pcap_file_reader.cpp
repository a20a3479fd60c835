#include "core/pcap_file_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace voxmon::core {

namespace {
constexpr size_t read_buffer_bytes = 1 << 20;
constexpr size_t file_header_bytes = 24;
constexpr size_t record_header_bytes = 16;
constexpr uint32_t max_in_place_packet = 262144;
// The magic numbers as the file's first four bytes, little-endian: microsecond and nanosecond
// timestamps.
constexpr uint32_t magic_us = 0xa1b2c3d4;
constexpr uint32_t magic_ns = 0xa1b23c4d;
}  // namespace

std::unique_ptr<pcap_file_reader> pcap_file_reader::open(const std::string& path, std::string& error,
                                                         size_t chunk_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read '" + path + "': it is a directory";
    return nullptr;
  }
  // libpcap reads record by record through stdio, whose default buffer is one 4 KiB block: one
  // read(2) per 20 packets. A 1 MiB buffer makes that one per ~5,000.
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  // glibc ignores the size unless it is given the buffer.
  auto buffer = std::make_unique_for_overwrite<char[]>(read_buffer_bytes);
  std::setvbuf(file, buffer.get(), _IOFBF, read_buffer_bytes);
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!p) {
    std::fclose(file);  // libpcap closes it only when it opened the capture
    error = "cannot read '" + path + "' as a pcap or pcapng file: " + errbuf;
    return nullptr;
  }
  std::unique_ptr<pcap_file_reader> r{new pcap_file_reader(p, static_cast<uint64_t>(st.st_size))};
  r->read_buffer_ = std::move(buffer);
  r->link_type_ = pcap_datalink(p);
  if (S_ISREG(st.st_mode))
    r->start_in_place(path, std::max(chunk_bytes, record_header_bytes + 1));
  return r;
}

pcap_file_reader::~pcap_file_reader() {
  if (fd_ >= 0)
    ::close(fd_);
  pcap_close(pcap_);
}

// libpcap has read and checked the file header; the chunked path takes the file when that
// header is little-endian classic pcap 2.4. Anything else (pcapng, big-endian, other versions
// and formats), or a file that cannot be opened again, stays with libpcap.
void pcap_file_reader::start_in_place(const std::string& path, size_t chunk_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  uint8_t header[file_header_bytes];  // read(2) leaves the descriptor at the first record
  if (::read(fd, header, sizeof header) != static_cast<ssize_t>(sizeof header)) {
    ::close(fd);
    return;
  }
  const uint32_t magic = read_le32(header);
  if ((magic != magic_us && magic != magic_ns) || read_le16(header + 4) != 2 || read_le16(header + 6) != 4) {
    ::close(fd);
    return;
  }
  fd_ = fd;
  nanoseconds_ = magic == magic_ns;
  // Longer packets go to libpcap, which cuts them to its snapshot length (after its own sanity
  // fixes of the header's) or refuses those above its maximum (262,144 bytes for most links).
  snapshot_ = std::min(static_cast<uint32_t>(pcap_snapshot(pcap_)), max_in_place_packet);
  chunk_.resize(chunk_bytes);
  chunk_offset_ = file_header_bytes;
}

// Moves what is left of the chunk to its front and reads until `want` bytes are there, the
// chunk is full or the file ends. False when fewer than `want` bytes are left in the file (or a
// read failed: libpcap, reading the same bytes, then reports it).
bool pcap_file_reader::fill(size_t want) {
  if (chunk_end_ - chunk_begin_ >= want)
    return true;
  if (chunk_begin_ > 0) {
    std::memmove(chunk_.data(), chunk_.data() + chunk_begin_, chunk_end_ - chunk_begin_);
    chunk_offset_ += chunk_begin_;
    chunk_end_ -= chunk_begin_;
    chunk_begin_ = 0;
  }
  while (!at_eof_ && chunk_end_ < chunk_.size()) {
    const ssize_t n = ::read(fd_, chunk_.data() + chunk_end_, chunk_.size() - chunk_end_);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      at_eof_ = true;
      read_failed_ = n < 0;
      break;
    }
    chunk_end_ += static_cast<size_t>(n);
    if (chunk_end_ - chunk_begin_ >= want)
      break;
  }
  return chunk_end_ - chunk_begin_ >= want;
}

pcap_file_reader::chunk_result pcap_file_reader::next_in_place(timestamp_ns& ts, const uint8_t*& data,
                                                               uint32_t& caplen, uint32_t& wirelen) {
  // The end of the file at a record boundary ends it; anything else (a record cut short, a
  // failed read) is libpcap's to read again and report.
  if (!fill(record_header_bytes))
    return chunk_end_ == chunk_begin_ && !read_failed_ ? chunk_result::end : chunk_result::hand_over;
  const uint8_t* h = chunk_.data() + chunk_begin_;
  const uint32_t cap = read_le32(h + 8);
  if (cap > snapshot_ || record_header_bytes + cap > chunk_.size() ||
      !fill(record_header_bytes + cap))
    return chunk_result::hand_over;
  h = chunk_.data() + chunk_begin_;  // fill may have moved the record to the front
  // Both time fields are signed 32 bits in libpcap (times past 2038 come out before 1970, a
  // fraction with the top bit set is negative): the same here, so a file reads the same on
  // either path.
  const auto seconds = static_cast<int32_t>(read_le32(h));
  const auto fraction = static_cast<int32_t>(read_le32(h + 4));
  ts = static_cast<timestamp_ns>(seconds) * ns_per_second +
       static_cast<timestamp_ns>(fraction) * (nanoseconds_ ? 1 : 1000);
  caplen = cap;
  wirelen = read_le32(h + 12);
  data = h + record_header_bytes;
  chunk_begin_ += record_header_bytes + cap;
  return chunk_result::frame;
}

void pcap_file_reader::hand_over() {
  const uint64_t record = chunk_offset_ + chunk_begin_;
  ::close(fd_);
  fd_ = -1;
  chunk_ = {};
  if (std::fseek(pcap_file(pcap_), static_cast<long>(record), SEEK_SET) != 0)
    error_ = "cannot seek to byte " + std::to_string(record) + ": " + std::strerror(errno);
}

pcap_file_reader::status pcap_file_reader::next(timestamp_ns& ts, const uint8_t*& data,
                                                uint32_t& caplen, uint32_t& wirelen) {
  if (fd_ >= 0) {
    switch (next_in_place(ts, data, caplen, wirelen)) {
      case chunk_result::frame:
        ++frames_;
        return status::frame;
      case chunk_result::end:
        return status::end;
      case chunk_result::hand_over:
        hand_over();
        if (!error_.empty())
          return status::error;
        break;
    }
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* bytes = nullptr;
  const int rc = pcap_next_ex(pcap_, &hdr, &bytes);
  if (rc == 1) {
    ++frames_;
    ts = static_cast<timestamp_ns>(hdr->ts.tv_sec) * ns_per_second + hdr->ts.tv_usec;
    data = bytes;
    caplen = hdr->caplen;
    wirelen = hdr->len;
    return status::frame;
  }
  if (rc == PCAP_ERROR_BREAK)
    return status::end;
  error_ = pcap_geterr(pcap_);
  return status::error;
}

uint64_t pcap_file_reader::position() const {
  if (fd_ >= 0)
    return chunk_offset_ + chunk_begin_;
  FILE* f = pcap_file(pcap_);
  if (!f)
    return 0;
  const long pos = std::ftell(f);
  return pos < 0 ? 0 : static_cast<uint64_t>(pos);
}

}  // namespace voxmon::core
