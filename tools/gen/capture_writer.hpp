#pragma once
// Writes pcap (libpcap format, nanosecond or microsecond) or pcapng (SHB, one IDB with
// if_tsresol, one EPB per packet) through a large buffer. libpcap cannot write pcapng, and its
// dumper costs more per packet than this.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace voxmon::gen {

class capture_writer {
 public:
  capture_writer(const std::string& path, int dlt, bool nano, bool pcapng);
  ~capture_writer();
  capture_writer(const capture_writer&) = delete;
  capture_writer& operator=(const capture_writer&) = delete;
  bool ok() const { return file_ != nullptr; }
  void write(int64_t t_ns, const uint8_t* data, size_t len);
  bool close();  // flush; false on a write error

 private:
  void put(const void* p, size_t n);
  void u16(uint16_t v) { put(&v, 2); }
  void u32(uint32_t v) { put(&v, 4); }
  void drain();
  std::FILE* file_ = nullptr;
  bool nano_, pcapng_, error_ = false;
  std::vector<uint8_t> buf_;
  size_t used_ = 0;
};

}  // namespace voxmon::gen
