#pragma once
// The mirror sender's frames that the receiver may still need, by sequence number, within a
// memory bound that spills to one file on disk (packetbuffer_file_path) within a disk bound.
//
// Each frame is in one of three ranges, in sequence order:
//   [cover_begin, durable)    gone (the receiver has every call that needed them stored)
//   [cover_begin, delivered)  "replay cover": the receiver processed them, but calls that use
//                             them are still open there; kept so that a restarted receiver can
//                             rebuild those calls. Evicted first (oldest first) when a bound is
//                             reached; evicting them loses nothing that was not processed.
//   [delivered, next_seq)     not yet processed by the receiver: sent again after a reconnect.
// A frame pushed while the bounds are full even without any cover is dropped: its sequence
// number is used up (the receiver sees the gap and counts it) and lost_frames() counts it here.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace voxmon::core {

// A kept frame, shared read-only: the sender sends it without copying it out of the buffer.
using shared_frame = std::shared_ptr<const std::string>;

struct mirror_buffer_options {
  uint64_t memory_bytes = 64ull << 20;  // frames kept in memory
  std::string spill_path;               // empty: no disk, memory only
  uint64_t disk_bytes = 0;              // bound on the spill file's size
};

class mirror_buffer {
 public:
  // Opens (truncates) the spill file when one is configured; nullptr with `error` otherwise.
  static std::unique_ptr<mirror_buffer> open(mirror_buffer_options o, std::string& error);
  ~mirror_buffer();

  // Stores the next frame under next_seq() (which then advances); false when it was dropped.
  bool push(std::string frame);
  uint64_t next_seq() const { return next_seq_; }

  // The receiver has processed every frame below `seq` / no longer needs any frame below `seq`
  // (durable <= delivered is kept whatever order the acknowledgements arrive in; values out of
  // range are clamped).
  void mark_delivered(uint64_t seq);
  void mark_durable(uint64_t seq);
  uint64_t delivered() const { return delivered_; }
  uint64_t durable() const { return durable_; }

  // The kept frame with the smallest sequence number >= seq, or nothing; `frame` receives its
  // bytes (shared from memory, or read back from disk). Used to send, and to resend after a
  // reconnect from oldest_kept().
  std::optional<uint64_t> read(uint64_t seq, shared_frame& frame);
  uint64_t oldest_kept() const;  // next_seq() when nothing is kept

  uint64_t lost_frames() const { return lost_; }          // pushed while full: dropped
  uint64_t evicted_frames() const { return evicted_; }    // cover given up for room
  uint64_t memory_bytes() const { return memory_used_; }
  uint64_t disk_bytes() const;                            // size of the spill file in use
  size_t frames() const { return entries_.size(); }
  std::string last_error() const { return error_; }       // a failed disk write or read

 private:
  struct entry {
    uint64_t seq = 0;
    uint64_t size = 0;
    uint64_t offset = 0;  // in the spill file when on_disk
    bool on_disk = false;
    shared_frame bytes;   // the frame when in memory
  };
  explicit mirror_buffer(mirror_buffer_options o);
  bool fits_memory(uint64_t size) const { return memory_used_ + size <= o_.memory_bytes; }
  bool fits_disk(uint64_t size) const { return fd_ >= 0 && file_end_ + size <= o_.disk_bytes; }
  bool make_room(uint64_t size);           // evicts cover when (only when) that makes room
  bool spill(const std::string& frame);    // appends at file_end_; false with error_ set
  void release_front();                    // drops entries_.front() and frees its space
  mirror_buffer_options o_;
  std::deque<entry> entries_;
  uint64_t next_seq_ = 0, delivered_ = 0, durable_ = 0;
  uint64_t durable_ack_ = 0;  // the highest durable acknowledgement, applied up to delivered_
  uint64_t lost_ = 0, evicted_ = 0, memory_used_ = 0;
  int fd_ = -1;
  uint64_t file_end_ = 0;
  size_t disk_entries_ = 0;  // entries in the spill file; 0: the file is truncated
  std::string error_;
};

}  // namespace voxmon::core
