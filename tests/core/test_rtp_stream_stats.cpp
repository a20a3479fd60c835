// rtp_stream_stats (core/rtp_stream_stats.hpp): packets, loss and jitter with tshark 4.0's
// rules. Figures marked "tshark 4.0.17" were checked by running `tshark -o
// rtp.heuristic_rtp:TRUE -z rtp,streams` on a capture holding the same packets.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/rtp.hpp"
#include "core/rtp_stream_stats.hpp"

using namespace voxmon::core;

namespace {

constexpr timestamp_ns t0 = 1'700'000'000LL * ns_per_second;

struct pkt {
  uint16_t seq;
  uint32_t ts;
  double arrival_ms;
  uint8_t pt = 0;
  bool marker = false;
  uint32_t clock = 8000;
};

void feed(rtp_stream_stats& s, const std::vector<pkt>& packets) {
  for (const auto& p : packets)
    s.add(p.seq, p.ts, t0 + static_cast<timestamp_ns>(p.arrival_ms * 1e6), p.clock, p.pt,
          p.marker);
}

// A 20 ms, 8 kHz stream: seq first..first+n-1, timestamps from ts0, perfect arrival.
std::vector<pkt> stream(uint16_t first_seq, int n, uint32_t ts0 = 0) {
  std::vector<pkt> v;
  for (int i = 0; i < n; ++i)
    v.push_back({static_cast<uint16_t>(first_seq + i), ts0 + 160u * static_cast<uint32_t>(i),
                 20.0 * i});
  return v;
}

}  // namespace

TEST_CASE("an empty stream has nothing", "[rtp_stats]") {
  rtp_stream_stats s;
  CHECK(s.received() == 0);
  CHECK(s.expected() == 0);
  CHECK(s.lost() == 0);
  CHECK(s.rfc3550_lost() == 0);
  CHECK(s.mean_jitter_ms() == 0);
  CHECK(s.max_jitter_ms() == 0);
}

TEST_CASE("a perfect 20 ms stream has no jitter and no loss", "[rtp_stats]") {
  rtp_stream_stats s;
  feed(s, stream(100, 50, 1000));
  CHECK(s.received() == 50);
  CHECK(s.expected() == 50);
  CHECK(s.lost() == 0);
  CHECK(s.rfc3550_lost() == 0);
  CHECK(s.mean_jitter_ms() == 0);
  CHECK(s.max_jitter_ms() == 0);
  CHECK(s.min_jitter_ms() == 0);
  CHECK(s.first_arrival() == t0);
  CHECK(s.last_arrival() == t0 + 49 * 20'000'000LL);
}

TEST_CASE("jitter follows RFC 3550 6.4.1, computed by hand", "[rtp_stats]") {
  // Arrival gaps 20, 25, 15, 20 ms against 20 ms of RTP time: D = 0, 5, 5, 0.
  const std::vector<pkt> p = {{1, 0, 0}, {2, 160, 20}, {3, 320, 45}, {4, 480, 60}, {5, 640, 80}};
  rtp_stream_stats s;
  feed(s, p);
  const double j2 = 0, j3 = 5.0 / 16, j4 = (15 * j3 + 5) / 16, j5 = 15 * j4 / 16;
  CHECK(s.jitter_ms() == Approx(j5));
  CHECK(s.max_jitter_ms() == Approx(j4));  // 0.60546875
  CHECK(s.min_jitter_ms() == Approx(j2));
  CHECK(s.mean_jitter_ms() == Approx((j2 + j3 + j4 + j5) / 4));  // 0.37139892578125

  SECTION("a marker packet updates J but is left out of max and mean, tshark's way") {
    auto q = p;
    q[2].marker = true;  // the packet with J = j3
    rtp_stream_stats m;
    feed(m, q);
    CHECK(m.jitter_ms() == Approx(j5));
    CHECK(m.max_jitter_ms() == Approx(j4));
    // tshark's running mean: mean = (mean * (n - 1) + J) / n with n = packets before this one,
    // so a skipped packet weighs the next ones differently than a plain average would.
    const double after_2 = j2;                   // n = 1
    const double after_4 = (after_2 * 2 + j4) / 3;  // n = 3
    const double after_5 = (after_4 * 3 + j5) / 4;  // n = 4
    CHECK(m.mean_jitter_ms() == Approx(after_5));  // 0.29327392578125
  }
}

TEST_CASE("lost packets are expected minus received", "[rtp_stats]") {
  std::vector<pkt> p;
  for (const auto& x : stream(300, 60))
    if (x.seq != 310 && x.seq != 311 && x.seq != 330)
      p.push_back(x);
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.received() == 57);
  CHECK(s.expected() == 60);
  CHECK(s.lost() == 3);
  CHECK(s.rfc3550_lost() == 3);
  CHECK(s.max_jitter_ms() == 0);  // a gap in sequence keeps RTP time and arrival in step
}

