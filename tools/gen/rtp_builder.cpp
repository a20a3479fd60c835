#include "tools/gen/rtp_builder.hpp"

#include <cmath>

namespace voxmon::gen {

rtp_stream_gen::rtp_stream_gen(const rtp_plan& plan, const gen_options& opts)
    : plan_(&plan),
      loss_(opts.loss),
      jitter_ns_(opts.jitter_ms * 1e6),
      dist_(opts.jitter_kind),
      quantum_(opts.quantum_ns),
      rng_(plan.seed) {}

bool rtp_stream_gen::peek(rtp_arrival& next) {
  // Any packet not generated yet arrives at or after its send time + base delay, so the
  // window's earliest arrival is final once it precedes that bound.
  while (next_k_ < plan_->count) {
    const int64_t send = plan_->first_send + int64_t{next_k_} * ptime_ns;
    if (!window_.empty() && window_.top().t < send + plan_->base_delay) break;
    // Both draws are made for every packet, so --loss does not change the others' delays.
    const bool lost = rng_.chance(loss_);
    const double x = dist_ == jitter_dist::normal ? std::fabs(rng_.normal()) : rng_.exponential(1.0);
    const int64_t t = send + plan_->base_delay + std::llround(x * jitter_ns_);
    if (!lost) window_.push({t - t % quantum_, next_k_});
    ++next_k_;
  }
  if (window_.empty()) return false;
  next = window_.top();
  return true;
}

void build_rtp(const rtp_plan& s, const codec_info& c, uint32_t k, std::vector<uint8_t>& out) {
  const uint16_t seq = rtp_seq(s, k);
  const uint32_t ts = rtp_ts(s, c, k);
  // opus frames vary in size (60..100 bytes); the other codecs are constant bit rate.
  const size_t len = c.pt == 111 ? c.payload + (k * 37u) % 41u : c.payload;
  out.clear();
  out.reserve(12 + len);
  out.push_back(0x80);
  out.push_back(static_cast<uint8_t>((k == 0 ? 0x80 : 0) | c.pt));
  out.push_back(static_cast<uint8_t>(seq >> 8));
  out.push_back(static_cast<uint8_t>(seq));
  for (int sh = 24; sh >= 0; sh -= 8) out.push_back(static_cast<uint8_t>(ts >> sh));
  for (int sh = 24; sh >= 0; sh -= 8) out.push_back(static_cast<uint8_t>(s.ssrc >> sh));
  for (size_t i = 0; i < len; ++i)
    out.push_back(static_cast<uint8_t>(k * 31u + i * 7u + (s.ssrc & 0xFFu) + (i >> 3)));
  // opus (RFC 6716 3.1): a valid TOC byte, config 15 (hybrid fullband 20 ms), mono, code 0
  // (one frame: the remaining bytes), so that dissectors see a well-formed packet.
  if (c.pt == 111) out[12] = 15 << 3;
}

}  // namespace voxmon::gen
