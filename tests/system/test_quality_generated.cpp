// Voice quality on generated captures with known impairments (tools/gen) through the real
// binary: the documented ordering of MOS over a table of conditions, the codec's maximum on a
// clean stream, and MOS recomputed from the CDR's own loss and burst figures with an
// independent implementation of the formula in docs/QUALITY.md.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "tests/system/process.hpp"

using namespace voxmon::test;
using nlohmann::json;

namespace {

// ---- independent E-model, written from docs/QUALITY.md (not core/emodel) -----------------
struct codec_consts {
  double ie, bpl, lookahead;
};
codec_consts consts_for(const std::string& codec) {
  if (codec == "G729")
    return {11.0, 19.0, 5.0};
  if (codec == "G722")
    return {0.0, 25.1, 1.5};
  if (codec == "opus")
    return {0.0, 25.1, 6.5};
  return {0.0, 25.1, 0.0};  // PCMU, PCMA
}
double idd(double ta) {
  if (ta <= 100.0)
    return 0.0;
  const double x = std::log2(ta / 100.0);
  return 25.0 * (std::pow(1 + std::pow(x, 6), 1.0 / 6) - 3 * std::pow(1 + std::pow(x / 3, 6), 1.0 / 6) + 2);
}
double mos_of_r(double r) {
  if (r <= 0)
    return 1.0;
  if (r >= 100)
    return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}
double mos(const codec_consts& c, double ppl, double burst_r, double ta) {
  const double ie_eff = ppl <= 0 ? c.ie : c.ie + (95 - c.ie) * ppl / (ppl / burst_r + c.bpl);
  return mos_of_r(93.2 - idd(ta) - ie_eff);
}

// ---- running generator + voxmon ---------------------------------------------------------
std::vector<json> analyse(const std::string& name, std::vector<std::string> gen_args) {
  const auto dir = temp_dir("quality-" + name);
  gen_args.insert(gen_args.end(), {"-q", "-o", (dir / "gen.pcap").string()});
  auto g = run(VOXMON_GEN_BIN, gen_args, dir);
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
  auto r = run(VOXMON_BIN, {"-r", (dir / "gen.pcap").string(), "--cdr-jsonl",
                            (dir / "cdr.jsonl").string(), "--db", "none"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return read_jsonl(dir / "cdr.jsonl");
}

std::vector<std::string> base_args(const std::string& codec, int seed) {
  return {"--seed", std::to_string(seed), "--calls", "6", "--cps", "2", "--outcomes", "answered=1",
          "--codecs", codec + "=1", "--duration-min", "12", "--duration-max", "20"};
}

struct mean_mos {
  double f1 = 0, f2 = 0, adapt = 0;
  int streams = 0;
};
mean_mos mean_of(const std::vector<json>& cdrs) {
  mean_mos m;
  for (const auto& c : cdrs)
    for (const auto& s : c["rtp"]) {
      if (s["mos_f1"].is_null())
        continue;
      m.f1 += s["mos_f1"].get<double>();
      m.f2 += s["mos_f2"].get<double>();
      m.adapt += s["mos_adapt"].get<double>();
      ++m.streams;
    }
  if (m.streams) {
    m.f1 /= m.streams;
    m.f2 /= m.streams;
    m.adapt /= m.streams;
  }
  return m;
}

mean_mos condition(const std::string& codec, const std::string& name,
                   const std::vector<std::string>& extra) {
  auto args = base_args(codec, 21);
  args.insert(args.end(), extra.begin(), extra.end());
  const auto m = mean_of(analyse(codec + "-" + name, args));
  REQUIRE(m.streams >= 10);  // 6 answered calls, two directions each
  return m;
}

}  // namespace

TEST_CASE("generated impairments: MOS ordering per codec", "[system][quality]") {
  for (const std::string codec : {"PCMU", "PCMA", "G722", "G729", "opus"}) {
    DYNAMIC_SECTION(codec) {
      const auto k = consts_for(codec);
      const auto clean = condition(codec, "clean", {});
      // No loss, no jitter: the codec's maximum. f1 and adaptive: Ta = buffer + ptime (20 ms) +
      // look-ahead <= 100 ms, so Idd = 0 and MOS = MOS(93.2 - Ie). f2: Ta = 200 + 20 + look-ahead.
      CHECK(clean.f1 == Approx(mos(k, 0, 1, 0)).margin(0.006));
      CHECK(clean.adapt == Approx(mos(k, 0, 1, 0)).margin(0.006));
      CHECK(clean.f2 == Approx(mos(k, 0, 1, 220 + k.lookahead)).margin(0.006));

      // More loss never raises MOS (same seed, same calls).
      mean_mos prev = clean;
      for (const std::string loss : {"0.01", "0.03", "0.10"}) {
        const auto m = condition(codec, "loss" + loss, {"--loss", loss});
        INFO("loss " << loss << ": f1 " << m.f1 << " f2 " << m.f2 << " adapt " << m.adapt);
        CHECK(m.f1 <= prev.f1 + 1e-9);
        CHECK(m.f2 <= prev.f2 + 1e-9);
        CHECK(m.adapt <= prev.adapt + 1e-9);
        CHECK(m.f1 < clean.f1);  // no loss is hidden: even 1 % lowers MOS
        prev = m;
      }
      // Bursty loss (Gilbert-Elliott) of about the same rate as 3 % random loss.
      const auto burst = condition(codec, "burst", {"--burst-loss", "0.006,0.2"});
      CHECK(burst.f1 < clean.f1);

      // More jitter never raises MOS; f2 tolerates more jitter than f1.
      prev = clean;
      for (const std::string jitter : {"10", "30", "60", "120"}) {
        const auto m = condition(codec, "jitter" + jitter, {"--jitter", jitter});
        INFO("jitter " << jitter << ": f1 " << m.f1 << " f2 " << m.f2 << " adapt " << m.adapt);
        CHECK(m.f1 <= prev.f1 + 1e-9);
        CHECK(m.f2 <= prev.f2 + 1e-9);
        CHECK(m.adapt <= prev.adapt + 1e-9);
        CHECK(clean.f2 - m.f2 <= clean.f1 - m.f1 + 1e-9);  // f2 loses less than f1
        if (jitter == "120")
          CHECK(m.f2 > m.f1);
        prev = m;
      }
    }
  }
}

// One 10-s interval per stream (calls of 5-8 s, no jitter): f1 plays every frame that arrives,
// so its Ppl is the stream's packet_loss_perc and its BurstR follows from sl1..sl10 (each burst
// is one received->lost and one lost->received transition).
TEST_CASE("generated loss: MOS recomputed from the CDR's own loss and bursts", "[system][quality]") {
  for (const std::string kind : {"random", "bursty"}) {
    DYNAMIC_SECTION(kind) {
      std::vector<std::string> args = {"--seed", "8", "--calls", "8", "--cps", "2", "--outcomes",
                                       "answered=1", "--codecs", "PCMU=1,G729=1", "--duration-min",
                                       "5", "--duration-max", "8"};
      if (kind == "random")
        args.insert(args.end(), {"--loss", "0.05"});
      else
        args.insert(args.end(), {"--burst-loss", "0.02,0.5"});
      const auto cdrs = analyse("recompute-" + kind, args);
      int checked = 0, with_loss = 0;
      for (const auto& c : cdrs)
        for (const auto& s : c["rtp"]) {
          if (s["mos_f1"].is_null())
            continue;
          uint64_t bursts = 0, lost = 0;
          for (int k = 1; k <= 10; ++k) {
            const auto n = s["sl" + std::to_string(k)].get<uint64_t>();
            bursts += n;
            lost += n * static_cast<uint64_t>(k);
          }
          REQUIRE(s["sl10"].get<uint64_t>() == 0);  // lengths are then exact
          const double ppl = s["packet_loss_perc"].get<double>();
          const double expected = lost ? lost * 100.0 / ppl : 0;  // sequence numbers covered
          const double received = expected - static_cast<double>(lost);
          double burst_r = 1.0;
          if (bursts) {
            const double p = bursts / (received - 1), q = bursts / static_cast<double>(lost);
            burst_r = std::max(1.0, 1.0 / (p + q));
            ++with_loss;
          }
          const auto k = consts_for(s["codec"].get<std::string>());
          const double want = mos(k, ppl, burst_r, 50 + 20 + k.lookahead);
          INFO("stream ssrc " << s["ssrc"] << " codec " << s["codec"] << " ppl " << ppl
                              << " BurstR " << burst_r);
          CHECK(s["mos_f1"].get<double>() == Approx(want).margin(0.05));
          CHECK(s["mos_f1_min"].get<double>() == s["mos_f1"].get<double>());  // one interval
          ++checked;
        }
      CHECK(checked >= 14);
      CHECK(with_loss >= 10);
    }
  }
}
