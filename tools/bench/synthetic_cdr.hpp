#pragma once
// Synthetic CDRs for the store benchmarks (tools/bench/mysql_bench.cpp, gui_bench.cpp): the
// full column set, two RTP streams with voice quality and RTCP, a DTMF digit in one call of ten,
// distinct Call-IDs. Deterministic: call `i` is always the same call.
//
// - `varied = false` (mysql_bench): every call alike but its numbers and addresses, answered,
//   10 ms apart from 2026-01-01 (what the recorded insert figures were measured with).
// - `varied = true` (gui_bench): calls `spacing_ns` apart from `start_ns` with a realistic
//   spread: 200k callers, 7 destination prefixes, 2,000 caller addresses and 50 trunks, 4
//   sensors, final responses 200 (70 %), 486 (10 %), 487 (10 %), 603 (5 %), 408 (5 %),
//   durations 5-600 s, MOS mostly 3.8-4.4 with a tail down to 1.0, loss mostly under 0.5 % with
//   a tail up to 20 %. Only answered calls have RTP (two streams each), so 30 % of the calls
//   have no MOS and no loss, as on a real trunk.
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/cdr.hpp"

namespace voxmon::bench {

struct synthetic_options {
  int64_t start_ns = 1'767'225'600'000'000'000;  // 2026-01-01 00:00:00 UTC
  int64_t spacing_ns = 10'000'000;               // between consecutive calls
  bool varied = false;
};

namespace detail {

inline uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::string digits(uint64_t v, int n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llu", n, static_cast<unsigned long long>(v));
  return buf;
}

inline core::ip_address ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return *core::ip_address::parse(std::to_string(a) + "." + std::to_string(b) + "." +
                                  std::to_string(c) + "." + std::to_string(d));
}

}  // namespace detail

