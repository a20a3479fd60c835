#include "tools/gen/call_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <queue>
#include <utility>

#include "tools/gen/rng.hpp"

namespace voxmon::gen {
namespace {

constexpr int64_t ms = ns_per_ms;
constexpr int64_t sec = ns_per_s;

uint32_t host_index(uint32_t n) { return (n - 1) % 65534 + 1; }  // n >= 1

ip_addr make_ip(uint32_t n, bool v6, uint8_t net) {
  const uint32_t v = host_index(n);
  ip_addr a;
  a.v6 = v6;
  if (v6) {
    a.b = {0x20, 0x01, 0x0d, 0xb8, 0x00, net, 0, 0, 0, 0, 0, 0, 0, 0,
           static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  } else {
    a.b[0] = 10;
    a.b[1] = net;
    a.b[2] = static_cast<uint8_t>(v >> 8);
    a.b[3] = static_cast<uint8_t>(v);
  }
  return a;
}

template <size_t N>
size_t weighted_pick(rng& r, const std::array<double, N>& w) {
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  double x = r.uniform01() * total;
  for (size_t i = 0; i < N; ++i) {
    if (w[i] <= 0) continue;
    if (x < w[i]) return i;
    x -= w[i];
  }
  for (size_t i = N; i-- > 0;)
    if (w[i] > 0) return i;
  return 0;
}

// `calls` picks in proportion to `w` (largest remainder), shuffled with `r`.
template <size_t N>
std::vector<uint8_t> quota_picks(rng& r, const std::array<double, N>& w, uint64_t calls) {
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  std::array<uint64_t, N> count{};
  std::array<std::pair<double, size_t>, N> rem{};
  uint64_t given = 0;
  for (size_t i = 0; i < N; ++i) {
    const double exact = static_cast<double>(calls) * w[i] / total;
    count[i] = static_cast<uint64_t>(exact);
    given += count[i];
    rem[i] = {-(exact - static_cast<double>(count[i])), i};
  }
  std::stable_sort(rem.begin(), rem.end());
  for (size_t i = 0; given < calls; i = (i + 1) % N, ++given) count[rem[i].second]++;
  std::vector<uint8_t> picks;
  picks.reserve(calls);
  for (size_t i = 0; i < N; ++i) picks.insert(picks.end(), count[i], static_cast<uint8_t>(i));
  for (size_t i = picks.size(); i > 1; --i) std::swap(picks[i - 1], picks[r.below(i)]);
  return picks;
}

int64_t quantize(int64_t t, int64_t q) { return t - t % q; }

void add_sip(call_plan& p, int64_t t, sip_kind k, bool from_caller, uint8_t cseq = 1,
             uint8_t tag = 1, bool hold = false) {
  p.sip.push_back({t, k, from_caller, cseq, tag, hold});  // already quantized by the caller
}

uint32_t slot_at(const rtp_plan& s, int64_t t) {  // first slot sent at or after t
  if (t <= s.first_send) return 0;
  return static_cast<uint32_t>(std::min<int64_t>(s.count, (t - s.first_send + ptime_ns - 1) / ptime_ns));
}

// DTMF, comfort noise and an SSRC change inside one stream (drawn always, applied on request).
void add_stream_features(rtp_plan& s, rng& f, const gen_options& o, bool clock8k) {
  const double u_dtmf = f.uniform01(), u_cn = f.uniform01(), u_ssrc = f.uniform01();
  const auto dtmf_pos = static_cast<uint32_t>(f.below(6));
  const auto dtmf_len = static_cast<uint8_t>(7 + f.below(10));
  const auto digit = static_cast<uint8_t>(f.below(16));
  const auto cn_pos = static_cast<uint32_t>(f.below(6));
  const double cn_len = f.uniform(0.1, 0.15);
  const auto sw_pos = static_cast<uint32_t>(f.below(4));
  const auto ssrc2 = static_cast<uint32_t>(f.bits());
  const auto ts2 = static_cast<uint32_t>(f.bits());
  const auto seq2 = static_cast<uint16_t>(f.below(65536));
  if (s.count < 100) return;
  if (u_dtmf < o.dtmf) {
    s.dtmf_at = s.count * 65 / 100 + dtmf_pos;
    s.dtmf_len = dtmf_len;
    s.digit = digit;
  }
  if (u_cn < o.cn && clock8k) {
    s.cn_from = s.count / 20 + cn_pos;
    s.cn_to = s.cn_from + static_cast<uint32_t>(s.count * cn_len);
  }
  if (u_ssrc < o.ssrc_change) {
    s.switch_at = s.count * 9 / 10 + sw_pos;
    s.ssrc2 = ssrc2;
    s.seq2 = seq2;
    s.ts2 = ts2;
  }
}

// The call's SIP timeline (capture times) and RTP streams, starting with the INVITE at t0.
void script_call(call_plan& p, int64_t t0, const gen_options& o) {
  rng r(p.seed);
  rng f(derive_seed(p.seed, 0x46454154));  // "FEAT": features added later draw only from here
  const double u_reinvite = f.uniform01(), u_oneway = f.uniform01(), u_orphan = f.uniform01();
  p.new_port = f.chance(0.5);
  // Delays are whole multiples of the time quantum, so every capture time is one too.
  const int64_t q = o.quantum_ns;
  auto d = [&](int64_t lo, int64_t hi) { return quantize(r.between(lo, hi), q); };
  auto fd = [&](int64_t lo, int64_t hi) { return quantize(f.between(lo, hi), q); };
  p.callee_hangs = r.chance(0.5);
  const auto pad = static_cast<uint16_t>(d(1500, 3000));  // drawn always: options don't shift draws
  if (o.fragment_sip) p.pad = pad;
  int64_t t = t0;
  add_sip(p, t, sip_kind::invite, true, 1, 0);
  if (p.oc == outcome::unanswered) {
    // RFC 3261 timer A: retransmit after 0.5, 1, 2, 4, 8, 16 s; timer B (32 s) then gives up.
    for (int64_t gap = 500 * ms; gap <= 16 * sec; gap *= 2) add_sip(p, t += gap, sip_kind::invite, true, 1, 0);
    return;
  }
  add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::trying, false, 1, 0);
  if (p.oc == outcome::busy) {
    p.final_code = 486;
    add_sip(p, t += d(20 * ms, 300 * ms), sip_kind::final_error, false);
    add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
    return;
  }
  uint8_t cseq = 1;
  if (p.oc == outcome::redirect) {  // 302 from the callee, then a new INVITE to the target
    p.redirected = true;
    add_sip(p, t += fd(20 * ms, 200 * ms), sip_kind::moved, false, 1, 2);
    add_sip(p, t += fd(5 * ms, 40 * ms), sip_kind::ack_error, true, 1, 2);
    cseq = 2;
    add_sip(p, t += fd(1 * ms, 20 * ms), sip_kind::invite, true, cseq, 0);
    add_sip(p, t += fd(5 * ms, 40 * ms), sip_kind::trying, false, cseq, 0);
  }
  if (p.oc == outcome::forked)  // the other fork rings first, with its own To tag
    add_sip(p, t += fd(20 * ms, 200 * ms), sip_kind::ringing, false, cseq, 2);
  add_sip(p, t += d(20 * ms, 200 * ms), sip_kind::ringing, false, cseq);
  switch (p.oc) {
    case outcome::declined:
      p.final_code = 603;
      add_sip(p, t += d(1 * sec, 4 * sec), sip_kind::final_error, false);
      add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
      return;
    case outcome::cancel:
      p.final_code = 487;
      add_sip(p, t += d(2 * sec, 10 * sec), sip_kind::cancel, true, 1, 0);
      add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ok_cancel, false);
      add_sip(p, t += d(1 * ms, 10 * ms), sip_kind::final_error, false);
      add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
      return;
    case outcome::noanswer:
      p.final_code = r.chance(0.5) ? 480 : 408;
      add_sip(p, t += d(8 * sec, 20 * sec), sip_kind::final_error, false);
      add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
      return;
    default:
      break;
  }
  p.final_code = 200;
  add_sip(p, t += d(1 * sec, 5 * sec), sip_kind::ok_invite, false, cseq);
  const int64_t ack = t += d(10 * ms, 60 * ms);
  add_sip(p, ack, sip_kind::ack_2xx, true, cseq);
  const auto talk_lo = static_cast<int64_t>(o.duration_min * 1e9);
  const auto talk_hi = static_cast<int64_t>(o.duration_max * 1e9);
  const int64_t bye = ack + d(talk_lo, std::max(talk_lo, talk_hi));
  p.rtp.resize(2);
  for (int dir = 0; dir < 2; ++dir) {
    rtp_plan& s = p.rtp[dir];
    s.dir = static_cast<uint8_t>(dir);  // addresses: assign_addresses(), once n is final
    s.first_send = ack + d(0, ptime_ns);
    s.count = bye > s.first_send ? static_cast<uint32_t>((bye - s.first_send + ptime_ns - 1) / ptime_ns) : 0;
    s.ssrc = static_cast<uint32_t>(r.bits());
    // A quarter of the streams start just below 65535 so that the sequence number wraps.
    s.seq0 = static_cast<uint16_t>(r.chance(0.25) ? d(65536 - 400, 65535) : d(0, 65535));
    s.ts0 = static_cast<uint32_t>(r.bits());
    s.base_delay = d(1 * ms, 15 * ms);
    s.seed = derive_seed(p.seed, 0x525450, static_cast<uint64_t>(dir));  // "RTP"
    s.seed2 = derive_seed(p.seed, 0x525432, static_cast<uint64_t>(dir));  // "RT2"
  }
  // Hold and unhold: re-INVITEs at 1/3 and 2/3 of the talk time. On hold the callee stops
  // sending; on unhold it resumes (to the caller's new port when it moved, as a new stream).
  const int64_t h = ack + quantize((bye - ack) / 3, q), u = ack + quantize((bye - ack) * 2 / 3, q);
  const int64_t h_ok = h + fd(5 * ms, 50 * ms), h_ack = h_ok + fd(5 * ms, 40 * ms);
  const int64_t u_ok = u + fd(5 * ms, 50 * ms), u_ack = u_ok + fd(5 * ms, 40 * ms);
  const bool reinvite = u_reinvite < o.reinvite && bye - ack > 3 * sec;
  if (reinvite) {
    add_sip(p, h, sip_kind::reinvite, true, static_cast<uint8_t>(cseq + 1), 1, true);
    add_sip(p, h_ok, sip_kind::ok_reinvite, false, static_cast<uint8_t>(cseq + 1), 1, true);
    add_sip(p, h_ack, sip_kind::ack_reinvite, true, static_cast<uint8_t>(cseq + 1), 1, true);
    add_sip(p, u, sip_kind::reinvite, true, static_cast<uint8_t>(cseq + 2), 1, false);
    add_sip(p, u_ok, sip_kind::ok_reinvite, false, static_cast<uint8_t>(cseq + 2), 1, false);
    add_sip(p, u_ack, sip_kind::ack_reinvite, true, static_cast<uint8_t>(cseq + 2), 1, false);
    rtp_plan a = p.rtp[0], b = p.rtp[1];
    const uint32_t b_stop = slot_at(b, h), b_resume = slot_at(b, u_ack);
    if (p.new_port) {
      const uint32_t a_stop = slot_at(a, u_ack);
      p.rtp[0].count = a_stop;
      p.rtp[1].count = b_stop;
      rtp_plan a2 = a, b2 = b;
      a2.moved = b2.moved = true;
      a2.first_send = a.first_send + int64_t{a_stop} * ptime_ns;
      a2.count = a.count - a_stop;
      a2.ssrc = static_cast<uint32_t>(f.bits());
      a2.seq0 = static_cast<uint16_t>(f.below(65536));
      a2.ts0 = static_cast<uint32_t>(f.bits());
      a2.seed = derive_seed(p.seed, 0x525450, 2);
      a2.seed2 = derive_seed(p.seed, 0x525432, 2);
      // b2: same SSRC, numbering continues; a new stream by its destination (the new port).
      b2.first_send = b.first_send + int64_t{b_resume} * ptime_ns;
      b2.count = b.count - b_resume;
      b2.seq0 = static_cast<uint16_t>(b.seq0 + b_stop);
      b2.ts0 = b.ts0 + b_resume * codec_table[p.codec].ts_step;
      b2.seed = derive_seed(p.seed, 0x525450, 3);
      b2.seed2 = derive_seed(p.seed, 0x525432, 3);
      p.rtp.push_back(a2);
      p.rtp.push_back(b2);
    } else {  // same stream, silent while on hold
      p.rtp[1].cn_from = b_stop;
      p.rtp[1].cn_to = b_resume;
      p.rtp[1].quiet_every = 0;
    }
  }
  for (size_t i = 0; i < 2; ++i)
    if (!(reinvite && !p.new_port && i == 1))  // the hold gap takes the quiet region
      add_stream_features(p.rtp[i], f, o, codec_table[p.codec].clock == 8000);
  if (u_oneway < o.one_way) p.rtp[1].count = 0, p.rtp.size() > 3 ? p.rtp[3].count = 0 : 0;
  for (auto& s : p.rtp) s.present = s.count > 0;
  if (!o.hold_open) {
    add_sip(p, bye, sip_kind::bye, !p.callee_hangs, p.callee_hangs ? 1 : static_cast<uint8_t>(cseq + (reinvite ? 3 : 1)));
    add_sip(p, bye + d(5 * ms, 50 * ms), sip_kind::ok_bye, p.callee_hangs, p.callee_hangs ? 1 : static_cast<uint8_t>(cseq + (reinvite ? 3 : 1)));
  }
  (void)u_orphan;
}

void add_orphan(call_plan& p, const gen_options& o, int64_t last) {
  rng f(derive_seed(p.seed, 0x4F5250));  // "ORP"
  const double u = f.uniform01();
  const int64_t t0 = p.start() + 100 * ms;
  if (!(u < o.orphan) || last - t0 < 2 * sec) return;
  rtp_plan s;
  s.orphan = true;
  s.first_send = t0;
  s.count = static_cast<uint32_t>(std::min<int64_t>(500, (last - t0 - 1 * sec) / ptime_ns));
  s.ssrc = static_cast<uint32_t>(f.bits());
  s.seq0 = static_cast<uint16_t>(f.below(65536));
  s.ts0 = static_cast<uint32_t>(f.bits());
  s.base_delay = 2 * ms;
  s.seed = derive_seed(p.seed, 0x525450, 9);
  s.seed2 = derive_seed(p.seed, 0x525432, 9);
  s.present = s.count > 0;
  p.rtp.push_back(s);
}

void assign_addresses(call_plan& p, const gen_options& o) {
  const bool v6 = o.ipv6;
  for (auto& s : p.rtp) {
    const uint16_t caller_port = s.moved ? caller_rtp_port2(p.n) : caller_rtp_port(p.n);
    if (s.orphan) {
      s.src = orphan_ip(p.n, v6, true), s.dst = orphan_ip(p.n, v6, false);
      s.sport = caller_rtp_port(p.n), s.dport = callee_rtp_port(p.n);
    } else if (s.dir == 0) {
      s.src = caller_ip(p.n, v6), s.dst = answer_ip(p, v6);
      s.sport = caller_port, s.dport = callee_rtp_port(p.n);
    } else {
      s.src = answer_ip(p, v6), s.dst = caller_ip(p.n, v6);
      s.sport = callee_rtp_port(p.n), s.dport = caller_port;
    }
  }
}

}  // namespace

