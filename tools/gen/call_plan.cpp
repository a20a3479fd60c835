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

void add_sip(call_plan& p, int64_t t, sip_kind k, bool from_caller) {
  p.sip.push_back({t, k, from_caller});  // already quantized by the caller
}

// The call's SIP timeline (capture times) and RTP streams, starting with the INVITE at t0.
void script_call(call_plan& p, int64_t t0, const gen_options& o) {
  rng r(p.seed);
  // Delays are whole multiples of the time quantum, so every capture time is one too.
  const int64_t q = o.quantum_ns;
  auto d = [&](int64_t lo, int64_t hi) { return quantize(r.between(lo, hi), q); };
  p.callee_hangs = r.chance(0.5);
  const auto pad = static_cast<uint16_t>(d(1500, 3000));  // drawn always: options don't shift draws
  if (o.fragment_sip) p.pad = pad;
  int64_t t = t0;
  add_sip(p, t, sip_kind::invite, true);
  if (p.oc == outcome::unanswered) {
    // RFC 3261 timer A: retransmit after 0.5, 1, 2, 4, 8, 16 s; timer B (32 s) then gives up.
    for (int64_t gap = 500 * ms; gap <= 16 * sec; gap *= 2) add_sip(p, t += gap, sip_kind::invite, true);
    return;
  }
  add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::trying, false);
  if (p.oc == outcome::busy) {
    p.final_code = 486;
    add_sip(p, t += d(20 * ms, 300 * ms), sip_kind::final_error, false);
    add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
    return;
  }
  add_sip(p, t += d(20 * ms, 200 * ms), sip_kind::ringing, false);
  switch (p.oc) {
    case outcome::declined:
      p.final_code = 603;
      add_sip(p, t += d(1 * sec, 4 * sec), sip_kind::final_error, false);
      add_sip(p, t += d(5 * ms, 40 * ms), sip_kind::ack_error, true);
      return;
    case outcome::cancel:
      p.final_code = 487;
      add_sip(p, t += d(2 * sec, 10 * sec), sip_kind::cancel, true);
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
  add_sip(p, t += d(1 * sec, 5 * sec), sip_kind::ok_invite, false);
  const int64_t ack = t += d(10 * ms, 60 * ms);
  add_sip(p, ack, sip_kind::ack_2xx, true);
  const auto talk_lo = static_cast<int64_t>(o.duration_min * 1e9);
  const auto talk_hi = static_cast<int64_t>(o.duration_max * 1e9);
  const int64_t bye = ack + d(talk_lo, std::max(talk_lo, talk_hi));
  for (int dir = 0; dir < 2; ++dir) {
    rtp_plan& s = p.rtp[dir];
    s.first_send = ack + d(0, ptime_ns);
    s.count = bye > s.first_send ? static_cast<uint32_t>((bye - s.first_send + ptime_ns - 1) / ptime_ns) : 0;
    s.present = s.count > 0;
    s.ssrc = static_cast<uint32_t>(r.bits());
    // A quarter of the streams start just below 65535 so that the sequence number wraps.
    s.seq0 = static_cast<uint16_t>(r.chance(0.25) ? d(65536 - 400, 65535) : d(0, 65535));
    s.ts0 = static_cast<uint32_t>(r.bits());
    s.base_delay = d(1 * ms, 15 * ms);
    s.seed = derive_seed(p.seed, 0x525450, static_cast<uint64_t>(dir));  // "RTP"
  }
  add_sip(p, bye, sip_kind::bye, !p.callee_hangs);
  add_sip(p, bye + d(5 * ms, 50 * ms), sip_kind::ok_bye, p.callee_hangs);
}

}  // namespace

ip_addr caller_ip(uint32_t n, bool v6) { return make_ip(n, v6, 1); }
ip_addr callee_ip(uint32_t n, bool v6) { return make_ip(n, v6, 2); }
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
  for (size_t i = 0; i < plans.size(); ++i) plans[i].n = static_cast<uint32_t>(i + 1);
  return plans;
}

}  // namespace voxmon::gen
