#pragma once
// When to send each frame of a replay: frame i is due at start + (ts_i - ts_0) / multiplier on
// the monotonic clock, where start is when the first frame was sent. Late frames (and frames
// whose time stamps go backwards) are due at once, so a slow sender catches up instead of
// drifting. Pure logic: tests/core/test_live_units.cpp.
#include <cstdint>
#include <optional>

namespace voxmon::replay {

class replay_clock {
 public:
  // multiplier 1 = original timing, 2 = twice as fast, 0 = as fast as possible.
  explicit replay_clock(double multiplier) : multiplier_(multiplier) {}

  // The monotonic time (ns) to wait for before sending the frame captured at `ts_ns`, or
  // nullopt to send it now. `now_ns` is the monotonic clock when asked.
  std::optional<int64_t> due(int64_t ts_ns, int64_t now_ns) {
    if (!started_) {
      started_ = true;
      first_ts_ = ts_ns;
      start_ = now_ns;
      return std::nullopt;
    }
    if (multiplier_ <= 0 || ts_ns <= first_ts_)
      return std::nullopt;
    const int64_t when = start_ + static_cast<int64_t>(static_cast<double>(ts_ns - first_ts_) / multiplier_);
    if (when <= now_ns)
      return std::nullopt;
    return when;
  }

 private:
  double multiplier_;
  bool started_ = false;
  int64_t first_ts_ = 0, start_ = 0;
};

// Which frames to send: those captured from `from_s` (inclusive) to `to_s` (exclusive) seconds
// after the file's first frame; a negative bound is open.
struct replay_window {
  double from_s = -1, to_s = -1;
  bool contains(int64_t offset_ns) const {
    const double t = static_cast<double>(offset_ns) / 1e9;
    return (from_s < 0 || t >= from_s) && (to_s < 0 || t < to_s);
  }
};

}  // namespace voxmon::replay
