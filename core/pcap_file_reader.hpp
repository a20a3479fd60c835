#pragma once
// Reads a pcap or pcapng file frame by frame through libpcap, with nanosecond timestamps.
#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/net_types.hpp"

namespace voxmon::core {

class pcap_file_reader {
 public:
  // nullptr with a message a user can act on (missing, unreadable, not a capture file).
  static std::unique_ptr<pcap_file_reader> open(const std::string& path, std::string& error);
  ~pcap_file_reader();

  enum class status { frame, end, error };
  // On `frame`, the pointers stay valid until the next call.
  status next(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen, uint32_t& wirelen);

  int link_type() const { return link_type_; }
  const std::string& error() const { return error_; }  // after status::error
  uint64_t frames_read() const { return frames_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t position() const;                          // bytes consumed so far (progress)

 private:
  pcap_file_reader(pcap_t* p, uint64_t size) : pcap_(p), file_size_(size) {}
  pcap_t* pcap_;
  std::unique_ptr<char[]> read_buffer_;  // the FILE's buffer: outlives pcap_ (freed after pcap_close)
  int link_type_ = 0;
  uint64_t file_size_;
  uint64_t frames_ = 0;
  std::string error_;
};

}  // namespace voxmon::core
