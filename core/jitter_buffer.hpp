#pragma once
// Simulated receiver jitter buffers (docs/QUALITY.md, "Jitter buffers"). Each decides, per
// arriving frame, whether a receiver with that buffer would have played it in time. No
// allocation, no transcendental math: it runs per RTP packet.
#include <cstdint>

namespace voxmon::core {

struct jitter_buffer_config {
  double size_ms = 50;         // fixed size, or the start size of an adaptive buffer
  bool adaptive = false;
  double min_ms = 20;          // adaptive: never shrinks below
  double max_ms = 500;         // adaptive: never grows beyond
};

class jitter_buffer {
 public:
  static constexpr int resync_late_run = 10;     // consecutive late frames -> resync
  static constexpr double skew_ms = 5000;        // timestamp jump: resync, not loss
  static constexpr double release_divisor = 256; // adaptive: slow shrink per played frame
  static constexpr int hold_block = 250;         // adaptive: frames per delay-peak block

  explicit jitter_buffer(jitter_buffer_config c = {}) : cfg_(c), size_ms_(c.size_ms) {}

  // `transit_ms` = arrival time - RTP time of the frame (any fixed offset). Returns true when
  // the frame is played, false when it came too late for this buffer (counts as lost).
  bool offer(double transit_ms) {
    if (!started_) {
      started_ = true;
      ref_ = transit_ms;
    }
    double d = transit_ms - ref_;
    if (d < 0) {  // earlier than any frame so far: the playout point moves forward
      ref_ = transit_ms;
      d = 0;
    }
    if (d > skew_ms) {  // the RTP clock or the route jumped: start over
      ref_ = transit_ms;
      late_run_ = 0;
      return true;
    }
    if (cfg_.adaptive) {  // the largest delay of the current and the previous block of frames
      if (d > cur_peak_)
        cur_peak_ = d;
      if (++block_n_ == hold_block) {
        prev_peak_ = cur_peak_;
        cur_peak_ = 0;
        block_n_ = 0;
      }
    }
    const bool late = d > size_ms_;
    if (late) {
      if (++late_run_ >= resync_late_run) {
        ref_ = transit_ms;
        late_run_ = 0;
      }
      if (cfg_.adaptive)
        size_ms_ = d < cfg_.max_ms ? d : cfg_.max_ms;
      return false;
    }
    late_run_ = 0;
    if (cfg_.adaptive) {
      double floor = cfg_.min_ms;
      if (prev_peak_ > floor)
        floor = prev_peak_;
      if (cur_peak_ > floor)
        floor = cur_peak_;
      if (size_ms_ > floor)
        size_ms_ -= (size_ms_ - floor) / release_divisor;
    }
    return true;
  }
  // The buffer's current size: the delay it adds before playout.
  double size_ms() const { return size_ms_; }
  const jitter_buffer_config& config() const { return cfg_; }

 private:
  jitter_buffer_config cfg_;
  double size_ms_;
  double ref_ = 0;
  int late_run_ = 0;
  double cur_peak_ = 0, prev_peak_ = 0;  // adaptive: delay peaks of the last two blocks
  int block_n_ = 0;
  bool started_ = false;
};

}  // namespace voxmon::core
