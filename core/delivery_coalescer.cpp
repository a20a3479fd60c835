#include "core/delivery_coalescer.hpp"

namespace voxmon::core {

void delivery_coalescer::append(entry& e, std::span<const batch_ptr> batches,
                                std::vector<routed_packet>& packets) {
  if (batches.size() > 1) {
    // A merge round: packets of several batches, interleaved.
    for (auto& rp : packets) {
      const batch_ptr& b = batches[rp.batch];
      size_t slot = e.p.batches.size();
      while (slot > 0 && e.p.batches[slot - 1] != b)
        --slot;
      if (slot == 0) {
        e.p.batches.push_back(b);
        slot = e.p.batches.size();
      }
      rp.batch = static_cast<uint8_t>(slot - 1);
    }
    e.p.packets.insert(e.p.packets.end(), packets.begin(), packets.end());
    return;
  }
  const batch_ptr& batch = batches.front();
  if (e.p.batches.empty() || e.p.batches.back() != batch)
    e.p.batches.push_back(batch);
  const auto slot = static_cast<uint8_t>(e.p.batches.size() - 1);
  for (auto& rp : packets)
    rp.batch = slot;
  if (e.p.packets.empty())
    e.p.packets = std::move(packets);  // the common case: no copy
  else
    e.p.packets.insert(e.p.packets.end(), packets.begin(), packets.end());
}

}  // namespace voxmon::core
