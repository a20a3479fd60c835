#include "core/mirror_buffer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace voxmon::core {

namespace {

std::string io_error(const char* what, const std::string& path, int err) {
  return std::string(what) + " spill file '" + path + "': " + std::strerror(err);
}

}  // namespace

mirror_buffer::mirror_buffer(mirror_buffer_options o) : o_(std::move(o)) {}

std::unique_ptr<mirror_buffer> mirror_buffer::open(mirror_buffer_options o, std::string& error) {
  std::unique_ptr<mirror_buffer> b(new mirror_buffer(std::move(o)));
  if (!b->o_.spill_path.empty()) {
    b->fd_ = ::open(b->o_.spill_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (b->fd_ < 0) {
      error = io_error("cannot open the", b->o_.spill_path, errno);
      return nullptr;
    }
  }
  return b;
}

mirror_buffer::~mirror_buffer() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(o_.spill_path.c_str());
  }
}

bool mirror_buffer::push(std::string frame) {
  const uint64_t seq = next_seq_++;
  const uint64_t size = frame.size();
  if (!fits_memory(size) && !fits_disk(size) && !make_room(size)) {
    ++lost_;
    return false;
  }
  entry e;
  e.seq = seq;
  e.size = size;
  if (fits_memory(size)) {
    e.bytes = std::make_shared<const std::string>(std::move(frame));
    memory_used_ += size;
  } else {
    if (!spill(frame)) {
      ++lost_;
      return false;
    }
    e.on_disk = true;
    e.offset = file_end_;
    file_end_ += size;
    ++disk_entries_;
  }
  entries_.push_back(std::move(e));
  return true;
}

// Walks the replay cover oldest first until giving it up would make room for `size` (memory
// frees per frame; the spill file only once no frame is left in it), then evicts exactly that
// prefix. When even the whole cover would not make room, nothing is evicted: dropping cover
// for a frame that is lost anyway would only cost a restarted receiver those calls.
bool mirror_buffer::make_room(uint64_t size) {
  size_t count = 0, disk_gone = 0;
  uint64_t memory_freed = 0;
  bool room = false;
  while (!room && count < entries_.size() && entries_[count].seq < delivered_) {
    const entry& e = entries_[count++];
    if (e.on_disk)
      ++disk_gone;
    else
      memory_freed += e.size;
    room = memory_used_ - memory_freed + size <= o_.memory_bytes ||
           (fd_ >= 0 && disk_gone == disk_entries_ && size <= o_.disk_bytes);
  }
  if (!room)
    return false;
  for (; count > 0; --count) {
    release_front();
    ++evicted_;
  }
  return true;
}

bool mirror_buffer::spill(const std::string& frame) {
  const char* p = frame.data();
  size_t left = frame.size();
  off_t at = static_cast<off_t>(file_end_);
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error_ = io_error("cannot write the", o_.spill_path, n < 0 ? errno : ENOSPC);
      // A partial write leaves bytes past file_end_: cut them so the file stays within bound
      // (best effort; error_ already reports the failure).
      [[maybe_unused]] const int rc = ::ftruncate(fd_, static_cast<off_t>(file_end_));
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
    at += n;
  }
  return true;
}

void mirror_buffer::release_front() {
  entry& e = entries_.front();
  if (e.on_disk) {
    if (--disk_entries_ == 0) {
      file_end_ = 0;
      if (::ftruncate(fd_, 0) != 0)
        error_ = io_error("cannot truncate the", o_.spill_path, errno);
    }
  } else {
    memory_used_ -= e.size;
  }
  entries_.pop_front();
}

void mirror_buffer::mark_delivered(uint64_t seq) {
  delivered_ = std::max(delivered_, std::min(seq, next_seq_));
  // A durable acknowledgement that arrived ahead of its delivery applies now.
  mark_durable(durable_ack_);
}

void mirror_buffer::mark_durable(uint64_t seq) {
  durable_ack_ = std::max(durable_ack_, std::min(seq, next_seq_));
  durable_ = std::max(durable_, std::min(durable_ack_, delivered_));
  while (!entries_.empty() && entries_.front().seq < durable_)
    release_front();
}

std::optional<uint64_t> mirror_buffer::read(uint64_t seq, shared_frame& frame) {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                                   [](const entry& e, uint64_t s) { return e.seq < s; });
  if (it == entries_.end())
    return std::nullopt;
  if (!it->on_disk) {
    frame = it->bytes;
    return it->seq;
  }
  auto bytes = std::make_shared<std::string>(it->size, '\0');
  char* p = bytes->data();
  size_t left = bytes->size();
  off_t at = static_cast<off_t>(it->offset);
  while (left > 0) {
    const ssize_t n = ::pread(fd_, p, left, at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error_ = n < 0 ? io_error("cannot read the", o_.spill_path, errno)
                     : "the spill file '" + o_.spill_path + "' ends before frame " +
                           std::to_string(it->seq);
      frame.reset();
      return std::nullopt;
    }
    p += n;
    left -= static_cast<size_t>(n);
    at += n;
  }
  frame = std::move(bytes);
  return it->seq;
}

uint64_t mirror_buffer::oldest_kept() const {
  return entries_.empty() ? next_seq_ : entries_.front().seq;
}

uint64_t mirror_buffer::disk_bytes() const { return file_end_; }

}  // namespace voxmon::core
