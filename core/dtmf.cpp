#include "core/dtmf.hpp"
#include "core/text.hpp"

#include <cctype>
#include <charconv>

namespace voxmon::core {

namespace {

using text::iequals;
using text::trim;

// A digit as written in a SIP INFO body: one of 0-9 * # A-D (any case), or an event number.
char digit_of_text(std::string_view v) {
  v = trim(v);
  if (v.size() == 1) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D'))
      return c;
    return 0;
  }
  unsigned n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc() && ptr == v.data() + v.size() && n <= 16)
    return dtmf_digit_of_event(static_cast<uint8_t>(n));
  return 0;
}

}  // namespace

char dtmf_digit_of_event(uint8_t event) {
  static constexpr char table[] = "0123456789*#ABCDF";
  return event <= 16 ? table[event] : 0;
}

telephone_events_done telephone_event_tracker::add(std::span<const uint8_t> payload,
                                                            uint32_t rtp_ts,
                                                            timestamp_ns arrival,
                                                            uint32_t clock_rate) {
  telephone_events_done out;
  if (payload.size() < 4)
    return out;
  const char digit = dtmf_digit_of_event(payload[0]);
  if (digit == 0)
    return out;  // not a DTMF event (tones, trunk events)
  const bool end = (payload[1] & 0x80) != 0;
  const double duration =
      static_cast<double>(read_be16(payload.data() + 2)) * 1000.0 / (clock_rate ? clock_rate : 8000);
  if (have_last_ && rtp_ts == ts_) {
    if (!active_)
      return out;  // a retransmitted end packet of an event already reported
  } else {
    if (active_)
      out.events[out.count++] = current_;  // the previous event never sent an end packet
    active_ = true;
    have_last_ = true;
    ts_ = rtp_ts;
    current_ = telephone_event{digit, arrival, 0, false};
  }
  if (duration > current_.duration_ms)
    current_.duration_ms = duration;
  if (end) {
    current_.ended = true;
    active_ = false;
    out.events[out.count++] = current_;
  }
  return out;
}

std::optional<telephone_event> telephone_event_tracker::finish() {
  if (!active_)
    return std::nullopt;
  active_ = false;
  return current_;
}

std::optional<sip_info_dtmf> parse_sip_info_dtmf(std::string_view content_type,
                                                 std::string_view body) {
  std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  if (iequals(type, "application/dtmf")) {
    const char d = digit_of_text(body);
    if (d == 0)
      return std::nullopt;
    return sip_info_dtmf{d, std::nullopt};
  }
  if (!iequals(type, "application/dtmf-relay"))
    return std::nullopt;
  sip_info_dtmf out;
  while (!body.empty()) {
    const size_t eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      continue;
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    if (iequals(key, "Signal")) {
      out.digit = digit_of_text(value);
    } else if (iequals(key, "Duration")) {
      unsigned ms = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec == std::errc() && ptr == value.data() + value.size() && ms <= 60000)
        out.duration_ms = ms;
    }
  }
  if (out.digit == 0)
    return std::nullopt;
  return out;
}

}  // namespace voxmon::core
