// Address parsing and printing. IPv6 text follows RFC 5952 the way glibc's inet_ntop (and so
// tshark on Linux) prints it: lower-case hex, no leading zeros, the longest run (first on a tie)
// of two or more zero groups shortened to "::", and dotted IPv4 for the last 32 bits of
// IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
#include "core/net_types.hpp"

#include <arpa/inet.h>

namespace voxmon::core {

ip_address ip_address::from_v4(const uint8_t* four_bytes) {
  ip_address a;
  std::memcpy(a.bytes.data(), four_bytes, 4);
  return a;
}

ip_address ip_address::from_v6(const uint8_t* sixteen_bytes) {
  ip_address a;
  std::memcpy(a.bytes.data(), sixteen_bytes, 16);
  a.is_v6 = true;
  return a;
}

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  // The longest valid form is 45 characters (IPv6 with an embedded dotted quad).
  if (text.empty() || text.size() > 45)
    return std::nullopt;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (std::memchr(buf, '\0', text.size()) != nullptr)  // embedded NUL: reject, not truncate
    return std::nullopt;
  uint8_t raw[16];
  if (text.find(':') != std::string_view::npos) {
    if (inet_pton(AF_INET6, buf, raw) != 1)
      return std::nullopt;
    return from_v6(raw);
  }
  if (inet_pton(AF_INET, buf, raw) != 1)  // strict dotted quad: no octal, no short forms
    return std::nullopt;
  return from_v4(raw);
}

namespace {

char* put_dec(char* p, unsigned v) {
  if (v >= 100)
    *p++ = static_cast<char>('0' + v / 100);
  if (v >= 10)
    *p++ = static_cast<char>('0' + v / 10 % 10);
  *p++ = static_cast<char>('0' + v % 10);
  return p;
}

char* put_v4(char* p, const uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i)
      *p++ = '.';
    p = put_dec(p, b[i]);
  }
  return p;
}

char* put_hex16(char* p, unsigned v) {
  static constexpr char digits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 0xf;
    if (d || started || shift == 0) {
      *p++ = digits[d];
      started = true;
    }
  }
  return p;
}

}  // namespace

std::string ip_address::to_string() const {
  char buf[64];
  char* p = buf;
  if (!is_v6)
    return {buf, put_v4(p, bytes.data())};

  unsigned words[8];
  for (int i = 0; i < 8; ++i)
    words[i] = read_be16(bytes.data() + 2 * i);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0)
      ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2)
    best = -1;

  for (int i = 0; i < 8; ++i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best)
        *p++ = ':';
      continue;
    }
    if (i)
      *p++ = ':';
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
      p = put_v4(p, bytes.data() + 12);
      break;
    }
    p = put_hex16(p, words[i]);
  }
  if (best >= 0 && best + best_len == 8)
    *p++ = ':';
  return {buf, p};
}

std::string endpoint::to_string() const {
  std::string s;
  s.reserve(48);
  if (addr.is_v6) {
    s += '[';
    s += addr.to_string();
    s += ']';
  } else {
    s += addr.to_string();
  }
  s += ':';
  s += std::to_string(port);
  return s;
}

}  // namespace voxmon::core
