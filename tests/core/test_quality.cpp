// Voice quality: E-model, jitter buffers, loss and delay histograms (core/emodel,
// core/jitter_buffer, core/stream_quality). Expected numbers are computed by hand from the
// formulas in docs/QUALITY.md.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "core/emodel.hpp"
#include "core/jitter_buffer.hpp"
#include "core/stream_quality.hpp"

using namespace voxmon::core;

namespace {

constexpr timestamp_ns ms = 1'000'000;
const codec_impairment g711 = codec_impairment_for("PCMA");

// 20 ms G.711 frames: seq i, RTP ts 160 i, arrival i * 20 ms + extra(i); `skip` never arrive.
template <class Extra>
stream_quality feed(int frames, Extra extra, const std::set<int>& skip = {}) {
  stream_quality q;
  for (int i = 0; i < frames; ++i)
    if (!skip.count(i))
      q.add(static_cast<uint16_t>(1000 + i), 5000u + 160u * i,
            1'000'000 * ms + i * 20 * ms + static_cast<timestamp_ns>(extra(i) * ms), 8000, false,
            media_kind::audio);
  return q;
}
double no_extra(int) { return 0; }

}  // namespace

TEST_CASE("E-model values by hand", "[quality]") {
  CHECK(emodel_mos(93.2) == Approx(4.409286).epsilon(1e-6));   // G.711, no loss, no delay
  CHECK(emodel_mos(0) == 1.0);
  CHECK(emodel_mos(100) == 4.5);
  CHECK(emodel_idd(100) == 0.0);
  CHECK(emodel_idd(200) == Approx(3.044414).epsilon(1e-6));    // X = 1
  // G.711 with PLC, 1 % random loss: Ie,eff = 95 * 1 / (1 + 25.1) = 3.6398
  CHECK(emodel_ie_eff(0, 25.1, 1.0, 1.0) == Approx(3.639847).epsilon(1e-6));
  CHECK(emodel_mos(emodel_r(g711, 1.0, 1.0, 0)) == Approx(4.328075).epsilon(1e-6));
  // G.729A, 2 % loss, BurstR 2: Ie,eff = 11 + 84 * 2 / (1 + 19) = 19.4
  const auto g729 = codec_impairment_for("G729");
  CHECK(g729.ie == 11.0);
  CHECK(g729.bpl == 19.0);
  CHECK(emodel_r(g729, 2.0, 2.0, 50) == Approx(73.8));
  CHECK(g711_without_plc().bpl == 4.3);
  // Burst ratio: random loss 1, long bursts > 1.
  CHECK(burst_ratio(0, 100, 0, 0) == 1.0);
  CHECK(burst_ratio(10, 990, 9, 10) == Approx(1.0 / (10.0 / 990 + 0.9)));
  CHECK(burst_ratio(1, 99, 1, 10) == Approx(1.0 / (1.0 / 99 + 0.1)));
}

TEST_CASE("E-model is monotonic in loss and delay", "[quality]") {
  for (const char* codec : {"PCMU", "G729", "G722", "opus"}) {
    const auto c = codec_impairment_for(codec);
    double prev = 5;
    for (double ppl = 0; ppl <= 30; ppl += 0.5) {
      const double m = emodel_mos(emodel_r(c, ppl, 1.0, 50));
      CHECK(m <= prev);
      CHECK(emodel_mos(emodel_r(c, ppl, 3.0, 50)) <= m);  // bursty is never better
      prev = m;
    }
    prev = 5;
    for (double ta = 0; ta <= 800; ta += 10) {
      const double m = emodel_mos(emodel_r(c, 1.0, 1.0, ta));
      CHECK(m <= prev);
      prev = m;
    }
  }
}

