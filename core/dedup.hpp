#pragma once
// Deduplication of packets seen twice: the same packet captured on two interfaces (both sides of
// a router, a SPAN port copying both directions) or twice on one. A packet is identified by a
// 64-bit hash of its IP packet without the fields a hop rewrites (IPv4 TTL and header checksum,
// IPv6 hop limit), so the copies hash equal whatever link layer each interface has. A packet is
// a duplicate when the same hash was seen within `window` of packet time.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/net_types.hpp"

namespace voxmon::core {

// The hash of the IP packet inside a frame of `link_type` (Ethernet with VLAN/QinQ tags, Linux
// cooked v1/v2, raw IP, loopback); nullopt when the frame holds no IP packet (ARP, truncated).
std::optional<uint64_t> dedup_hash(int link_type, const uint8_t* data, uint32_t caplen);

class dedup_window {
 public:
  explicit dedup_window(timestamp_ns window = 100'000'000, size_t max_entries = 1 << 16)
      : window_(window), max_entries_(max_entries) {}
  // True when `hash` was seen within the window before `ts` (the packet is a duplicate);
  // otherwise remembers it.
  bool duplicate(uint64_t hash, timestamp_ns ts);
  size_t size() const { return last_seen_.size(); }

 private:
  void expire(timestamp_ns now);
  timestamp_ns window_;
  size_t max_entries_;
  timestamp_ns newest_ = 0;
  std::unordered_map<uint64_t, timestamp_ns> last_seen_;
  std::deque<std::pair<timestamp_ns, uint64_t>> order_;  // insertion order, for expiry
};

// One window shared by the capture threads of several interfaces.
class shared_dedup {
 public:
  explicit shared_dedup(timestamp_ns window = 100'000'000) : w_(window) {}
  bool duplicate(uint64_t hash, timestamp_ns ts) {
    std::lock_guard lock(m_);
    return w_.duplicate(hash, ts);
  }

 private:
  std::mutex m_;
  dedup_window w_;
};

}  // namespace voxmon::core
