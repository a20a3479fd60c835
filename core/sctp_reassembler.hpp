#pragma once
// SIP over SCTP (RFC 4168): walks the chunks of an SCTP packet and hands out the user data of
// each DATA chunk as one message. Unfragmented chunks (B and E set) are referenced in place;
// fragmented user messages (B ... E) are collected per association direction and stream, with
// bounded memory, and appended to the arena when the last fragment arrives.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

class sctp_reassembler {
 public:
  struct message {
    bool in_arena;    // false: `offset` is into the chunk bytes passed to add()
    uint32_t offset;
    uint32_t length;
  };
  static constexpr size_t max_message_bytes = 256 * 1024;
  static constexpr size_t max_pending = 1024;

  // `chunks`: the bytes after the SCTP common header; must not point into `arena`.
  void add(const endpoint& src, const endpoint& dst, std::span<const uint8_t> chunks,
           std::vector<uint8_t>& arena);
  const std::vector<message>& messages() const { return done_; }
  uint64_t dropped() const { return dropped_; }  // fragments that could not be completed
  size_t pending() const { return pending_.size(); }

 private:
  struct key {
    endpoint src, dst;
    uint16_t stream;
    friend bool operator==(const key&, const key&) = default;
  };
  struct key_hash {
    size_t operator()(const key& k) const noexcept {
      return (endpoint_hash{}(k.src) * 31 ^ endpoint_hash{}(k.dst)) + k.stream;
    }
  };
  struct partial {
    uint32_t next_tsn = 0;
    std::vector<uint8_t> data;
  };
  std::unordered_map<key, partial, key_hash> pending_;
  std::vector<message> done_;
  uint64_t dropped_ = 0;
};

}  // namespace voxmon::core
