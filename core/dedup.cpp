#include "core/dedup.hpp"

namespace voxmon::core {

namespace {

constexpr uint64_t fnv_offset = 1469598103934665603ull;
constexpr uint64_t fnv_prime = 1099511628211ull;

void fnv(uint64_t& h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= fnv_prime;
  }
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Offset of the IP header and its ethertype-like version, or nullopt.
std::optional<uint32_t> ip_offset(int link_type, const uint8_t* d, uint32_t len) {
  uint32_t off = 0;
  uint16_t type = 0;
  switch (link_type) {
    case 1:  // Ethernet
      if (len < 14)
        return std::nullopt;
      type = be16(d + 12);
      off = 14;
      while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && len >= off + 4) {
        type = be16(d + off + 2);
        off += 4;
      }
      break;
    case 113:  // Linux cooked v1
      if (len < 16)
        return std::nullopt;
      type = be16(d + 14);
      off = 16;
      break;
    case 276:  // Linux cooked v2
      if (len < 20)
        return std::nullopt;
      type = be16(d);
      off = 20;
      break;
    case 12:
    case 14:
    case 101:  // raw IP
      return 0;
    case 0:
    case 108:  // BSD loopback: 4-byte family
      return len >= 4 ? std::optional<uint32_t>(4) : std::nullopt;
    default:
      return std::nullopt;
  }
  if (type != 0x0800 && type != 0x86dd)
    return std::nullopt;
  return off;
}

}  // namespace

std::optional<uint64_t> dedup_hash(int link_type, const uint8_t* data, uint32_t caplen) {
  auto off = ip_offset(link_type, data, caplen);
  if (!off || *off >= caplen)
    return std::nullopt;
  const uint8_t* ip = data + *off;
  const uint32_t n = caplen - *off;
  uint64_t h = fnv_offset;
  const uint8_t version = ip[0] >> 4;
  if (version == 4) {
    if (n < 20)
      return std::nullopt;
    fnv(h, ip, 8);             // version .. fragment offset
    fnv(h, ip + 9, 1);         // protocol (TTL at 8 skipped)
    fnv(h, ip + 12, n - 12);   // addresses, options, payload (checksum at 10-11 skipped)
  } else if (version == 6) {
    if (n < 40)
      return std::nullopt;
    fnv(h, ip, 7);             // version .. next header (hop limit at 7 skipped)
    fnv(h, ip + 8, n - 8);
  } else {
    return std::nullopt;
  }
  return h;
}

void dedup_window::expire(timestamp_ns now) {
  while (!order_.empty() &&
         (order_.front().first + window_ < now || order_.size() > max_entries_)) {
    auto [ts, hash] = order_.front();
    order_.pop_front();
    auto it = last_seen_.find(hash);
    if (it != last_seen_.end() && it->second == ts)
      last_seen_.erase(it);
  }
}

bool dedup_window::duplicate(uint64_t hash, timestamp_ns ts) {
  if (ts > newest_)
    newest_ = ts;
  expire(newest_);
  auto it = last_seen_.find(hash);
  if (it != last_seen_.end()) {
    const timestamp_ns d = ts >= it->second ? ts - it->second : it->second - ts;
    if (d <= window_)
      return true;
    it->second = ts;
  } else {
    last_seen_.emplace(hash, ts);
  }
  order_.emplace_back(ts, hash);
  return false;
}

}  // namespace voxmon::core
