#include "core/stream_quality.hpp"

#include <algorithm>
#include <cmath>

namespace voxmon::core {

namespace {

constexpr uint8_t arrived_bit = 0x01;
constexpr uint8_t late_bit(size_t b) { return static_cast<uint8_t>(0x02u << b); }

// VoIPmonitor's delay buckets (rtp.cpp, RTP::update_stats): [50,70) [70,90) [90,120)
// [120,150) [150,200) [200,300) [300,inf) ms.
int delay_bucket(int adelay) {
  if (adelay < 50)
    return -1;
  if (adelay < 70)
    return 0;
  if (adelay < 90)
    return 1;
  if (adelay < 120)
    return 2;
  if (adelay < 150)
    return 3;
  if (adelay < 200)
    return 4;
  if (adelay < 300)
    return 5;
  return 6;
}

}  // namespace

stream_quality::stream_quality()
  : jb_{jitter_buffer({50, false}), jitter_buffer({200, false}),
        jitter_buffer({50, true, 20, 500})} {
}

stream_quality::interval_rec& stream_quality::interval_at(uint32_t i) {
  if (intervals_.size() <= i)
    intervals_.resize(size_t{i} + 1);  // once per 10 s of packet time
  return intervals_[i];
}

void stream_quality::decide(slot& s, uint32_t interval, double transit_ms) {
  auto& rec = interval_at(interval);
  for (size_t b = 0; b < jb_count; ++b) {
    rec.b[b].delay_sum += jb_[b].size_ms();
    ++rec.b[b].delay_n;
    if (!jb_[b].offer(transit_ms))
      s.flags |= late_bit(b);
  }
}

void stream_quality::add(uint16_t seq, uint32_t rtp_ts, timestamp_ns arrival,
                         uint32_t clock_rate, bool marker, media_kind kind,
                         double jitter_ms) {
  if (!started_)
    first_arrival_ = arrival;
  const timestamp_ns since = arrival > first_arrival_ ? arrival - first_arrival_ : 0;
  // Capped at max_interval (7.6 days): a capture whose clock jumps years ahead must not make
  // intervals_ gigabytes long.
  const auto interval = static_cast<uint16_t>(std::min<timestamp_ns>(since / interval_ns,
                                                                      max_interval));
  // The interval's jitter is the estimate after its last arriving packet (the record is the
  // one decide() touches for an in-order packet: no extra cache line).
  interval_at(interval).jitter_ms = static_cast<float>(jitter_ms);
  if (kind == media_kind::comfort_noise)
    acc_.comfort_noise = true;

  // RTP time of this packet, relative to the first packet (wraps and reordering via int32).
  if (!have_ts_) {
    have_ts_ = true;
    last_ts_ = rtp_ts;
  }
  rel_ts_ += static_cast<int32_t>(rtp_ts - last_ts_);
  last_ts_ = rtp_ts;
  if (clock_ == 0 && clock_rate != 0 && kind != media_kind::event)
    clock_ = clock_rate;
  const bool clocked = clock_ != 0 && kind != media_kind::event;
  const double arrival_ms = static_cast<double>(since) / 1e6;
  const double nominal_ms = clocked ? static_cast<double>(rel_ts_) * 1000.0 / clock_ : 0.0;

  // Delay variation against the previous voice packet (as VoIPmonitor: truncated to whole ms,
  // marker packets and timestamp jumps over 5 s count as 0).
  if (clocked) {
    if (have_prev_voice_ && !marker) {
      const double d = static_cast<double>(arrival - prev_voice_arrival_) / 1e6 -
                       static_cast<double>(rel_ts_ - prev_voice_ts_) * 1000.0 / clock_;
      const double ad = std::fabs(d);
      if (ad <= jitter_buffer::skew_ms)
        if (int bucket = delay_bucket(static_cast<int>(ad)); bucket >= 0)
          ++acc_.delay[static_cast<size_t>(bucket)];
    }
    have_prev_voice_ = true;
    prev_voice_arrival_ = arrival;
    prev_voice_ts_ = rel_ts_;
  }
  // ptime: the first pair of consecutive audio packets.
  if (kind == media_kind::audio) {
    if (acc_.ptime_ms == 0 && have_prev_seq_ && seq == static_cast<uint16_t>(prev_seq_ + 1) &&
        !marker && clock_ != 0) {
      const int64_t delta = rel_ts_ - prev_audio_ts_;
      if (delta > 0)
        acc_.ptime_ms = static_cast<uint32_t>(std::llround(delta * 1000.0 / clock_));
    }
    have_prev_seq_ = true;
    prev_seq_ = seq;
    prev_audio_ts_ = rel_ts_;
  } else {
    have_prev_seq_ = false;
  }

  // Sequence window.
  int64_t ext = 0;
  int64_t delta = 0;
  if (!started_) {
    started_ = true;
    ext = int64_t{1} << 32 | seq;
    restart(ext, interval);
  } else {
    ext = max_ext_ + static_cast<int16_t>(static_cast<uint16_t>(seq - max_ext_));
    delta = ext - max_ext_;
    if (delta > max_dropout || delta < -max_dropout) {
      flush();  // the sender restarted its sequence: decide everything before
      restart(ext, interval);
      delta = 0;
    } else if (delta > 0) {
      while (ext - next_final_ >= finalize_lag)
        finalize_next();
      for (int64_t e = std::max(max_ext_ + 1, next_final_); e <= ext; ++e)
        slots_[static_cast<size_t>(e) & (ring - 1)] = slot{0, interval};
      max_ext_ = ext;
    } else if (ext < next_final_ && acc_.expected == 0 && max_ext_ - ext < finalize_lag) {
      // Overtaken the stream's first arrival, nothing decided yet: the stream starts here.
      for (int64_t e = ext; e < next_final_; ++e)
        slots_[static_cast<size_t>(e) & (ring - 1)] = slot{0, interval};
      next_final_ = ext;
      ++acc_.reordered;
    } else if (ext < next_final_) {
      ++acc_.reordered;  // too late to be placed: it was already counted lost
      return;
    } else if (slots_[static_cast<size_t>(ext) & (ring - 1)].flags & arrived_bit) {
      ++acc_.duplicates;
      return;
    } else {
      ++acc_.reordered;
    }
  }
  slot& s = slots_[static_cast<size_t>(ext) & (ring - 1)];
  s.flags |= arrived_bit;
  if (clocked)
    decide(s, s.interval, arrival_ms - nominal_ms);
}

void stream_quality::restart(int64_t ext, uint16_t interval) {
  max_ext_ = ext;
  next_final_ = ext;
  slots_[static_cast<size_t>(ext) & (ring - 1)] = slot{0, interval};
}

void stream_quality::finalize_next() {
  const slot s = slots_[static_cast<size_t>(next_final_) & (ring - 1)];
  ++next_final_;
  const bool net_lost = (s.flags & arrived_bit) == 0;
  ++acc_.expected;
  auto& rec = interval_at(s.interval);
  if (net_lost) {
    ++acc_.lost;
    ++net_run_;
    ++rec.net_lost;
  } else if (net_run_ > 0) {
    ++acc_.sl[std::min<uint32_t>(net_run_, 10) - 1];
    net_run_ = 0;
  }
  for (size_t b = 0; b < jb_count; ++b) {
    const bool lost = net_lost || (s.flags & late_bit(b)) != 0;
    auto& bi = rec.b[b];
    ++bi.frames;
    if (lost)
      ++bi.lost;
    if (have_prev_) {
      if (prev_lost_[b]) {
        ++bi.l_frames;
        if (!lost)
          ++bi.l_to_r;
      } else {
        ++bi.r_frames;
        if (lost)
          ++bi.r_to_l;
      }
    }
    prev_lost_[b] = lost;
  }
  have_prev_ = true;
}

void stream_quality::flush() {
  while (started_ && next_final_ <= max_ext_)
    finalize_next();
  if (net_run_ > 0) {
    ++acc_.sl[std::min<uint32_t>(net_run_, 10) - 1];
    net_run_ = 0;
  }
}

void stream_quality::buffer_interval::add(const buffer_interval& o) {
  frames += o.frames;
  lost += o.lost;
  r_to_l += o.r_to_l;
  r_frames += o.r_frames;
  l_to_r += o.l_to_r;
  l_frames += o.l_frames;
  delay_n += o.delay_n;
  delay_sum += o.delay_sum;
}

double stream_quality::interval_mos(const buffer_interval& bi, size_t b,
                                    const codec_impairment& codec, double network_oneway_ms,
                                    double codec_delay) const {
  const double ppl = static_cast<double>(bi.lost) * 100.0 / static_cast<double>(bi.frames);
  const double br = burst_ratio(bi.r_to_l, bi.r_frames, bi.l_to_r, bi.l_frames);
  const double jb_delay = bi.delay_n ? bi.delay_sum / static_cast<double>(bi.delay_n)
                                     : jb_[b].config().size_ms;
  const double ta = network_oneway_ms + jb_delay + codec_delay;
  return emodel_mos(emodel_r(codec, ppl, br, ta));
}

stream_quality_result stream_quality::result(const codec_impairment& codec,
                                             double network_oneway_ms) const {
  stream_quality copy = *this;
  copy.flush();
  stream_quality_result r;
  static_cast<stream_quality_totals&>(r) = copy.acc_;
  r.packet_loss_perc =
      r.expected ? static_cast<double>(r.lost) * 100.0 / static_cast<double>(r.expected) : 0.0;
  const double codec_delay = r.ptime_ms + codec.lookahead_ms;
  for (size_t b = 0; b < jb_count; ++b) {
    auto& out = r.jb[b];
    double sum = 0;
    for (const auto& rec : copy.intervals_) {
      const auto& bi = rec.b[b];
      if (bi.frames == 0)
        continue;
      out.frames += bi.frames;
      out.lost += bi.lost;
      const double mos = copy.interval_mos(bi, b, codec, network_oneway_ms, codec_delay);
      sum += mos;
      out.mos_min = out.intervals == 0 ? mos : std::min(out.mos_min, mos);
      ++out.intervals;
    }
    out.late = out.lost >= r.lost ? out.lost - r.lost : 0;
    out.mos_avg = out.intervals ? sum / out.intervals : 0.0;
  }
  // The interval series: every interval with frames; from max_quality_intervals - 1 on, the
  // intervals are merged into one record (counts summed, jitter of the latest) first.
  const size_t n = copy.intervals_.size();
  const size_t last = max_quality_intervals - 1;
  if (n > max_quality_intervals) {
    interval_rec tail;
    for (size_t i = last; i < n; ++i) {
      const auto& rec = copy.intervals_[i];
      if (rec.b[0].frames == 0)
        continue;
      for (size_t b = 0; b < jb_count; ++b)
        tail.b[b].add(rec.b[b]);
      tail.net_lost += rec.net_lost;
      tail.jitter_ms = rec.jitter_ms;
    }
    copy.intervals_.resize(max_quality_intervals);
    copy.intervals_[last] = tail;
  }
  r.intervals.reserve(std::min(copy.intervals_.size(), size_t{max_quality_intervals}));
  for (size_t i = 0; i < copy.intervals_.size(); ++i) {
    const auto& rec = copy.intervals_[i];
    if (rec.b[0].frames == 0)
      continue;
    quality_interval q;
    q.index = static_cast<uint32_t>(i);
    q.expected = rec.b[0].frames;
    q.lost = rec.net_lost;
    q.mos_f1 = copy.interval_mos(rec.b[0], 0, codec, network_oneway_ms, codec_delay);
    q.mos_adapt = copy.interval_mos(rec.b[2], 2, codec, network_oneway_ms, codec_delay);
    q.jitter_ms = rec.jitter_ms;
    r.intervals.push_back(q);
  }
  return r;
}

}  // namespace voxmon::core
