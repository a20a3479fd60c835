#include "core/delivery_coalescer.hpp"

namespace voxmon::core {

void delivery_coalescer::append(entry& e, const batch_ptr& batch,
                                std::vector<routed_packet>& packets) {
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
