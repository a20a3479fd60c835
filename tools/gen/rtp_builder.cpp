#include "tools/gen/rtp_builder.hpp"

#include <algorithm>
#include <cmath>

namespace voxmon::gen {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// Slots in [a, b) that send nothing (inside the quiet region, between CN packets).
int64_t suppressed(const rtp_plan& s, int64_t a, int64_t b) {
  if (s.cn_from == no_slot) return 0;
  const int64_t lo = std::max<int64_t>(a, s.cn_from), hi = std::min<int64_t>(b, s.cn_to);
  if (hi <= lo) return 0;
  if (s.quiet_every == 0) return hi - lo;
  const int64_t sent = ceil_div(hi - s.cn_from, s.quiet_every) - ceil_div(lo - s.cn_from, s.quiet_every);
  return (hi - lo) - sent;
}

}  // namespace

uint32_t clock_of(const codec_info& c, uint8_t pt) {
  if (pt == pt_dtmf) return 0;
  if (pt == pt_cn) return 8000;
  return c.clock;
}

bool slot_info(const rtp_plan& s, const codec_info& c, uint32_t k, slot_packet& o) {
  const bool quiet = s.cn_from != no_slot && k >= s.cn_from && k < s.cn_to;
  if (quiet && (s.quiet_every == 0 || (k - s.cn_from) % s.quiet_every != 0)) return false;
  o.part = s.switch_at != no_slot && k >= s.switch_at ? 1 : 0;
  const uint32_t start = o.part ? s.switch_at : 0;
  o.seq = int64_t{k - start} - suppressed(s, start, k);
  o.ts = int64_t{k - start} * c.ts_step;
  o.pt = quiet ? pt_cn : c.pt;
  o.marker = k == start || (s.cn_from != no_slot && k == s.cn_to);
  o.dtmf_end = false;
  o.dtmf_duration = 0;
  if (s.dtmf_at != no_slot && k >= s.dtmf_at && k < s.dtmf_at + s.dtmf_len) {
    // RFC 4733: all packets of the event carry its start timestamp; the last three are the
    // end packet sent three times (each with its own sequence number).
    const uint32_t j = k - s.dtmf_at;
    o.pt = pt_dtmf;
    o.ts = int64_t{s.dtmf_at - start} * c.ts_step;
    o.marker = j == 0;
    o.dtmf_end = j + 3 >= s.dtmf_len;
    o.dtmf_duration = static_cast<uint16_t>(std::min<uint32_t>(j + 1, s.dtmf_len - 2u) * 160u);
  }
  return true;
}

size_t payload_size(const rtp_plan&, const codec_info& c, uint32_t k, const slot_packet& sp) {
  if (sp.pt == pt_dtmf) return 4;
  if (sp.pt == pt_cn) return 1;
  // opus frames vary in size (60..100 bytes); the other codecs are constant bit rate.
  return c.pt == 111 ? c.payload + (k * 37u) % 41u : c.payload;
}

rtp_stream_gen::rtp_stream_gen(const rtp_plan& plan, const gen_options& opts)
    : plan_(&plan), o_(&opts), rng_(plan.seed), rng2_(plan.seed2) {}

