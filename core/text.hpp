#pragma once
// ASCII text helpers shared by the SIP, SDP and body parsers (no locale, no allocation).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace voxmon::core::text {

inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Space, tab, CR or LF.
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Without leading and trailing spaces, tabs, CRs and LFs.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// A lower-case copy (for keys and names compared case-insensitively).
inline std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (auto& ch : out)
    ch = lower(ch);
  return out;
}

// The characters in reverse order, UTF-8 sequences kept whole (MySQL's REVERSE()): the
// caller_reverse / called_reverse columns that serve suffix searches as prefix ranges.
inline std::string utf8_reverse(std::string_view v) {
  std::string out(v.size(), '\0');
  size_t end = v.size();
  for (size_t i = 0; i < v.size();) {
    size_t n = 1;
    while (i + n < v.size() && (static_cast<unsigned char>(v[i + n]) & 0xc0) == 0x80)
      ++n;
    end -= n;
    out.replace(end, n, v.substr(i, n));
    i += n;
  }
  return out;
}

// Decimal digits only, no sign, value <= max. nullopt otherwise (also when empty).
inline std::optional<uint32_t> parse_decimal(std::string_view s, uint32_t max) {
  if (s.empty() || s.size() > 10)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c))
      return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max)
    return std::nullopt;
  return static_cast<uint32_t>(v);
}

}  // namespace voxmon::core::text
