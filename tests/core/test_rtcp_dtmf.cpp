// RTCP report blocks, LSR/DLSR round trip, XR VoIP metrics (core/rtcp_report) and DTMF
// (core/dtmf) on hand-built packets.
#include <catch2/catch.hpp>

#include <vector>

#include "core/dtmf.hpp"
#include "core/rtcp_report.hpp"

using namespace voxmon::core;

namespace {

constexpr timestamp_ns ms = 1'000'000;

void be16(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
void be32(std::vector<uint8_t>& v, uint32_t x) {
  be16(v, x >> 16);
  be16(v, x & 0xFFFF);
}
void block(std::vector<uint8_t>& v, uint32_t ssrc, uint8_t fraction, int32_t cum, uint32_t jitter,
           uint32_t lsr, uint32_t dlsr) {
  be32(v, ssrc);
  v.push_back(fraction);
  const auto c = static_cast<uint32_t>(cum) & 0xFFFFFF;
  v.push_back(static_cast<uint8_t>(c >> 16));
  be16(v, c & 0xFFFF);
  be32(v, 1000);  // highest seq
  be32(v, jitter);
  be32(v, lsr);
  be32(v, dlsr);
}
// SR from `ssrc` with NTP seconds/fraction, no blocks, followed by an SDES-less compound.
std::vector<uint8_t> sr(uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac) {
  std::vector<uint8_t> v{0x80, 200};
  be16(v, 6);
  be32(v, ssrc);
  be32(v, ntp_sec);
  be32(v, ntp_frac);
  be32(v, 160000);  // RTP ts
  be32(v, 500);     // packets
  be32(v, 80000);   // octets
  return v;
}
std::vector<uint8_t> rr(uint32_t ssrc, uint8_t fraction, int32_t cum, uint32_t jitter,
                        uint32_t lsr, uint32_t dlsr, uint32_t about) {
  std::vector<uint8_t> v{0x81, 201};
  be16(v, 7);
  be32(v, ssrc);
  block(v, about, fraction, cum, jitter, lsr, dlsr);
  return v;
}

}  // namespace

TEST_CASE("RTCP SR and RR report blocks are parsed", "[rtcp]") {
  auto pkt = rr(0xBBBB, 64, -3, 800, 0, 0, 0xAAAA);
  // compound: RR + SDES (one empty chunk)
  const std::vector<uint8_t> sdes{0x81, 202, 0, 1, 0, 0, 0xBB, 0xBB};
  pkt.insert(pkt.end(), sdes.begin(), sdes.end());
  auto r = parse_rtcp_report(pkt);
  REQUIRE(r);
  CHECK(r->sender_ssrc == 0xBBBB);
  CHECK_FALSE(r->has_sr);
  REQUIRE(r->block_count == 1);
  CHECK(r->blocks[0].ssrc == 0xAAAA);
  CHECK(r->blocks[0].fraction_lost == 64);
  CHECK(r->blocks[0].cumulative_lost == -3);
  CHECK(r->blocks[0].jitter == 800);
  auto s = parse_rtcp_report(sr(0xAAAA, 0x01020304, 0x05060000));
  REQUIRE(s);
  CHECK(s->has_sr);
  CHECK(s->sr_ntp_middle == 0x03040506);
  // truncated
  pkt.resize(20);
  CHECK_FALSE(parse_rtcp_report(pkt));
}

TEST_CASE("RTCP round trip from LSR/DLSR and per-stream figures", "[rtcp]") {
  rtcp_tracker t;
  const timestamp_ns t0 = 1'000'000 * ms;
  t.on_report(*parse_rtcp_report(sr(0xAAAA, 0x01020304, 0x05060000)), t0);
  // The receiver held the SR for 0.5 s (DLSR 32768) and its RR passes 540 ms after the SR:
  // round trip monitor <-> receiver = 40 ms.
  t.on_report(*parse_rtcp_report(rr(0xBBBB, 0, 0, 160, 0x03040506, 32768, 0xAAAA)),
              t0 + 540 * ms);
  t.on_report(*parse_rtcp_report(rr(0xBBBB, 128, 7, 480, 0, 0, 0xAAAA)), t0 + 5540 * ms);
  const auto* s = t.find(0xAAAA);
  REQUIRE(s);
  CHECK(s->reports == 2);
  CHECK(s->cumulative_lost == 7);
  CHECK(s->max_fraction_lost == 128);
  CHECK(s->fraction_lost_sum == 128);
  CHECK(s->max_jitter == 480);
  CHECK(s->jitter_sum == 640);
  REQUIRE(s->rtt_count == 1);
  CHECK(s->rtt_sum_ms == Approx(40.0));
  CHECK(s->rtt_max_ms == Approx(40.0));
  CHECK(t.find(0xBBBB) == nullptr);
}

TEST_CASE("RTCP XR VoIP metrics block keeps MOS as reported", "[rtcp]") {
  std::vector<uint8_t> v{0x80, 207};
  be16(v, 10);  // 4 + 4 + 36 bytes = 11 words
  be32(v, 0xBBBB);
  v.insert(v.end(), {7, 0});
  be16(v, 8);
  be32(v, 0xAAAA);
  v.insert(v.end(), {12, 3, 0, 0});  // loss, discard, burst/gap density
  be32(v, 0);                        // burst/gap duration
  be16(v, 85);                       // round trip
  be16(v, 40);                       // end system delay
  v.insert(v.end(), {0, 0, 0, 0, 88, 127, 41, 39, 0, 0});
  be16(v, 0);
  be16(v, 0);
  be16(v, 0);
  auto r = parse_rtcp_report(v);
  REQUIRE(r);
  REQUIRE(r->xr_voip);
  CHECK(r->xr_voip->ssrc == 0xAAAA);
  CHECK(r->xr_voip->round_trip_delay == 85);
  CHECK(r->xr_voip->r_factor == 88);
  CHECK(r->xr_voip->mos_lq == 41);
  CHECK(r->xr_voip->mos_cq == 39);
}

namespace {
std::vector<uint8_t> ev(uint8_t event, bool end, uint16_t duration) {
  return {event, static_cast<uint8_t>(end ? 0x8A : 0x0A), static_cast<uint8_t>(duration >> 8),
          static_cast<uint8_t>(duration)};
}
}  // namespace

TEST_CASE("RFC 4733 events: one digit per event, retransmitted ends once", "[dtmf]") {
  telephone_event_tracker t;
  const timestamp_ns t0 = 5'000 * ms;
  CHECK(t.add(ev(5, false, 160), 1000, t0, 8000).count == 0);
  CHECK(t.add(ev(5, false, 320), 1000, t0 + 20 * ms, 8000).count == 0);
  auto done = t.add(ev(5, true, 800), 1000, t0 + 100 * ms, 8000);
  REQUIRE(done.count == 1);
  CHECK(done.events[0].digit == '5');
  CHECK(done.events[0].start == t0);
  CHECK(done.events[0].duration_ms == Approx(100.0));
  CHECK(done.events[0].ended);
  // the two retransmitted end packets
  CHECK(t.add(ev(5, true, 800), 1000, t0 + 120 * ms, 8000).count == 0);
  CHECK(t.add(ev(5, true, 800), 1000, t0 + 140 * ms, 8000).count == 0);
  // '#' without an end packet, then '*': '#' completes when '*' starts
  CHECK(t.add(ev(11, false, 160), 3000, t0 + 1000 * ms, 8000).count == 0);
  done = t.add(ev(10, false, 160), 5000, t0 + 2000 * ms, 8000);
  REQUIRE(done.count == 1);
  CHECK(done.events[0].digit == '#');
  CHECK_FALSE(done.events[0].ended);
  auto last = t.finish();
  REQUIRE(last);
  CHECK(last->digit == '*');
  CHECK_FALSE(t.finish());
  // too short payload and non-DTMF events are ignored
  CHECK(t.add(std::vector<uint8_t>{1, 2}, 7000, t0, 8000).count == 0);
  CHECK(t.add(ev(40, true, 100), 7000, t0, 8000).count == 0);
}

TEST_CASE("SIP INFO DTMF bodies", "[dtmf]") {
  auto a = parse_sip_info_dtmf("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  REQUIRE(a);
  CHECK(a->digit == '5');
  REQUIRE(a->duration_ms);
  CHECK(*a->duration_ms == 160);
  auto b = parse_sip_info_dtmf("Application/DTMF-Relay; x=y", "signal = #\nduration= 250");
  REQUIRE(b);
  CHECK(b->digit == '#');
  auto c = parse_sip_info_dtmf("application/dtmf", "11\r\n");
  REQUIRE(c);
  CHECK(c->digit == '#');
  CHECK_FALSE(c->duration_ms);
  CHECK(parse_sip_info_dtmf("application/dtmf", "*")->digit == '*');
  CHECK_FALSE(parse_sip_info_dtmf("application/sdp", "Signal=5"));
  CHECK_FALSE(parse_sip_info_dtmf("application/dtmf-relay", "Duration=160"));
  CHECK_FALSE(parse_sip_info_dtmf("application/dtmf-relay", "Signal=Z"));
}
