#include "core/batch_pool.hpp"

namespace voxmon::core {

namespace {
// A batch that grew far beyond the usual (a burst of reassembled TCP, say) is not kept.
constexpr size_t max_kept_batch_bytes = 16u << 20;

size_t capacity_bytes(const packet_batch& b) {
  return b.raw.capacity() + b.arena.capacity() + b.fragment_raw.capacity() +
         b.frames.capacity() * sizeof(frame_record) + b.packets.capacity() * sizeof(decoded_packet);
}

// Empties every buffer of `b`, keeping their capacity.
void clear_batch(packet_batch& b) {
  b.link_type = 1;
  b.id_sensor = 0;
  b.source_mark = 0;
  b.raw.clear();
  b.frames.clear();
  b.arena.clear();
  b.packets.clear();
  b.classes.clear();
  b.fragment_raw.clear();
  b.fragment_frames.clear();
  b.fragment_lists.clear();
}

}  // namespace

std::unique_ptr<packet_batch> batch_pool::take() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!kept_.empty()) {
      auto b = std::move(kept_.back());
      kept_.pop_back();
      return b;
    }
  }
  return std::make_unique<packet_batch>();
}

batch_ptr batch_pool::share(const std::shared_ptr<batch_pool>& pool, std::unique_ptr<packet_batch> b) {
  return batch_ptr(b.release(), [pool](const packet_batch* done) {
    pool->give_back(const_cast<packet_batch*>(done));  // the pool made it mutable; now no one reads it
  });
}

void batch_pool::give_back(packet_batch* b) {
  std::unique_ptr<packet_batch> owned(b);
  if (capacity_bytes(*owned) > max_kept_batch_bytes)
    return;
  clear_batch(*owned);
  std::lock_guard<std::mutex> lock(mutex_);
  if (kept_.size() < max_kept_)
    kept_.push_back(std::move(owned));
}

size_t batch_pool::kept() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kept_.size();
}

}  // namespace voxmon::core