TEST_CASE("sequence numbers wrap from 65535 to 0", "[rtp_stats]") {
  rtp_stream_stats s;
  feed(s, stream(65530, 20, 4294966000u));  // the RTP timestamp wraps too
  CHECK(s.expected() == 20);
  CHECK(s.lost() == 0);
  CHECK(s.rfc3550_expected() == 20);
  CHECK(s.max_jitter_ms() == 0);

  std::vector<pkt> p;
  for (const auto& x : stream(65530, 20))
    if (x.seq != 0)
      p.push_back(x);
  rtp_stream_stats l;
  feed(l, p);
  CHECK(l.lost() == 1);
  CHECK(l.rfc3550_lost() == 1);

  rtp_stream_stats from_zero;  // a stream that starts at 0 and goes all the way round
  feed(from_zero, stream(0, 65600));
  CHECK(from_zero.expected() == 65600);
  CHECK(from_zero.lost() == 0);
  CHECK(from_zero.rfc3550_lost() == 0);
}

TEST_CASE("duplicates make lost negative", "[rtp_stats]") {
  std::vector<pkt> p;
  for (const auto& x : stream(500, 40)) {
    p.push_back(x);
    if (x.seq == 505 || x.seq == 506) {
      p.push_back({x.seq, x.ts, x.arrival_ms + 1});
      p.push_back({x.seq, x.ts, x.arrival_ms + 1});
    }
  }
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.received() == 44);
  CHECK(s.lost() == -4);  // tshark 4.0.17: -4
  CHECK(s.rfc3550_lost() == -4);
}

TEST_CASE("reordering", "[rtp_stats]") {
  auto p = stream(600, 40);
  std::swap(p[10].seq, p[11].seq);  // 611 arrives before 610
  std::swap(p[10].ts, p[11].ts);
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.lost() == 0);
  CHECK(s.rfc3550_lost() == 0);
  CHECK(s.max_jitter_ms() > 0);

  SECTION("tshark counts from the LAST sequence, not the highest") {
    auto q = stream(1000, 20);
    const pkt late = q[10];
    q.erase(q.begin() + 10);
    q.push_back({late.seq, late.ts, 20.0 * 20});  // seq 1010 arrives after 1019
    rtp_stream_stats r;
    feed(r, q);
    CHECK(r.received() == 20);
    CHECK(r.expected() == 11);  // 1010 - 1000 + 1
    CHECK(r.lost() == -9);
    CHECK(r.rfc3550_expected() == 20);
    CHECK(r.rfc3550_lost() == 0);
  }
  SECTION("a packet from before the first one counts a whole wrap in tshark") {
    auto q = stream(1501, 30, 16160);
    q.insert(q.begin() + 3, pkt{1500, 16160, 45});  // seq below the start, timestamp in order
    rtp_stream_stats r;
    feed(r, q);
    CHECK(r.lost() == 65535);  // 1530 + 65536 - 1501 + 1 - 31, as tshark 4.0.17 prints
    CHECK(r.rfc3550_lost() == -1);
  }
}

TEST_CASE("restart after a big sequence jump (RFC 3550 A.1 probation)", "[rtp_stats]") {
  SECTION("jump forward, then sequential") {
    auto p = stream(1000, 50);
    for (const auto& x : stream(30000, 50, 160 * 50))
      p.push_back({x.seq, x.ts, 1000 + x.arrival_ms});
    rtp_stream_stats s;
    feed(s, p);
    CHECK(s.received() == 100);
    CHECK(s.lost() == 28950);  // tshark 4.0.17: no restart logic
    CHECK(s.rfc3550_expected() == 100);
    CHECK(s.rfc3550_lost() == 0);
  }
  SECTION("jump backward with the RTP timestamp going back too") {
    auto p = stream(5000, 30, 90000);
    for (const auto& x : stream(10, 30, 1000))
      p.push_back({x.seq, x.ts, 600 + x.arrival_ms});
    rtp_stream_stats s;
    feed(s, p);
    CHECK(s.lost() == -5020);  // tshark 4.0.17: last seq 39 - first 5000 + 1 - 60
    CHECK(s.rfc3550_lost() == 0);
    CHECK(s.max_jitter_ms() == 0);  // timestamps behind the first one feed no jitter
  }
  SECTION("a lone stray packet is not a restart") {
    auto p = stream(100, 20);
    p.push_back({5000, 160 * 20, 400});
    for (const auto& x : stream(120, 20, 160 * 20))
      p.push_back({x.seq, x.ts, 400 + x.arrival_ms});
    rtp_stream_stats s;
    feed(s, p);
    CHECK(s.received() == 41);
    CHECK(s.rfc3550_expected() == 40);  // the stray is received, never expected
    CHECK(s.rfc3550_lost() == -1);
    CHECK(s.lost() == -1);
  }
}

