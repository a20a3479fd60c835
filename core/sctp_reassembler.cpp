#include "core/sctp_reassembler.hpp"

namespace voxmon::core {

namespace {
constexpr uint8_t chunk_data = 0;
constexpr uint8_t flag_end = 0x01, flag_begin = 0x02;
constexpr size_t data_header = 16;  // type, flags, length, TSN, stream id, SSN, PPID
}  // namespace

void sctp_reassembler::add(const endpoint& src, const endpoint& dst,
                           std::span<const uint8_t> chunks, std::vector<uint8_t>& arena) {
  done_.clear();
  for (size_t at = 0; chunks.size() - at >= 4;) {
    const uint8_t* c = chunks.data() + at;
    const size_t len = read_be16(c + 2);
    if (len < 4 || len > chunks.size() - at)
      break;
    if (c[0] == chunk_data && len > data_header) {
      const uint8_t flags = c[1] & (flag_begin | flag_end);
      const uint32_t tsn = read_be32(c + 4);
      const auto body = chunks.subspan(at + data_header, len - data_header);
      if (flags == (flag_begin | flag_end)) {
        done_.push_back({false, static_cast<uint32_t>(at + data_header),
                         static_cast<uint32_t>(body.size())});
      } else {
        const key k{src, dst, read_be16(c + 8)};
        auto it = pending_.find(k);
        if (flags & flag_begin) {
          if (it == pending_.end()) {
            if (pending_.size() >= max_pending) {
              ++dropped_;
              at += (len + 3) & ~size_t{3};
              continue;
            }
            it = pending_.try_emplace(k).first;
          } else {
            ++dropped_;  // the previous message never ended
          }
          it->second.data.assign(body.begin(), body.end());
          it->second.next_tsn = tsn + 1;
        } else if (it == pending_.end() || it->second.next_tsn != tsn ||
                   it->second.data.size() + body.size() > max_message_bytes) {
          ++dropped_;  // a middle or last fragment without its beginning, or out of order
          if (it != pending_.end())
            pending_.erase(it);
        } else {
          auto& p = it->second;
          p.data.insert(p.data.end(), body.begin(), body.end());
          p.next_tsn = tsn + 1;
          if (flags & flag_end) {
            done_.push_back({true, static_cast<uint32_t>(arena.size()),
                             static_cast<uint32_t>(p.data.size())});
            arena.insert(arena.end(), p.data.begin(), p.data.end());
            pending_.erase(it);
          }
        }
      }
    }
    at += (len + 3) & ~size_t{3};
    if (at > chunks.size())
      break;
  }
}

}  // namespace voxmon::core