bool rtp_stream_gen::peek(rtp_arrival& next) {
  // Any packet not generated yet arrives at or after its send time + base delay, so the
  // window's earliest arrival is final once it precedes that bound.
  const rtp_plan& p = *plan_;
  while (next_k_ < p.count) {
    const int64_t send = p.first_send + int64_t{next_k_} * ptime_ns;
    if (!window_.empty() && window_.top().t < send + p.base_delay) break;
    const uint32_t k = next_k_++;
    const bool quiet = p.cn_from != no_slot && k >= p.cn_from && k < p.cn_to;
    if (quiet && (p.quiet_every == 0 || (k - p.cn_from) % p.quiet_every != 0)) continue;
    // Both draws are made for every packet, so --loss does not change the others' delays;
    // burst loss and duplicates draw from a second generator for the same reason.
    const bool lost = rng_.chance(o_->loss);
    const double x = o_->jitter_kind == jitter_dist::normal ? std::fabs(rng_.normal()) : rng_.exponential(1.0);
    const double ge = rng2_.uniform01(), dup = rng2_.uniform01();
    const int64_t dup_delay = rng2_.between(10'000, 2'000'000);
    const bool burst_lost = bad_;
    bad_ = bad_ ? !(ge < o_->ge_r) : ge < o_->ge_p;
    if (lost || burst_lost) continue;
    int64_t t = send + p.base_delay + std::llround(x * o_->jitter_ms * 1e6);
    t -= t % o_->quantum_ns;
    window_.push({t, k, false});
    if (dup < o_->dup) {
      const int64_t t2 = t + dup_delay;
      window_.push({t2 - t2 % o_->quantum_ns, k, true});
    }
  }
  if (window_.empty()) return false;
  next = window_.top();
  return true;
}

void build_rtp(const rtp_plan& s, const codec_info& c, uint32_t k, const slot_packet& sp,
               std::vector<uint8_t>& out, bool noise) {
  const uint16_t seq = static_cast<uint16_t>((sp.part ? s.seq2 : s.seq0) + sp.seq);
  const uint32_t ts = static_cast<uint32_t>((sp.part ? s.ts2 : s.ts0) + sp.ts);
  const uint32_t ssrc = sp.part ? s.ssrc2 : s.ssrc;
  const size_t len = payload_size(s, c, k, sp);
  out.resize(12 + len);
  uint8_t* b = out.data();
  b[0] = 0x80;
  b[1] = static_cast<uint8_t>((sp.marker ? 0x80 : 0) | sp.pt);
  b[2] = static_cast<uint8_t>(seq >> 8);
  b[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  uint8_t* pl = b + 12;
  if (sp.pt == pt_dtmf) {  // RFC 4733 2.3: event, E|R|volume, duration
    pl[0] = s.digit;
    pl[1] = static_cast<uint8_t>((sp.dtmf_end ? 0x80 : 0) | 10);
    pl[2] = static_cast<uint8_t>(sp.dtmf_duration >> 8);
    pl[3] = static_cast<uint8_t>(sp.dtmf_duration);
    return;
  }
  if (sp.pt == pt_cn) {  // RFC 3389: noise level in -dBov
    pl[0] = 64;
    return;
  }
  if (noise) {
    // Counter-based: the same stream and slot give the same bytes whatever else is generated.
    const uint64_t key = derive_seed(ssrc, k, sp.part);
    for (size_t i = 0; i < len; i += 8) {
      const uint64_t r = mix64(key + i);
      for (size_t j = 0; j < 8 && i + j < len; ++j) pl[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
  } else {
    const uint32_t base = k * 31u + (ssrc & 0xFFu);
    for (size_t i = 0; i < len; ++i) pl[i] = static_cast<uint8_t>(base + i * 7u + (i >> 3));
  }
  // opus (RFC 6716 3.1): a valid TOC byte, config 15 (hybrid fullband 20 ms), mono, code 0
  // (one frame: the remaining bytes), so that dissectors see a well-formed packet.
  if (c.pt == 111) pl[0] = 15 << 3;
}

}  // namespace voxmon::gen

namespace voxmon::gen {

uint64_t ntp_of(int64_t t) {
  const uint64_t sec = static_cast<uint64_t>(t / 1'000'000'000) + 2208988800ULL;
  const uint64_t frac = (static_cast<uint64_t>(t % 1'000'000'000) << 32) / 1'000'000'000ULL;
  return sec << 32 | frac;
}

void build_rtcp(uint32_t ssrc, int64_t t, uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                const rtcp_block* rb, const std::string& cname, std::vector<uint8_t>& out) {
  out.clear();
  auto u8 = [&](uint32_t v) { out.push_back(static_cast<uint8_t>(v)); };
  auto u16 = [&](uint32_t v) { u8(v >> 8), u8(v); };
  auto u32 = [&](uint32_t v) { u16(v >> 16), u16(v & 0xFFFF); };
  const uint64_t ntp = ntp_of(t);
  u8(0x80 | (rb ? 1 : 0));
  u8(200);                   // SR
  u16(rb ? 12 : 6);          // length in 32-bit words - 1
  u32(ssrc);
  u32(static_cast<uint32_t>(ntp >> 32));
  u32(static_cast<uint32_t>(ntp));
  u32(rtp_ts);
  u32(packets);
  u32(octets);
  if (rb) {
    u32(rb->ssrc);
    u8(rb->fraction);
    const int32_t c = std::clamp(rb->cumulative, -0x800000, 0x7FFFFF);
    u8((static_cast<uint32_t>(c) >> 16) & 0xFF), u16(static_cast<uint32_t>(c) & 0xFFFF);
    u32(rb->ext_seq);
    u32(rb->jitter);
    u32(rb->lsr);
    u32(rb->dlsr);
  }
  // SDES with one chunk: CNAME item, END, padding to 32 bits.
  const size_t chunk = 4 + 2 + cname.size() + 1;
  const size_t words = (chunk + 3) / 4;
  u8(0x81);
  u8(202);
  u16(static_cast<uint32_t>(words));
  u32(ssrc);
  u8(1);
  u8(static_cast<uint32_t>(cname.size()));
  out.insert(out.end(), cname.begin(), cname.end());
  for (size_t i = chunk - 1; i < words * 4; ++i) u8(0);
}

}  // namespace voxmon::gen
