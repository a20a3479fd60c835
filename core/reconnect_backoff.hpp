#pragma once
// When to try a lost link again (CDR uplink, mirror sender): 0.5 s after the first failure,
// doubling to 30 s, plus up to half as much random jitter so that a fleet of sensors does not
// reconnect in lockstep after a server restart. A success starts over.
#include <algorithm>
#include <chrono>
#include <random>

namespace voxmon::core {

class reconnect_backoff {
 public:
  using clock_type = std::chrono::steady_clock;

  // A failure now: the next attempt is due later.
  void failed() {
    delay_ = std::min<std::chrono::milliseconds>(
      std::max<std::chrono::milliseconds>(delay_ * 2, std::chrono::milliseconds(500)),
      std::chrono::seconds(30));
    std::uniform_int_distribution<int64_t> spread(0, delay_.count() / 2);
    next_attempt_ = clock_type::now() + delay_ + std::chrono::milliseconds(spread(jitter_));
  }
  void succeeded() { delay_ = std::chrono::milliseconds(0); }
  bool due() const { return clock_type::now() >= next_attempt_; }
  clock_type::time_point next_attempt() const { return next_attempt_; }
  void allow_now() { next_attempt_ = {}; }

 private:
  std::chrono::milliseconds delay_{0};
  clock_type::time_point next_attempt_{};
  std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace voxmon::core
