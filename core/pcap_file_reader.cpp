#include "core/pcap_file_reader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace voxmon::core {

namespace {
constexpr size_t read_buffer_bytes = 1 << 20;
}

std::unique_ptr<pcap_file_reader> pcap_file_reader::open(const std::string& path,
                                                         std::string& error) {
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
  auto buffer = std::make_unique<char[]>(read_buffer_bytes);
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
  return r;
}

pcap_file_reader::~pcap_file_reader() {
  pcap_close(pcap_);
}

pcap_file_reader::status pcap_file_reader::next(timestamp_ns& ts, const uint8_t*& data,
                                                uint32_t& caplen, uint32_t& wirelen) {
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
  FILE* f = pcap_file(pcap_);
  if (!f)
    return 0;
  const long pos = std::ftell(f);
  return pos < 0 ? 0 : static_cast<uint64_t>(pos);
}

}  // namespace voxmon::core