TEST_CASE("jitter buffers drop exactly the frames that come too late", "[quality]") {
  jitter_buffer f1({50, false}), f2({200, false}), ad({50, true, 20, 500});
  //                 transit (ms):   0     0    60    0    210    0    -10   45
  const double transit[] = {0, 0, 60, 0, 210, 0, -10, 45};
  const bool f1_played[] = {true, true, false, true, false, true, true, false};
  const bool f2_played[] = {true, true, true, true, false, true, true, true};
  // adaptive: 60 > 50 late, grows to 60; 210 > ~60 late, grows to 210; then plays.
  const bool ad_played[] = {true, true, false, true, false, true, true, true};
  for (size_t i = 0; i < std::size(transit); ++i) {
    CHECK(f1.offer(transit[i]) == f1_played[i]);
    CHECK(f2.offer(transit[i]) == f2_played[i]);
    CHECK(ad.offer(transit[i]) == ad_played[i]);
  }
  CHECK(ad.size_ms() > 200);
  CHECK(ad.size_ms() <= 210);
  // -10 moved the reference: 45 is 55 ms behind it, late for f1 now.
  CHECK_FALSE(f1.offer(45));
}

TEST_CASE("fixed buffer resyncs after a run of late frames", "[quality]") {
  jitter_buffer f1({50, false});
  f1.offer(0);
  for (int i = 0; i < jitter_buffer::resync_late_run; ++i)
    CHECK_FALSE(f1.offer(100));
  CHECK(f1.offer(100));  // the route changed: the buffer follows
}

TEST_CASE("stream quality: clean G.711 stream", "[quality]") {
  const auto q = feed(1000, no_extra);
  const auto r = q.result(g711, 0);
  CHECK(r.expected == 1000);
  CHECK(r.lost == 0);
  CHECK(r.ptime_ms == 20);
  CHECK(r.jb[0].intervals == 2);  // 20 s in 10 s intervals
  CHECK(r.jb[0].mos_avg == Approx(4.409286).epsilon(1e-6));  // Ta = 50 + 20 < 100
  // f2: Ta = 200 + 20 ms -> Idd = 5.2575, R = 87.9425
  CHECK(r.jb[1].mos_avg == Approx(emodel_mos(93.2 - 5.257493)).epsilon(1e-5));
  CHECK(r.jb[2].mos_avg == Approx(4.409286).epsilon(1e-6));
  CHECK(r.sl == std::array<uint64_t, 10>{});
  CHECK(r.delay == std::array<uint64_t, 7>{});
}

TEST_CASE("stream quality: burst histogram and loss counts are exact", "[quality]") {
  std::set<int> skip = {5, 10, 11, 12};
  for (int i = 20; i < 32; ++i)
    skip.insert(i);  // a burst of 12
  skip.insert(40);
  skip.insert(41);
  const auto r = feed(600, no_extra, skip).result(g711, 0);
  CHECK(r.expected == 600);
  CHECK(r.lost == 18);
  CHECK(r.packet_loss_perc == Approx(3.0));
  CHECK(r.sl == std::array<uint64_t, 10>{1, 1, 1, 0, 0, 0, 0, 0, 0, 1});
  for (const auto& b : r.jb) {
    CHECK(b.lost == 18);
    CHECK(b.late == 0);
  }
  // Interval 0 (frames 0..499): 18 lost of 500 = 3.6 %. Frames 1..499 have a predecessor:
  // 18 of the predecessors were lost (l_frames), 481 received (r_frames); 4 bursts give 4
  // received->lost and 4 lost->received transitions. Interval 1 (500..599) is clean.
  const double br0 = burst_ratio(4, 481, 4, 18);
  const double m0 = emodel_mos(emodel_r(g711, 3.6, br0, 70));
  const double m1 = emodel_mos(emodel_r(g711, 0.0, 1.0, 70));
  CHECK(r.jb[0].mos_min == Approx(m0).epsilon(1e-6));
  CHECK(r.jb[0].mos_avg == Approx((m0 + m1) / 2).epsilon(1e-6));
}

