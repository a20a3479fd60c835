#pragma once
// Basic value types shared by every layer: addresses, endpoints, packet time.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace voxmon::core {

// Packet time: nanoseconds since the Unix epoch, taken from the capture timestamp.
using timestamp_ns = int64_t;
constexpr timestamp_ns ns_per_second = 1'000'000'000;

// An IPv4 or IPv6 address. IPv4 lives in bytes[0..3]; the rest stays zero.
struct ip_address {
  std::array<uint8_t, 16> bytes{};
  bool is_v6 = false;

  static ip_address from_v4(const uint8_t* four_bytes);
  static ip_address from_v6(const uint8_t* sixteen_bytes);
  // Accepts dotted IPv4 and any RFC 4291 IPv6 text form (also "[...]"); nullopt otherwise.
  static std::optional<ip_address> parse(std::string_view text);
  std::string to_string() const;

  friend bool operator==(const ip_address&, const ip_address&) = default;
  friend auto operator<=>(const ip_address&, const ip_address&) = default;
};

struct endpoint {
  ip_address addr;
  uint16_t port = 0;
  std::string to_string() const;  // "1.2.3.4:5060" or "[::1]:5060"
  friend bool operator==(const endpoint&, const endpoint&) = default;
  friend auto operator<=>(const endpoint&, const endpoint&) = default;
};

struct endpoint_hash {
  size_t operator()(const endpoint& e) const noexcept {
    uint64_t a, b;
    std::memcpy(&a, e.addr.bytes.data(), 8);
    std::memcpy(&b, e.addr.bytes.data() + 8, 8);
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6));
    h ^= (uint64_t{e.port} << 1) ^ (e.addr.is_v6 ? 0x5bd1e995ull : 0);
    h *= 0xff51afd7ed558ccdull;
    return static_cast<size_t>(h ^ (h >> 33));
  }
};

// Reads big-endian integers from packet bytes; callers check the length first.
inline uint16_t read_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint16_t read_le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t read_le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t read_le64(const uint8_t* p) { return read_le32(p) | (uint64_t{read_le32(p + 4)} << 32); }
inline void write_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void write_le64(uint8_t* p, uint64_t v) {
  write_le32(p, static_cast<uint32_t>(v));
  write_le32(p + 4, static_cast<uint32_t>(v >> 32));
}

// Appends an unsigned integer little-endian to a byte container (std::string or
// std::vector<uint8_t>): the records of our own files and frames.
template <class Bytes, class T>
void append_le(Bytes& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<typename Bytes::value_type>(static_cast<uint64_t>(v) >> (8 * i)));
}

}  // namespace voxmon::core
