#pragma once
// Voice quality of one RTP stream, beside rtp_stream_stats (which stays tshark-exact): three
// simulated jitter buffers (fixed 50 ms, fixed 200 ms, adaptive up to 500 ms), loss pattern per
// buffer in 10-second intervals (for the E-model), the network loss burst histogram sl1..sl10,
// the delay variation histogram d50..d300, reordered and duplicate packets, ptime, comfort
// noise. docs/QUALITY.md documents every rule.
//
// Per packet: a fixed 128-slot ring indexed by sequence number, three buffer decisions, no heap
// allocation except one small record per 10 s interval. The E-model runs in result().
#include <array>
#include <cstdint>
#include <vector>

#include "core/emodel.hpp"
#include "core/jitter_buffer.hpp"
#include "core/net_types.hpp"

namespace voxmon::core {

enum class media_kind : uint8_t { audio, comfort_noise, event };

inline constexpr size_t jb_count = 3;  // 0 = f1 (fixed 50), 1 = f2 (fixed 200), 2 = adaptive

struct buffer_quality {
  double mos_avg = 0;     // mean of the interval MOS values; 0 when no interval
  double mos_min = 0;
  uint32_t intervals = 0;
  uint64_t frames = 0;
  uint64_t lost = 0;      // network loss + frames too late for this buffer
  uint64_t late = 0;      // frames that arrived but too late for this buffer
};

// One 10-second interval of a stream, for the call page's charts (docs/QUALITY.md "Per-interval
// figures"). Only intervals with frames are listed; `index` says which one it is.
struct quality_interval {
  uint32_t index = 0;      // [index x 10 s, + 10 s) of packet time from the stream's first packet
  uint64_t expected = 0;   // frames (sequence numbers) of the interval
  uint64_t lost = 0;       // of them never arrived (network loss)
  double mos_f1 = 0;       // interval MOS through the fixed 50 ms buffer
  double mos_adapt = 0;    // interval MOS through the adaptive buffer
  double jitter_ms = 0;    // RFC 3550 jitter estimate after the interval's last arriving packet
  bool operator==(const quality_interval&) const = default;
};

// At most this many intervals in a result (4 h of a stream): the intervals from index
// max_quality_intervals - 1 on are merged into that last entry (docs/QUALITY.md).
inline constexpr uint32_t max_quality_intervals = 1440;

// The stream's totals, kept by stream_quality as it goes (no series: a held call's memory).
struct stream_quality_totals {
  std::array<buffer_quality, jb_count> jb{};
  std::array<uint64_t, 10> sl{};     // loss bursts of 1..9 packets, [9] = 10 or more
  std::array<uint64_t, 7> delay{};   // d50, d70, d90, d120, d150, d200, d300
  uint64_t expected = 0;             // sequence numbers covered
  uint64_t lost = 0;                 // never arrived
  double packet_loss_perc = 0;       // lost / expected * 100
  uint64_t reordered = 0;
  uint64_t duplicates = 0;
  uint32_t ptime_ms = 0;             // from consecutive packets; 0 when unknown
  bool comfort_noise = false;
};

struct stream_quality_result : stream_quality_totals {
  std::vector<quality_interval> intervals;  // per 10 s, in index order, at most 1440
};

class stream_quality {
 public:
  static constexpr size_t ring = 128;          // sequence window (power of two)
  static constexpr int64_t finalize_lag = 100; // a frame is decided 100 sequence numbers later
  static constexpr int64_t max_dropout = 3000; // bigger jumps restart the sequence
  static constexpr timestamp_ns interval_ns = 10 * ns_per_second;
  static constexpr uint16_t max_interval = UINT16_MAX;  // later packets count in the last one

  stream_quality();

  // clock_rate 0 = unknown: jitter buffers then play every arriving frame. `jitter_ms` is the
  // stream's RFC 3550 jitter estimate after this packet (rtp_stream_stats::jitter_ms()): the
  // value after the last packet that arrived in each 10 s interval goes to the series.
  void add(uint16_t seq, uint32_t rtp_ts, timestamp_ns arrival, uint32_t clock_rate,
           bool marker, media_kind kind, double jitter_ms = 0);

  // `codec` for Ie/Bpl/look-ahead; `network_oneway_ms` the one-way network delay for Id (from
  // RTCP round trips; 0 when unknown).
  stream_quality_result result(const codec_impairment& codec, double network_oneway_ms) const;

 private:
  struct slot {               // 4 bytes: the ring is most of a stream's memory
    uint8_t flags = 0;         // bit 0 arrived, bit 1+b late for buffer b
    uint16_t interval = 0;
  };
  struct buffer_interval {   // 40 bytes: counts of one 10 s interval fit 32 bits
    uint32_t frames = 0, lost = 0;
    uint32_t r_to_l = 0, r_frames = 0, l_to_r = 0, l_frames = 0;
    uint32_t delay_n = 0;
    double delay_sum = 0;
    void add(const buffer_interval& o);  // the counts of two intervals as one
  };
  struct interval_rec {
    std::array<buffer_interval, jb_count> b{};
    uint32_t net_lost = 0;   // frames of the interval that never arrived
    float jitter_ms = 0;     // jitter after the last packet that arrived in the interval
  };

  void finalize_next();
  void flush();
  void restart(int64_t ext, uint16_t interval);
  void decide(slot& s, uint32_t interval, double transit_ms);
  interval_rec& interval_at(uint32_t i);
  double interval_mos(const buffer_interval& bi, size_t b, const codec_impairment& codec,
                      double network_oneway_ms, double codec_delay) const;

  std::array<jitter_buffer, jb_count> jb_;
  std::array<slot, ring> slots_{};
  std::vector<interval_rec> intervals_;
  std::array<bool, jb_count> prev_lost_{};
  bool have_prev_ = false;
  bool started_ = false;
  int64_t max_ext_ = 0;      // highest extended sequence number
  int64_t next_final_ = 0;   // next extended sequence number to decide
  uint32_t net_run_ = 0;     // current run of network losses
  timestamp_ns first_arrival_ = 0;
  // RTP time
  bool have_ts_ = false;
  uint32_t last_ts_ = 0;
  int64_t rel_ts_ = 0;       // extended RTP timestamp relative to the first packet
  uint32_t clock_ = 0;       // clock of the first clocked packet
  // delay variation (previous voice packet in arrival order)
  bool have_prev_voice_ = false;
  timestamp_ns prev_voice_arrival_ = 0;
  int64_t prev_voice_ts_ = 0;
  int64_t prev_audio_ts_ = 0;
  uint16_t prev_seq_ = 0;
  bool have_prev_seq_ = false;
  stream_quality_totals acc_{};
};

}  // namespace voxmon::core
