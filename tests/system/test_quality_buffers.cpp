// Per-buffer MOS on generated captures, frame by frame: this test reads the generated pcap
// itself, replays every RTP stream through its own implementation of the jitter buffers,
// sequence window, 10-second intervals and E-model exactly as docs/QUALITY.md states them (it
// calls nothing in core/), and compares each stream's mos_f1/f2/adapt average and minimum, the
// late-frame counts and packet_loss_perc with voxmon's CDR, for a table of conditions
// (codecs x random loss x bursty loss x jitter). Tolerance: the CDR's own rounding (2 decimals
// for MOS, 3 for loss percent) plus 1e-9.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>

#include "tests/system/process.hpp"

using namespace voxmon::test;
using nlohmann::json;

namespace {

// ---- the capture: classic pcap, Ethernet, IPv4, UDP (voxmon-gen's default output) ---------
struct rtp_arrival {
  int64_t t;  // ns
  uint16_t seq;
  uint32_t ts;
};
using stream_key = std::tuple<std::string, int, std::string, int, uint32_t>;  // saddr sport daddr dport ssrc

uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }
uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
std::string ip4(const uint8_t* p) {
  return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
         std::to_string(p[3]);
}

std::map<stream_key, std::vector<rtp_arrival>> read_rtp(const std::filesystem::path& path) {
  const std::string data = read_file(path);
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  REQUIRE(data.size() >= 24);
  uint32_t magic;
  std::memcpy(&magic, d, 4);
  REQUIRE((magic == 0xa1b23c4d || magic == 0xa1b2c3d4));  // little-endian file, as written
  const int64_t frac_ns = magic == 0xa1b23c4d ? 1 : 1000;
  std::map<stream_key, std::vector<rtp_arrival>> streams;
  for (size_t off = 24; off + 16 <= data.size();) {
    uint32_t sec, frac, caplen;
    std::memcpy(&sec, d + off, 4);
    std::memcpy(&frac, d + off + 4, 4);
    std::memcpy(&caplen, d + off + 8, 4);
    const uint8_t* f = d + off + 16;
    off += 16 + caplen;
    if (off > data.size())
      FAIL("truncated pcap record");
    if (caplen < 14 + 20 + 8 + 12 || be16(f + 12) != 0x0800)
      continue;
    const uint8_t* ip = f + 14;
    const size_t ihl = (ip[0] & 0x0f) * 4u;
    if (ip[9] != 17 || (be16(ip + 6) & 0x3fff) != 0)  // UDP, not a fragment
      continue;
    const uint8_t* udp = ip + ihl;
    const int sport = be16(udp), dport = be16(udp + 2);
    const uint8_t* r = udp + 8;
    if (sport == 5060 || dport == 5060 || (r[0] >> 6) != 2)
      continue;
    const uint8_t pt = r[1] & 0x7f;
    if (pt >= 72 && pt <= 76)  // RTCP
      continue;
    streams[{ip4(ip + 12), sport, ip4(ip + 16), dport, be32(r + 8)}].push_back(
        {int64_t{sec} * 1'000'000'000 + int64_t{frac} * frac_ns, be16(r + 2), be32(r + 4)});
  }
  return streams;
}

// ---- docs/QUALITY.md, "Jitter buffers" ----------------------------------------------------
struct buffer {
  bool adaptive;
  double size;
  bool started = false;
  double ref = 0;
  int late_run = 0, block_n = 0;
  double cur_peak = 0, prev_peak = 0;

  bool play(double transit) {
    if (!started) {
      started = true;
      ref = transit;
    }
    double d = transit - ref;
    if (d < 0) {
      ref = transit;
      d = 0;
    }
    if (d > 5000) {
      ref = transit;
      late_run = 0;
      return true;
    }
    if (adaptive) {
      cur_peak = std::max(cur_peak, d);
      if (++block_n == 250) {
        prev_peak = cur_peak;
        cur_peak = 0;
        block_n = 0;
      }
    }
    if (d > size) {
      if (++late_run == 10) {
        ref = transit;
        late_run = 0;
      }
      if (adaptive)
        size = std::min(d, 500.0);
      return false;
    }
    late_run = 0;
    if (adaptive) {
      const double floor = std::max({20.0, prev_peak, cur_peak});
      if (size > floor)
        size -= (size - floor) / 256;
    }
    return true;
  }
};

// ---- docs/QUALITY.md, "E-model" ------------------------------------------------------------
struct codec_consts {
  double ie, bpl, lookahead;
  uint32_t clock;
};
codec_consts consts_for(const std::string& codec) {
  if (codec == "G729")
    return {11.0, 19.0, 5.0, 8000};
  if (codec == "G722")
    return {0.0, 25.1, 1.5, 8000};
  if (codec == "opus")
    return {0.0, 25.1, 6.5, 48000};
  return {0.0, 25.1, 0.0, 8000};  // PCMU, PCMA
}
double mos(const codec_consts& c, double ppl, double burst_r, double ta) {
  double idd = 0;
  if (ta > 100) {
    const double x = std::log2(ta / 100);
    idd = 25 * (std::pow(1 + std::pow(x, 6), 1.0 / 6) - 3 * std::pow(1 + std::pow(x / 3, 6), 1.0 / 6) + 2);
  }
  const double ie_eff = ppl <= 0 ? c.ie : c.ie + (95 - c.ie) * ppl / (ppl / burst_r + c.bpl);
  const double r = 93.2 - idd - ie_eff;
  if (r <= 0)
    return 1;
  if (r >= 100)
    return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

struct buffer_result {
  double avg = 0, min = 0;
  uint64_t late = 0;
};
struct stream_result {
  std::array<buffer_result, 3> b;
  double loss_perc = 0;
};

// One stream, frame by frame. Sequence numbers: a frame is a sequence number between the lowest
// and the highest seen; it belongs to the interval of the arrival that first covered it (the
// first packet with that or a higher number, or with that or a lower one when it overtook the
// stream's first arrival); a frame that never arrived is lost for every buffer; duplicates are
// not offered to the buffers. (The generator never reorders by 100 packets, so the window's
// edge plays no part.)
stream_result simulate(const std::vector<rtp_arrival>& arrivals, const codec_consts& c) {
  struct frame {
    uint32_t interval = 0;
    bool arrived = false;
    std::array<bool, 3> late{};
  };
  struct interval_acc {
    std::array<double, 3> delay_sum{};
    std::array<uint64_t, 3> delay_n{};
  };
  std::array<buffer, 3> buf{buffer{false, 50}, buffer{false, 200}, buffer{true, 50}};
  std::map<int64_t, frame> frames;
  std::map<uint32_t, interval_acc> acc;
  const int64_t t0 = arrivals.front().t;
  int64_t max_ext = arrivals.front().seq, min_ext = max_ext, rel_ts = 0;
  uint32_t last_ts = arrivals.front().ts;
  bool first = true;
  for (const auto& a : arrivals) {
    const auto interval = static_cast<uint32_t>((a.t - t0) / 10'000'000'000);
    rel_ts += static_cast<int32_t>(a.ts - last_ts);
    last_ts = a.ts;
    const int64_t ext = first ? max_ext : max_ext + static_cast<int16_t>(static_cast<uint16_t>(a.seq - max_ext));
    if (first || ext > max_ext) {
      for (int64_t e = first ? ext : max_ext + 1; e <= ext; ++e)
        frames[e].interval = interval;
      max_ext = ext;
    }
    for (int64_t e = ext; e < min_ext; ++e)  // overtook the first arrival: the stream starts here
      frames[e].interval = interval;
    min_ext = std::min(min_ext, ext);
    first = false;
    frame& f = frames[ext];
    if (f.arrived)
      continue;  // duplicate
    f.arrived = true;
    const double transit = static_cast<double>(a.t - t0) / 1e6 - static_cast<double>(rel_ts) * 1000.0 / c.clock;
    for (size_t b = 0; b < 3; ++b) {
      acc[f.interval].delay_sum[b] += buf[b].size;
      ++acc[f.interval].delay_n[b];
      f.late[b] = !buf[b].play(transit);
    }
  }
  stream_result out;
  uint64_t net_lost = 0;
  for (const auto& [e, f] : frames)
    net_lost += f.arrived ? 0 : 1;
  out.loss_perc = 100.0 * static_cast<double>(net_lost) / static_cast<double>(frames.size());
  for (size_t b = 0; b < 3; ++b) {
    struct counts {
      uint64_t frames = 0, lost = 0, r_to_l = 0, r_frames = 0, l_to_r = 0, l_frames = 0;
    };
    std::map<uint32_t, counts> per;
    bool have_prev = false, prev_lost = false;
    for (const auto& [e, f] : frames) {
      const bool lost = !f.arrived || f.late[b];
      out.b[b].late += f.arrived && f.late[b] ? 1 : 0;
      auto& k = per[f.interval];
      ++k.frames;
      k.lost += lost ? 1 : 0;
      if (have_prev) {
        if (prev_lost) {
          ++k.l_frames;
          k.l_to_r += lost ? 0 : 1;
        } else {
          ++k.r_frames;
          k.r_to_l += lost ? 1 : 0;
        }
      }
      have_prev = true;
      prev_lost = lost;
    }
    double sum = 0;
    int n = 0;
    for (const auto& [i, k] : per) {
      const double ppl = 100.0 * static_cast<double>(k.lost) / static_cast<double>(k.frames);
      double burst_r = 1;
      if (k.r_to_l != 0 || k.l_frames != 0) {
        const double p = k.r_frames ? double(k.r_to_l) / double(k.r_frames) : 0;
        const double q = k.l_frames ? double(k.l_to_r) / double(k.l_frames) : 0;
        burst_r = p + q > 0 ? std::max(1.0, 1 / (p + q)) : 1;
      }
      const auto& a = acc[i];
      const double jb = a.delay_n[b] ? a.delay_sum[b] / static_cast<double>(a.delay_n[b])
                                     : (b == 1 ? 200 : 50);
      const double m = mos(c, ppl, burst_r, jb + 20 + c.lookahead);
      sum += m;
      out.b[b].min = n == 0 ? m : std::min(out.b[b].min, m);
      ++n;
    }
    out.b[b].avg = n ? sum / n : 0;
  }
  return out;
}

}  // namespace

TEST_CASE("generated conditions: per-buffer MOS equals an independent frame-by-frame replay",
          "[system][quality]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> conditions = {
      {"clean", {}},
      {"loss1", {"--loss", "0.01"}},
      {"loss3", {"--loss", "0.03"}},
      {"loss10", {"--loss", "0.10"}},
      {"burst", {"--burst-loss", "0.006,0.2"}},
      {"jitter10", {"--jitter", "10"}},
      {"jitter30", {"--jitter", "30"}},
      {"jitter60", {"--jitter", "60"}},
      {"jitter120", {"--jitter", "120"}},
      {"jitter30-loss3", {"--jitter", "30", "--loss", "0.03"}},
      {"jitter60-exp", {"--jitter", "60", "--jitter-dist", "exp"}},
  };
  const char* names[3] = {"mos_f1", "mos_f2", "mos_adapt"};
  const char* late_names[3] = {"f1_late", "f2_late", "adapt_late"};
  for (const std::string codec : {"PCMU", "G722", "G729", "opus"}) {
    std::array<uint64_t, 3> late_total{};
    for (const auto& [cond, extra] : conditions) {
      {
        INFO(codec << " " << cond);
        const auto dir = temp_dir("quality-buffers-" + codec + "-" + cond);
        std::vector<std::string> args = {"--seed", "33", "--calls", "4", "--cps", "2",
                                         "--outcomes", "answered=1", "--codecs", codec + "=1",
                                         "--duration-min", "15", "--duration-max", "35", "-q",
                                         "-o", (dir / "gen.pcap").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        auto g = run(VOXMON_GEN_BIN, args, dir);
        INFO(g.err);
        REQUIRE(g.exit_code == 0);
        auto r = run(VOXMON_BIN, {"-r", (dir / "gen.pcap").string(), "--cdr-jsonl",
                                  (dir / "cdr.jsonl").string(), "--db", "none"}, dir);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto streams = read_rtp(dir / "gen.pcap");
        const auto cdrs = read_jsonl(dir / "cdr.jsonl");
        const auto k = consts_for(codec);
        size_t compared = 0;
        for (const auto& c : cdrs)
          for (const auto& s : c["rtp"]) {
            const stream_key key{s["saddr"].get<std::string>(), s["sport"].get<int>(),
                                 s["daddr"].get<std::string>(), s["dport"].get<int>(),
                                 s["ssrc"].get<uint32_t>()};
            INFO("stream " << s["saddr"] << ":" << s["sport"] << " -> " << s["daddr"] << ":"
                           << s["dport"]);
            REQUIRE(streams.count(key) == 1);
            const auto want = simulate(streams.at(key), k);
            CHECK(std::fabs(s["packet_loss_perc"].get<double>() - want.loss_perc) <= 0.0005 + 1e-9);
            for (size_t b = 0; b < 3; ++b) {
              INFO(names[b] << ": replay avg " << want.b[b].avg << " min " << want.b[b].min
                            << " late " << want.b[b].late);
              CHECK(std::fabs(s[names[b]].get<double>() - want.b[b].avg) <= 0.005 + 1e-9);
              CHECK(std::fabs(s[std::string(names[b]) + "_min"].get<double>() - want.b[b].min) <=
                    0.005 + 1e-9);
              CHECK(s[late_names[b]].get<uint64_t>() == want.b[b].late);
              late_total[b] += want.b[b].late;
            }
            ++compared;
          }
        CHECK(compared == 8);  // 4 answered calls, one stream each way
      }
    }
    // The jitter conditions really made frames late (else the buffers were never exercised).
    INFO(codec);
    CHECK(late_total[0] > 0);
    CHECK(late_total[0] >= late_total[1]);
  }
}