inline core::cdr synthetic_cdr(uint64_t i, const synthetic_options& o = {}) {
  using detail::mix;
  const uint64_t h1 = mix(i), h2 = mix(i ^ 0x5555'5555'5555'5555ULL), h3 = mix(h1 + 7);
  core::cdr c;
  c.callid = std::to_string(i) + "-bench@10.0.0.1";
  c.id_sensor = o.varied ? 1 + static_cast<uint32_t>(h2 % 4) : 1;
  c.calldate = o.start_ns + static_cast<int64_t>(i) * o.spacing_ns;
  c.callend = c.calldate + 65'432'000'000;
  c.connect_time = c.calldate + 2'500'000'000;
  c.progress_time = c.calldate + 1'000'000'000;
  c.first_rtp_time = c.calldate + 2'550'000'000;
  c.caller = std::to_string(1000 + i % 5000);
  c.callername = "Caller " + std::to_string(i % 5000);
  c.caller_domain = "a.example.net";
  c.called = std::to_string(2000 + i % 7000);
  c.called_domain = "b.example.net";
  c.sipcaller = {*core::ip_address::parse("10.1.0." + std::to_string(i % 250 + 1)), 5060};
  c.sipcalled = {*core::ip_address::parse("10.2.0." + std::to_string(i % 250 + 1)), 5060};
  c.last_sip_response_num = 200;
  c.last_sip_response = i % 10 ? "200 OK" : "486 Busy Here";
  c.bye = core::bye_code::bye_confirmed;
  c.whohanged = core::party::callee;
  c.a_ua = "Linphone/5.0";
  c.b_ua = "Asterisk PBX 18";
  c.vlan = 100;
  double mos = 4.3, loss_perc = 0.061;
  if (o.varied) {
    static const char* const prefixes[] = {"4989", "4940", "4969", "4930", "1212", "4420", "3314"};
    const uint64_t subscriber = h1 % 200'000;
    c.caller = "4930" + detail::digits(1'000'000 + subscriber * 37 % 9'000'000, 7);
    c.callername = "Subscriber " + std::to_string(subscriber);
    c.called = std::string(prefixes[(h1 >> 20) % 7]) + detail::digits((h2 >> 8) % 10'000'000, 7);
    c.sipcaller = {detail::ip4(10, 1, static_cast<unsigned>(subscriber % 2000 / 250),
                               static_cast<unsigned>(subscriber % 250 + 1)), 5060};
    c.sipcalled = {detail::ip4(10, 2, 0, static_cast<unsigned>((h1 >> 20) % 7 * 7 + (h2 >> 40) % 7 + 1)),
                   5060};
    const uint64_t r = (h3 >> 8) % 100;
    const int64_t ring = static_cast<int64_t>(1'000'000'000 + (h3 >> 16) % 20'000'000'000);
    c.progress_time = c.calldate + 1'000'000'000;
    if (r < 70) {
      const int64_t talk = static_cast<int64_t>(5 + (h2 >> 24) % 596) * 1'000'000'000 +
                           static_cast<int64_t>(h3 % 1000) * 1'000'000;
      c.connect_time = c.calldate + ring;
      c.first_rtp_time = *c.connect_time + 50'000'000;
      c.callend = *c.connect_time + talk;
      c.whohanged = (h3 >> 40) % 2 ? core::party::caller : core::party::callee;
      c.bye = core::bye_code::bye_confirmed;
      // MOS: 90 % between 3.8 and 4.4, the rest spread down to 1.0; loss: 95 % under 0.5 %,
      // the rest up to 20 %.
      const uint64_t q = (h1 >> 44) % 1000;
      mos = q < 900 ? 3.8 + static_cast<double>(q % 7) / 10 : 1.0 + static_cast<double>(q % 28) / 10;
      const uint64_t l = (h2 >> 50) % 1000;
      loss_perc = l < 950 ? static_cast<double>(l % 500) / 1000 : static_cast<double>(l % 200) / 10;
    } else {
      c.connect_time.reset();
      c.first_rtp_time.reset();
      c.callend = c.calldate + ring;
      c.whohanged.reset();
      c.bye = core::bye_code::never_answered;
      if (r < 80) {
        c.last_sip_response_num = 486;
        c.last_sip_response = "486 Busy Here";
      } else if (r < 90) {
        c.last_sip_response_num = 487;
        c.last_sip_response = "487 Request Terminated";
        c.whohanged = core::party::caller;  // the caller's CANCEL
      } else if (r < 95) {
        c.last_sip_response_num = 603;
        c.last_sip_response = "603 Decline";
      } else {
        c.last_sip_response_num = 408;
        c.last_sip_response = "408 Request Timeout";
        c.progress_time.reset();
      }
      return c;  // no RTP
    }
  }
  for (int k = 0; k < 2; ++k) {
    core::cdr_rtp_stream s;
    s.src = {k ? c.sipcalled.addr : c.sipcaller.addr, static_cast<uint16_t>(40000 + k)};
    s.dst = {k ? c.sipcaller.addr : c.sipcalled.addr, static_cast<uint16_t>(50000 + k)};
    s.ssrc = static_cast<uint32_t>(i * 2 + k);
    s.payload = 8;
    s.received = 3270;
    s.lost = 2;
    s.avgjitter_ms = 1.25;
    s.maxjitter_ms = 5.5;
    s.first_ts = *c.first_rtp_time;
    s.last_ts = c.callend;
    s.sender = k ? core::party::callee : core::party::caller;
    s.codec = "PCMA";
    // The second direction is a little better, so the call's MOS is the first one's.
    const double m = o.varied ? mos + 0.1 * k : 4.3;
    for (size_t b = 0; b < core::jb_count; ++b) {
      auto& q = s.quality.jb[b];
      q.mos_avg = o.varied ? m + 0.05 : 4.3 - 0.1 * static_cast<double>(b);
      q.mos_min = o.varied ? m + 0.1 * static_cast<double>(b) : 4.1;
      q.intervals = 7;
      q.frames = 3272;
      q.lost = 2 + b;
      q.late = b;
    }
    for (size_t n = 0; n < 10; ++n)
      s.quality.sl[n] = n < 2 ? 1 : 0;
    for (size_t n = 0; n < 7; ++n)
      s.quality.delay[n] = i % (n + 2);
    s.quality.expected = 3272;
    s.quality.lost = 2;
    s.quality.packet_loss_perc = o.varied ? loss_perc / (k + 1) : loss_perc;
    s.quality.ptime_ms = 20;
    core::cdr_rtcp r;
    r.reports = 13;
    r.loss = 2;
    r.max_fraction_lost = 3;
    r.avg_fraction_lost = 0.25;
    r.max_jitter_ms = 6.5;
    r.avg_jitter_ms = 1.375;
    r.rtt_count = 12;
    r.avg_rtt_ms = 41.5;
    r.max_rtt_ms = 63.25;
    s.rtcp = r;
    c.rtp.push_back(s);
  }
  if (i % 10)
    return c;  // a DTMF digit in one call of ten
  core::cdr_dtmf d;
  d.digit = static_cast<char>('0' + i % 10);
  d.time = c.calldate + 9'000'000'000;
  d.duration_ms = 160;
  d.type = 1;
  d.sender = core::party::caller;
  d.src = c.rtp[0].src;
  d.dst = c.rtp[0].dst;
  c.dtmf.push_back(d);
  return c;
}

}  // namespace voxmon::bench
