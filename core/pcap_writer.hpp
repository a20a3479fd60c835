#pragma once
// Small pcap file writer and reader for the per-call spool (no libpcap dump handle: the writer
// must append to an existing file, buffer its own records, report errno-level errors, and
// optionally gzip). Files are classic pcap with nanosecond timestamps (magic 0xa1b23c4d) and
// the capture's own link type, which tshark, Wireshark, tcpdump and sngrep (libpcap >= 1.5)
// read as they are. A gzip file is a sequence of gzip members (one per open/close), which
// zcat, gunzip and Wireshark read as one stream.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

enum class pcap_compression : uint8_t { none, gzip };
std::optional<pcap_compression> parse_pcap_compression(std::string_view text);  // "no", "gzip"
const char* pcap_extension(pcap_compression c);  // ".pcap" or ".pcap.gz"

constexpr uint32_t pcap_snaplen = 262144;

// The 24-byte global header (nanosecond magic, little endian).
void append_pcap_header(std::vector<uint8_t>& out, int link_type);

// One record: 16-byte header + data (data.size() = caplen).
constexpr size_t pcap_record_header_bytes = 16;
void append_pcap_record(std::vector<uint8_t>& out, timestamp_ns ts, std::span<const uint8_t> data,
                        uint32_t wirelen);

// Bytes of the RTP header (fixed part, CSRCs, extension) at the start of `payload`, or the
// whole payload when it is too short or not RTP version 2: used for savertp = header.
size_t rtp_header_length(std::span<const uint8_t> payload);

// Fixed-size blocks that hold pcap files' pending records. The files of one spool writer share
// a pool, so their buffers' memory follows the bytes pending (which the writer bounds), not the
// number of open files: a buffer that grew to 64 KB per file made hundreds of MB at thousands of
// calls at once. A block written out goes back to the pool and is the next one filled, while
// it is still in the cache. Not thread-safe: one pool per writer thread.
class chunk_pool {
 public:
  static constexpr size_t chunk_bytes = 8 * 1024;
  // Keeps up to `max_free` blocks for reuse; blocks given back beyond that are freed.
  explicit chunk_pool(size_t max_free = 1024) : max_free_(max_free) {}
  ~chunk_pool();
  chunk_pool(const chunk_pool&) = delete;
  chunk_pool& operator=(const chunk_pool&) = delete;

  uint8_t* take();
  void give(uint8_t* chunk);
  size_t in_use() const { return in_use_; }
  size_t free_count() const { return free_.size(); }

 private:
  std::vector<uint8_t*> free_;
  size_t max_free_;
  size_t in_use_ = 0;
};

class pcap_file {
 public:
  ~pcap_file();
  pcap_file(const pcap_file&) = delete;
  pcap_file& operator=(const pcap_file&) = delete;

  // Opens `path` for appending (creating its directories); writes the global header when the
  // file is new or empty. Pending records are kept in blocks of `pool` (a pool of its own when
  // none is given). nullptr + `error` ("open PATH: Permission denied") on failure.
  static std::unique_ptr<pcap_file> open(const std::string& path, int link_type,
                                         pcap_compression c, std::string& error,
                                         std::shared_ptr<chunk_pool> pool = nullptr);

  // Queues one record; writes once `flush_threshold` bytes are pending. false + error when a
  // write failed (the file is then dead: later appends fail at once).
  bool append(timestamp_ns ts, std::span<const uint8_t> data, uint32_t wirelen, std::string& error);
  bool flush(std::string& error);
  // Flushes and closes; returns false + error when the last writes failed.
  bool close(std::string& error);

  size_t pending() const { return pending_; }
  // Memory the pending records hold: whole blocks of the pool, none once written.
  size_t buffer_capacity() const { return chunks_.size() * chunk_pool::chunk_bytes; }
  // Records queued and not yet handed to the file.
  size_t pending_records() const { return pending_records_; }
  // Bytes handed to the file so far (for gzip: before compression).
  uint64_t bytes_written() const { return written_; }
  // Records handed to the file, and records lost because a write failed (they were queued).
  uint64_t records_written() const { return records_written_; }
  uint64_t records_lost() const { return records_lost_; }
  bool failed() const { return failed_; }
  const std::string& path() const { return path_; }
  // Bytes this handle added to the file on disk (known after close()).
  uint64_t disk_growth() const { return growth_; }
  int link_type() const { return link_type_; }

  size_t flush_threshold = 64 * 1024;
  // Sleep before every write (a slow disk in tests: VOXMON_TEST_SPOOL_WRITE_DELAY_US).
  uint32_t write_delay_us = 0;

 private:
  pcap_file() = default;
  void put(const uint8_t* data, size_t n);
  bool write_chunks(std::string& error);
  bool write_plain(std::string& error);
  void release_chunks();
  // Bytes pending in block i: whole blocks but the last.
  size_t chunk_length(size_t i) const {
    return i + 1 < chunks_.size() ? chunk_pool::chunk_bytes : chunk_pool::chunk_bytes - tail_room_;
  }

  std::string path_;
  int fd_ = -1;
  void* gz_ = nullptr;  // gzFile
  int link_type_ = 1;
  bool failed_ = false;
  uint64_t size_at_open_ = 0;
  uint64_t growth_ = 0;
  uint64_t written_ = 0;
  size_t pending_ = 0;
  size_t pending_records_ = 0;
  uint64_t records_written_ = 0;
  uint64_t records_lost_ = 0;
  std::shared_ptr<chunk_pool> pool_;
  std::vector<uint8_t*> chunks_;  // pending bytes, in order; the last one has `tail_room_` left
  size_t tail_room_ = 0;
};

// One record read back from a pcap (plain or gzip) file.
struct pcap_record {
  timestamp_ns ts = 0;
  uint32_t wirelen = 0;
  std::span<const uint8_t> data;
};

// Reads a classic pcap file, plain or gzip-compressed (micro- or nanosecond, either byte
// order; pcapng is not read here). Calls `on_header(link_type)` once per global header (a
// file appended to after a reopen has only one) and `on_record` per packet. false + error on
// an unreadable or malformed file.
bool read_pcap_file(const std::string& path, const std::function<void(int)>& on_header,
                    const std::function<void(const pcap_record&)>& on_record, std::string& error);

}  // namespace voxmon::core
