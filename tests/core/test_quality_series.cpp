// The per-10-second series of a stream (core/stream_quality: stream_quality_result::intervals),
// the figures the call page charts: frames, network loss, MOS through the f1 and adaptive
// buffers, and the RFC 3550 jitter after each interval's last arriving packet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/emodel.hpp"
#include "core/rtp_stream_stats.hpp"
#include "core/stream_quality.hpp"

using namespace voxmon::core;

namespace {

constexpr timestamp_ns ms = 1'000'000;
const codec_impairment g711 = codec_impairment_for("PCMA");

// A stream fed to stream_quality and rtp_stream_stats alike, the way the call actor does.
struct fed_stream {
  stream_quality quality;
  rtp_stream_stats stats;
  std::map<uint32_t, double> jitter_at_interval_end;  // interval -> jitter after its last packet

  void add(int i, timestamp_ns arrival, uint32_t ts_step = 160) {
    const auto seq = static_cast<uint16_t>(1000 + i);
    const uint32_t ts = 5000u + ts_step * static_cast<uint32_t>(i);
    stats.add(seq, ts, arrival, 8000);
    quality.add(seq, ts, arrival, 8000, false, media_kind::audio, stats.jitter_ms());
    jitter_at_interval_end[static_cast<uint32_t>((arrival - start) / stream_quality::interval_ns)] =
        stats.jitter_ms();
  }
  static constexpr timestamp_ns start = 1'000'000 * ms;
};

}  // namespace

TEST_CASE("quality series: frames, loss, jitter and MOS per 10 s", "[quality][series]") {
  // 1750 frames of 20 ms = 35 s; frame i sent at i x 20 ms with 0..9 ms of delay (i mod 10).
  const std::set<int> skip = {5, 600, 601, 1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208,
                              1209};
  fed_stream s;
  for (int i = 0; i < 1750; ++i)
    if (!skip.count(i))
      s.add(i, fed_stream::start + i * 20 * ms + (i % 10) * ms);
  const auto r = s.quality.result(g711, 0);
  REQUIRE(r.intervals.size() == 4);
  // A frame belongs to the interval in which its slot opened (when it or a later frame
  // arrived): frames 0..499 arrive before 10 s, 500..999 before 20 s, and so on.
  const uint64_t expected[] = {500, 500, 500, 250};
  const uint64_t lost[] = {1, 2, 10, 0};
  double mos_sum = 0, mos_min = 5;
  for (uint32_t k = 0; k < 4; ++k) {
    const auto& q = r.intervals[k];
    INFO("interval " << k);
    CHECK(q.index == k);
    CHECK(q.expected == expected[k]);
    CHECK(q.lost == lost[k]);
    CHECK(q.jitter_ms == Approx(s.jitter_at_interval_end.at(k)).epsilon(1e-6));  // stored as float
    mos_sum += q.mos_f1;
    mos_min = std::min(mos_min, q.mos_f1);
  }
  // The call's MOS figures are the series' mean and minimum.
  CHECK(mos_sum / 4 == Approx(r.jb[0].mos_avg).epsilon(1e-9));
  CHECK(mos_min == Approx(r.jb[0].mos_min).epsilon(1e-9));
  // Interval 3 is clean: G.711 through 50 ms of buffer and 20 ms of packetisation.
  CHECK(r.intervals[3].mos_f1 == Approx(4.409286).epsilon(1e-6));
  CHECK(r.intervals[2].mos_f1 < r.intervals[1].mos_f1);  // 2 % lost in a burst of 10
  CHECK(r.intervals[1].mos_f1 < r.intervals[3].mos_f1);
  uint64_t sum_expected = 0, sum_lost = 0;
  for (const auto& q : r.intervals) {
    sum_expected += q.expected;
    sum_lost += q.lost;
  }
  CHECK(sum_expected == r.expected);
  CHECK(sum_lost == r.lost);
}

TEST_CASE("quality series: intervals without frames are left out", "[quality][series]") {
  // 10 s of audio, 20 s of silence (no packets, RTP time moving on), 10 s of audio.
  fed_stream s;
  for (int i = 0; i < 500; ++i)
    s.add(i, fed_stream::start + i * 20 * ms);
  for (int i = 500; i < 1000; ++i)
    s.add(i, fed_stream::start + 20'000 * ms + i * 20 * ms, 160);
  const auto r = s.quality.result(g711, 0);
  REQUIRE(r.intervals.size() == 2);
  CHECK(r.intervals[0].index == 0);
  CHECK(r.intervals[1].index == 3);  // frame 500 arrives at 30 s
  CHECK(r.intervals[0].expected == 500);
  CHECK(r.intervals[1].expected == 500);
  CHECK(r.intervals[0].jitter_ms == 0);  // perfectly paced
  // The 20 s jump of arrival against RTP time: J += (|D| - J) / 16 once, then decays.
  CHECK(r.intervals[1].jitter_ms == Approx(s.stats.jitter_ms()).epsilon(1e-6));
  CHECK(r.intervals[1].jitter_ms > 0);
}

TEST_CASE("quality series: a stream over 4 hours ends in one merged interval",
          "[quality][series]") {
  // One frame every 10 s (RTP time in step): frame i is interval i's only frame.
  fed_stream s;
  const int frames = static_cast<int>(max_quality_intervals) + 60;
  for (int i = 0; i < frames; ++i)
    s.add(i, fed_stream::start + static_cast<timestamp_ns>(i) * 10'000 * ms, 80'000);
  const auto r = s.quality.result(g711, 0);
  REQUIRE(r.intervals.size() == max_quality_intervals);
  CHECK(r.intervals[1438].index == 1438);
  CHECK(r.intervals[1438].expected == 1);
  const auto& last = r.intervals.back();
  CHECK(last.index == max_quality_intervals - 1);
  CHECK(last.expected == 61);  // frames 1439..1499
  CHECK(last.lost == 0);
  CHECK(r.expected == static_cast<uint64_t>(frames));
}
