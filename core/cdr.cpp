#include "core/cdr.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace voxmon::core {

direction_summary summarize_direction(const cdr& c, party sender) {
  direction_summary out;
  const cdr_rtp_stream* best = nullptr;
  for (const auto& s : c.rtp) {
    if (!s.sender || *s.sender != sender)
      continue;
    if (best == nullptr || s.received > best->received)  // strict: ties keep the first
      best = &s;
  }
  if (best == nullptr)
    return out;
  out.present = true;
  out.payload = best->payload;
  out.received = best->received;
  out.lost = best->lost;
  out.avgjitter_ms = best->avgjitter_ms;
  out.maxjitter_ms = best->maxjitter_ms;
  out.stream = best;
  return out;
}

std::optional<double> stream_mos_min(const cdr_rtp_stream& s) {
  std::optional<double> m;
  for (const auto& b : s.quality.jb)
    if (b.intervals > 0 && (!m || b.mos_min < *m))
      m = b.mos_min;
  return m;
}

std::optional<double> call_mos_min(const cdr& c) {
  std::optional<double> m;
  for (party p : {party::caller, party::callee}) {
    const auto d = summarize_direction(c, p);
    if (!d.stream)
      continue;
    if (auto v = stream_mos_min(*d.stream); v && (!m || *v < *m))
      m = v;
  }
  return m;
}

double seconds_between(timestamp_ns from, timestamp_ns to) {
  // Nanoseconds -> milliseconds (exact for spans below ~104 days), rounded half away from
  // zero, then to seconds.
  const double ms = static_cast<double>(to - from) / 1e6;
  return std::round(ms) / 1000.0;
}

std::string format_utc(timestamp_ns t) {
  // Floor division so that times before the epoch still give a valid millisecond field.
  timestamp_ns secs = t / ns_per_second;
  timestamp_ns rem = t % ns_per_second;
  if (rem < 0) {
    rem += ns_per_second;
    secs -= 1;
  }
  const auto ms = static_cast<int>(rem / 1'000'000);
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr)
    return "0000-00-00 00:00:00.000";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace voxmon::core