ip_addr caller_ip(uint32_t n, bool v6) { return make_ip(n, v6, 1); }
ip_addr callee_ip(uint32_t n, bool v6) { return make_ip(n, v6, 2); }
ip_addr target_ip(uint32_t n, bool v6) { return make_ip(n, v6, 3); }
ip_addr answer_ip(const call_plan& p, bool v6) { return p.redirected ? target_ip(p.n, v6) : callee_ip(p.n, v6); }
ip_addr orphan_ip(uint32_t n, bool v6, bool src) { return make_ip(n, v6, src ? 9 : 10); }
uint16_t caller_sip_port(uint32_t n, const gen_options& o) {
  return o.tcp ? static_cast<uint16_t>(32768 + (uint64_t{n} * 7) % 28000) : sip_port;
}
uint16_t caller_rtp_port2(uint32_t n) { return caller_rtp_port(n + 12500); }
uint16_t caller_rtp_port(uint32_t n) {
  return static_cast<uint16_t>(10000 + 2 * ((uint64_t{n} * 9973) % 25000));
}
uint16_t callee_rtp_port(uint32_t n) {
  return static_cast<uint16_t>(10000 + 2 * ((uint64_t{n} * 7919 + 12345) % 25000));
}
std::string caller_number(uint32_t n) {
  char b[16];
  std::snprintf(b, sizeof b, "1%09llu",
                static_cast<unsigned long long>((uint64_t{n} * 387420489 + 123456789) % 1000000000));
  return b;
}
std::string callee_number(uint32_t n) {
  char b[16];
  std::snprintf(b, sizeof b, "2%09llu",
                static_cast<unsigned long long>((uint64_t{n} * 282475249 + 987654321) % 1000000000));
  return b;
}

