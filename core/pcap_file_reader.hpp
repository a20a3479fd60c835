#pragma once
// Reads a pcap or pcapng file frame by frame, with nanosecond timestamps.
//
// libpcap opens every file and reads pcapng, byte-swapped and odd files. A little-endian
// classic pcap file (version 2.4, what tcpdump, Wireshark and voxmon write on x86 and ARM) is
// read here instead, in 1 MiB read(2) chunks whose records are handed out in place: libpcap
// reads such a file with two fread calls per record and copies each record twice, a sixth of
// `voxmon -r`'s CPU and a fifth of a mirror sender's. At the first record this path does not
// take as it is (a header or packet cut short by the end of the file, a packet longer than the
// snapshot length or 262,144 bytes, a failed read), libpcap takes over from that record on, so
// every edge case and every error message stays libpcap's.
#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

class pcap_file_reader {
 public:
  static constexpr size_t default_chunk_bytes = 1 << 20;
  // nullptr with a message a user can act on (missing, unreadable, not a capture file).
  // `chunk_bytes`: the chunked path's reads (tests and the fuzzer use small ones; a packet
  // longer than a chunk goes to libpcap).
  static std::unique_ptr<pcap_file_reader> open(const std::string& path, std::string& error,
                                                size_t chunk_bytes = default_chunk_bytes);
  ~pcap_file_reader();

  enum class status { frame, end, error };
  // On `frame`, the pointers stay valid until the next call.
  status next(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen, uint32_t& wirelen);

  int link_type() const { return link_type_; }
  const std::string& error() const { return error_; }  // after status::error
  uint64_t frames_read() const { return frames_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t position() const;                          // bytes consumed so far (progress)
  bool reads_in_place() const { return fd_ >= 0; }    // the chunked path (tests, benchmarks)

 private:
  enum class chunk_result { frame, end, hand_over };
  pcap_file_reader(pcap_t* p, uint64_t size) : pcap_(p), file_size_(size) {}
  void start_in_place(const std::string& path, size_t chunk_bytes);  // little-endian classic pcap
  chunk_result next_in_place(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen, uint32_t& wirelen);
  bool fill(size_t want);                          // at least `want` bytes from chunk_begin_
  void hand_over();                                // libpcap goes on from the current record
  pcap_t* pcap_;
  std::unique_ptr<char[]> read_buffer_;  // the FILE's buffer: outlives pcap_ (freed after pcap_close)
  int link_type_ = 0;
  uint64_t file_size_;
  uint64_t frames_ = 0;
  std::string error_;
  // The chunked path: records in chunk_[chunk_begin_, chunk_end_), chunk_[0] at chunk_offset_.
  int fd_ = -1;
  bool nanoseconds_ = false;
  uint32_t snapshot_ = 0;
  bool at_eof_ = false;      // read(2) gave 0 or failed: no more reads
  bool read_failed_ = false;  // it failed (libpcap reads from there and reports the error)
  std::vector<uint8_t> chunk_;
  size_t chunk_begin_ = 0, chunk_end_ = 0;
  uint64_t chunk_offset_ = 0;
};

}  // namespace voxmon::core