TEST_CASE("stream quality: more loss never raises MOS", "[quality]") {
  double prev = 5;
  for (int every : {0, 100, 33, 10, 5}) {
    std::set<int> skip;
    if (every)
      for (int i = every / 2; i < 1000; i += every)
        skip.insert(i);
    const auto r = feed(1000, no_extra, skip).result(g711, 0);
    for (const auto& b : r.jb)
      CHECK(b.mos_avg <= prev + 1e-9);
    prev = std::max({r.jb[0].mos_avg, r.jb[1].mos_avg, r.jb[2].mos_avg});
  }
}

TEST_CASE("stream quality: f2 tolerates jitter that f1 does not", "[quality]") {
  // Every 10th frame 120 ms late: late for the 50 ms buffer, in time for the 200 ms one.
  const auto r = feed(1000, [](int i) { return i % 10 == 5 ? 120.0 : 0.0; }).result(g711, 0);
  CHECK(r.lost == 0);
  CHECK(r.jb[0].late == 100);
  CHECK(r.jb[1].late == 0);
  CHECK(r.jb[0].mos_avg < r.jb[1].mos_avg);
  CHECK(r.jb[2].late == 1);  // the adaptive buffer grows after the first one
  // Delay variation: the late frame is D = +120 ms against its predecessor, its successor
  // D = -120 ms: both in [120, 150).
  CHECK(r.delay[3] == 200);
  CHECK(r.delay[2] == 0);
}

TEST_CASE("stream quality: duplicates and reordering", "[quality]") {
  stream_quality q;
  const uint16_t order[] = {1, 2, 4, 3, 3, 5, 6, 6, 8, 7};
  for (size_t i = 0; i < std::size(order); ++i)
    q.add(order[i], order[i] * 160u, static_cast<timestamp_ns>(i) * 20 * ms, 8000, false,
          media_kind::audio);
  const auto r = q.result(g711, 0);
  CHECK(r.duplicates == 2);
  CHECK(r.reordered == 2);
  CHECK(r.expected == 8);
  CHECK(r.lost == 0);
}

TEST_CASE("stream quality: delay histogram buckets follow VoIPmonitor", "[quality]") {
  // Frame i arrives extra(i) late; |D| against the previous frame: 49 -> none, 50 -> d50,
  // 300 -> d300 ...
  const double extra[] = {0, 49, 0, 50, 0, 70, 0, 89.5, 0, 299, 0, 300, 0};
  const auto r = feed(13, [&](int i) { return extra[i]; }).result(g711, 0);
  // pairs: +49 none, -49 none, +50 d50, -50 d50, +70 d70, -70 d70, +89.5 d70 (truncated 89),
  // -89.5 d70, +299 d200, -299 d200, +300 d300, -300 d300
  CHECK(r.delay == std::array<uint64_t, 7>{2, 4, 0, 0, 0, 2, 2});
}

TEST_CASE("a packet that overtakes the stream's first arrival still counts as a frame",
          "[quality]") {
  // Seq 1000 arrives 25 ms late, after 1001: before the fix it was dropped as "older than the
  // window" (reordered, but neither a frame nor a loss), so the buffers saw 49 frames.
  stream_quality q;
  const auto add = [&](int i, timestamp_ns arrival) {
    q.add(static_cast<uint16_t>(1000 + i), 5000u + 160u * i, arrival, 8000, false,
          media_kind::audio);
  };
  add(1, 1'000'000 * ms + 20 * ms);
  add(0, 1'000'000 * ms + 25 * ms);
  for (int i = 2; i < 50; ++i)
    add(i, 1'000'000 * ms + i * 20 * ms);
  const auto r = q.result(g711, 0);
  CHECK(r.expected == 50);
  CHECK(r.lost == 0);
  CHECK(r.reordered == 1);
  CHECK(r.duplicates == 0);
  for (size_t b = 0; b < jb_count; ++b) {
    CHECK(r.jb[b].frames == 50);
    CHECK(r.jb[b].late == 0);  // 25 ms after its time: within every buffer
    CHECK(r.jb[b].lost == 0);
  }
}