const char* reason_phrase(int code) {
  switch (code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 200: return "OK";
    case 302: return "Moved Temporarily";
    case 408: return "Request Timeout";
    case 480: return "Temporarily Unavailable";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 603: return "Decline";
    default: return "";
  }
}

std::vector<call_plan> plan_calls(const gen_options& o) {
  std::vector<call_plan> plans(o.calls);
  rng mix(derive_seed(o.seed, 0x4D4958));  // "MIX"
  std::vector<uint8_t> outcomes, codecs;
  if (o.exact_mix) {
    outcomes = quota_picks(mix, o.outcome_weights, o.calls);
    codecs.assign(o.calls, 0);
    // Codec quotas within each outcome, so that answered calls carry every codec too.
    for (size_t oc = 0; oc < outcome_names.size(); ++oc) {
      std::vector<size_t> idx;
      for (size_t k = 0; k < o.calls; ++k)
        if (outcomes[k] == oc) idx.push_back(k);
      const auto picks = quota_picks(mix, o.codec_weights, idx.size());
      for (size_t i = 0; i < idx.size(); ++i) codecs[idx[i]] = picks[i];
    }
  }
  for (uint64_t k = 0; k < o.calls; ++k) {
    call_plan& p = plans[k];
    p.seed = derive_seed(o.seed, 0x43414C4C, k);  // "CALL"
    p.oc = static_cast<outcome>(o.exact_mix ? outcomes[k] : weighted_pick(mix, o.outcome_weights));
    p.codec = static_cast<uint8_t>(o.exact_mix ? codecs[k] : weighted_pick(mix, o.codec_weights));
    p.n = static_cast<uint32_t>(k);
  }

  rng arrivals(derive_seed(o.seed, 0x415252));  // "ARR"
  if (o.concurrency == 0) {
    double t = 0;
    for (auto& p : plans) {
      script_call(p, quantize(o.start_ns + std::llround(t * 1e9), o.quantum_ns), o);
      t += arrivals.exponential(1.0 / o.cps);
    }
  } else {
    // `concurrency` slots; each starts its next call shortly after its previous call ends.
    // The first calls of the slots are spread over one mean call length (talk + 3 s).
    using slot = std::pair<int64_t, uint64_t>;  // (free at, slot id)
    std::priority_queue<slot, std::vector<slot>, std::greater<>> free_at;
    const auto ramp = static_cast<int64_t>((o.duration_mean + 3.0) * 1e9);
    for (uint64_t s = 0; s < std::min<uint64_t>(o.concurrency, o.calls); ++s)
      free_at.push({o.start_ns + arrivals.between(0, ramp), s});
    for (auto& p : plans) {
      auto [t, s] = free_at.top();
      free_at.pop();
      const int64_t start = quantize(t, o.quantum_ns);
      script_call(p, start, o);
      free_at.push({p.end() + arrivals.between(50 * ms, 1 * sec), s});
    }
  }
  std::stable_sort(plans.begin(), plans.end(),
                   [](const call_plan& a, const call_plan& b) { return a.start() < b.start(); });
  for (size_t i = 0; i < plans.size(); ++i) {
    plans[i].n = static_cast<uint32_t>(i + 1);
    add_orphan(plans[i], o, plans[i].end());
    assign_addresses(plans[i], o);
  }
  return plans;
}

}  // namespace voxmon::gen
