#pragma once
// Batches given back by their last holder (router, calls, spool writers), so that a source
// refills memory it has used before instead of new allocations: each new batch's megabyte came
// from fresh pages, and their page faults were a quarter of the capture thread's time with
// saving on (more batches alive while the writers copy). Thread-safe: batches come back on any
// thread.
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/packet_batch.hpp"

namespace voxmon::core {

class batch_pool {
 public:
  explicit batch_pool(size_t max_kept) : max_kept_(max_kept) {}
  // An empty batch: a kept one (its buffers' capacity kept) or a new one.
  std::unique_ptr<packet_batch> take();
  // Shares `b` read-only; when the last holder lets go, it comes back here.
  static batch_ptr share(const std::shared_ptr<batch_pool>& pool, std::unique_ptr<packet_batch> b);
  size_t kept() const;

 private:
  void give_back(packet_batch* b);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<packet_batch>> kept_;
  size_t max_kept_;
};

}  // namespace voxmon::core
