#pragma once
// The CDR journal: an append-only file of CDRs waiting for the database. Each record is
// [u32 length][u32 CRC-32 of the payload][payload = encode_cdr()], little-endian. A torn last
// record (a crash while appending) is ignored on reading; anything unreadable in the middle
// stops the reading and is reported. The file survives a restart and is replayed at start.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/cdr.hpp"

namespace voxmon::store {

enum class fsync_policy { always, batch, none };
fsync_policy parse_fsync_policy(const std::string& text);  // "always" | "batch" | other = none

class cdr_journal {
 public:
  static std::unique_ptr<cdr_journal> open(const std::string& path, fsync_policy policy,
                                           std::string& error);
  ~cdr_journal();
  cdr_journal(const cdr_journal&) = delete;
  cdr_journal& operator=(const cdr_journal&) = delete;

  std::string append(std::span<const core::cdr> batch);  // error text, empty on success
  // Reads up to `max` records from byte `offset`; `next` is the offset after the last one read.
  // `warning` tells about unreadable bytes (then `next` stops there).
  std::vector<core::cdr> read(uint64_t offset, size_t max, uint64_t& next, std::string& warning);
  std::string clear();  // everything was replayed: truncate to zero bytes
  uint64_t size() const { return size_; }
  uint64_t records() const { return records_; }  // records in the file (readable or not)
  bool empty() const { return size_ == 0; }
  const std::string& path() const { return path_; }

 private:
  cdr_journal(int fd, std::string path, fsync_policy p, uint64_t size, uint64_t records)
      : fd_(fd), path_(std::move(path)), policy_(p), size_(size), records_(records) {}
  int fd_;
  std::string path_;
  fsync_policy policy_;
  uint64_t size_;
  uint64_t records_;
};

// Appends a refused CDR with the reason to a JSON Lines dead-letter file.
std::string append_dead_letter(const std::string& path, const core::cdr& c,
                               const std::string& reason);

}  // namespace voxmon::store
