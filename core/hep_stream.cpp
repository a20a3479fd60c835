#include "core/hep_stream.hpp"

#include <cstring>

#include "core/net_types.hpp"

namespace voxmon::core {

namespace {
constexpr uint8_t magic[4] = {'H', 'E', 'P', '3'};
}

bool is_hep_datagram(const uint8_t* data, size_t n) {
  if (n >= 6 && std::memcmp(data, magic, 4) == 0) {
    const size_t total = read_be16(data + 4);
    return total >= 6 && total <= n;
  }
  // HEP v1/v2: version, header length, family, protocol, ports, addresses (+ v2 time)
  if (n < 16 || (data[0] != 1 && data[0] != 2) || (data[2] != 2 && data[2] != 10))
    return false;
  const size_t header = 8 + (data[2] == 10 ? 32 : 8) + (data[0] == 2 ? 12 : 0);
  return n >= header;
}

hep_stream::result hep_stream::feed(const uint8_t* data, size_t n,
                                    std::vector<std::span<const uint8_t>>& out) {
  out.clear();
  if (start_ != 0) {  // the spans of the previous feed are released: drop what they covered
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), data, data + n);
  size_t at = 0;
  const size_t size = buffer_.size();
  while (at < size) {
    const size_t left = size - at;
    const size_t check = left < 4 ? left : 4;
    if (std::memcmp(buffer_.data() + at, magic, check) != 0)
      return result::garbage;
    if (left < 6)
      break;
    const size_t total = read_be16(buffer_.data() + at + 4);
    if (total < 6)
      return result::garbage;
    if (total > max_message_)
      return result::too_large;
    if (left < total)
      break;
    out.emplace_back(buffer_.data() + at, total);
    at += total;
  }
  start_ = at;
  return result::ok;
}

}  // namespace voxmon::core