TEST_CASE("clock rate 48000 (opus) and integer ticks per ms", "[rtp_stats]") {
  const std::vector<pkt> p = {{1, 0, 0, 96, false, 48000},
                              {2, 960, 20, 96, false, 48000},
                              {3, 1920, 41, 96, false, 48000},
                              {4, 2880, 60, 96, false, 48000}};
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.max_jitter_ms() == Approx((15.0 / 16 + 1) / 16));  // D = 0, 1, 1
  CHECK(s.jitter_ms() == Approx((15.0 / 16 + 1) / 16));

  // 44.1 kHz counts 44 ticks per ms, as tshark does: 882 ticks are 20.045 ms, not 20.
  rtp_stream_stats l16;
  feed(l16, {{1, 0, 0, 11, false, 44100}, {2, 882, 20, 11, false, 44100}});
  CHECK(l16.jitter_ms() == Approx((882.0 / 44 - 20) / 16));
}

TEST_CASE("comfort noise and the packet after it stay out of max and mean", "[rtp_stats]") {
  auto p = stream(1, 10);
  p[5].pt = 13;
  p[5].arrival_ms += 10;  // D = 10 on the CN packet, and again on the next one
  rtp_stream_stats s;
  feed(s, p);
  const double j5 = 10.0 / 16, j6 = (15 * j5 + 10) / 16, j7 = 15 * j6 / 16;
  CHECK(s.max_jitter_ms() == Approx(j7));  // j5 (CN) and j6 (after CN) are skipped
}

TEST_CASE("a packet of unknown clock moves only the arrival reference", "[rtp_stats]") {
  // PT 101 telephone-event with clock 0: its timestamp stays, so the next audio packet sees
  // 40 ms of RTP time against 20 ms of arrival (tshark 4.0.17 shows the same spike).
  const std::vector<pkt> p = {{1, 0, 0}, {2, 160, 20}, {3, 160, 40, 101, false, 0}, {4, 480, 60}};
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.received() == 4);
  CHECK(s.max_jitter_ms() == Approx(20.0 / 16));
}

TEST_CASE("a timestamp behind the first packet's feeds no jitter", "[rtp_stats]") {
  auto p = stream(1, 10, 8000);
  p.insert(p.begin() + 5, pkt{11, 0, 90});  // RTP time before the stream began
  rtp_stream_stats s;
  feed(s, p);
  CHECK(s.received() == 11);
  CHECK(s.max_jitter_ms() == 0);
}

TEST_CASE("add() takes a parsed header", "[rtp_stats]") {
  rtp_header h;
  h.sequence = 7;
  h.timestamp = 0;
  h.payload_type = 13;
  rtp_stream_stats s;
  s.add(h, t0, 8000);
  h.sequence = 8;
  h.timestamp = 160;
  h.payload_type = 0;
  s.add(h, t0 + 30'000'000, 8000);  // follows CN: J moves, max does not
  CHECK(s.jitter_ms() == Approx(10.0 / 16));
  CHECK(s.max_jitter_ms() == 0);
  CHECK(s.received() == 2);
}

TEST_CASE("a stream longer than 2^31 RTP ticks keeps its statistics", "[rtp_stats]") {
  // 48 kHz, 20 ms packets for 14 hours: the RTP clock passes 2^31 ticks after 12.4 h. tshark 4.0
  // would call every later packet "out of time" (no jitter, no wrap counted); the extended
  // timestamp keeps the stream in order. Deliberate difference, see rtp_stream_stats.cpp.
  rtp_stream_stats s;
  const int n = 14 * 3600 * 50;
  uint32_t ts = 0x7000'0000;
  for (int i = 0; i < n; ++i, ts += 960)
    s.add(static_cast<uint16_t>(i), ts, t0 + int64_t{i} * 20'000'000 + (i % 2) * 1'000'000, 48000);
  CHECK(s.received() == static_cast<uint64_t>(n));
  CHECK(s.lost() == 0);
  CHECK(s.rfc3550_lost() == 0);
  // D alternates 1 ms: J settles near 1 ms and stays there to the end.
  CHECK(s.jitter_ms() == Approx(1.0).epsilon(0.05));
  CHECK(s.max_jitter_ms() == Approx(1.0).epsilon(0.05));
}
