#pragma once
// Statistics of one RTP stream (one SSRC on one 5-tuple): packets received, loss as RFC 3550
// appendix A.1 defines it (extended highest sequence with wrap, restarts after a big jump), and
// interarrival jitter as RFC 3550 6.4.1 defines it, in milliseconds, reported as the mean and
// the maximum of the running estimate over the stream (as tshark's rtp,streams does).
#include <cstdint>

#include "core/net_types.hpp"

namespace voxmon::core {

class rtp_stream_stats {
 public:
  // `clock_rate` is the RTP clock of the packet's payload type (0 = unknown: jitter is not
  // updated for that packet).
  void add(uint16_t sequence, uint32_t rtp_timestamp, timestamp_ns arrival, uint32_t clock_rate);

  uint64_t received() const { return received_; }
  int64_t expected() const;                 // extended highest - base + 1
  int64_t lost() const { return expected() - static_cast<int64_t>(received_); }
  double mean_jitter_ms() const;
  double max_jitter_ms() const { return max_jitter_ms_; }
  timestamp_ns first_arrival() const { return first_arrival_; }
  timestamp_ns last_arrival() const { return last_arrival_; }

 private:
  uint64_t received_ = 0;
  uint32_t base_seq_ = 0;
  uint32_t max_seq_ = 0;     // highest sequence seen (16 bits)
  uint32_t cycles_ = 0;      // sequence wraps, shifted by 16
  uint32_t bad_seq_ = 0;     // candidate restart sequence (A.1)
  timestamp_ns first_arrival_ = 0;
  timestamp_ns last_arrival_ = 0;
  // jitter state
  bool have_transit_ = false;
  double last_transit_ = 0;  // in clock units
  uint32_t last_clock_ = 0;
  double jitter_ = 0;        // in clock units
  double jitter_sum_ms_ = 0;
  uint64_t jitter_samples_ = 0;
  double max_jitter_ms_ = 0;
};

}  // namespace voxmon::core
