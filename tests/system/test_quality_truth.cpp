// Issue 4 against the generator's truth (tools/gen/truth.cpp, computed from the packets as
// written, independently of core/): the loss burst histogram sl1..sl10 under random and
// Gilbert-Elliott loss, the RTCP report figures, and the RFC 4733 digits of voxmon's CDRs
// equal the truth exactly.
#include <catch2/catch.hpp>

#include <map>

#include "tests/system/process.hpp"

using namespace voxmon::test;
using nlohmann::json;

namespace {

struct run_result {
  std::map<std::string, json> truth, cdrs;
};

run_result generate_and_analyse(const std::string& name, std::vector<std::string> gen_args) {
  const auto dir = temp_dir("quality-truth-" + name);
  gen_args.insert(gen_args.end(), {"-q", "-o", (dir / "gen.pcap").string()});
  auto g = run(VOXMON_GEN_BIN, gen_args, dir);
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
  auto r = run(VOXMON_BIN, {"-r", (dir / "gen.pcap").string(), "--cdr-jsonl",
                            (dir / "cdr.jsonl").string(), "--db", "none"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  run_result out;
  for (auto& j : read_jsonl(dir / "gen.pcap.truth.jsonl"))
    out.truth[j["callid"].get<std::string>()] = j;
  for (auto& j : read_jsonl(dir / "cdr.jsonl"))
    out.cdrs[j["callid"].get<std::string>()] = j;
  REQUIRE(!out.truth.empty());
  REQUIRE(out.cdrs.size() == out.truth.size());
  return out;
}

// The stream of `cdr` with the truth stream's addresses and SSRC.
const json& stream_of(const json& cdr, const json& want) {
  for (const auto& s : cdr["rtp"])
    if (s["saddr"] == want["saddr"] && s["sport"] == want["sport"] && s["daddr"] == want["daddr"] &&
        s["dport"] == want["dport"] && s["ssrc"] == want["ssrc"])
      return s;
  FAIL("stream " << want["saddr"] << ":" << want["sport"] << " ssrc " << want["ssrc"] << " not in the CDR");
  static const json none;
  return none;
}

// Exact equality of `keys` per call (a_/b_ prefixed) and per stream (bare), for every call.
void require_keys(const run_result& r, const std::vector<std::string>& call_keys,
                  const std::vector<std::string>& stream_keys) {
  for (const auto& [id, want] : r.truth) {
    INFO("call " << id);
    auto it = r.cdrs.find(id);
    REQUIRE(it != r.cdrs.end());
    const json& got = it->second;
    for (const auto& k : call_keys) {
      INFO(k << ": truth " << want[k].dump() << ", voxmon " << got[k].dump());
      REQUIRE(want.contains(k));
      CHECK(want[k] == got[k]);
    }
    REQUIRE(got["rtp"].size() == want["rtp"].size());
    for (const auto& ws : want["rtp"]) {
      const json& gs = stream_of(got, ws);
      for (const auto& k : stream_keys) {
        INFO("stream ssrc " << ws["ssrc"] << " " << k << ": truth " << ws[k].dump() << ", voxmon "
                            << gs[k].dump());
        REQUIRE(ws.contains(k));
        CHECK(ws[k] == gs[k]);
      }
    }
  }
}

std::vector<std::string> both(const std::vector<std::string>& suffixes) {
  std::vector<std::string> k;
  for (const char* side : {"a_", "b_"})
    for (const auto& s : suffixes)
      k.push_back(side + s);
  return k;
}

// Sum over streams of sl1..sl10.
std::array<uint64_t, 10> histogram(const run_result& r) {
  std::array<uint64_t, 10> h{};
  for (const auto& [id, t] : r.truth)
    for (const auto& s : t["rtp"])
      for (size_t i = 0; i < 10; ++i)
        h[i] += s["sl" + std::to_string(i + 1)].get<uint64_t>();
  return h;
}

std::vector<std::string> sl_suffixes() {
  std::vector<std::string> k;
  for (int i = 1; i <= 10; ++i)
    k.push_back("sl" + std::to_string(i));
  return k;
}

// Every stream's per-10-s series (rtp[].intervals) adds up to the truth: frames = received +
// lost, lost = the truth's loss (packets in order: no late arrival counted lost); indexes
// ascend.
void require_series_sums(const run_result& r) {
  size_t streams = 0, multi = 0;
  for (const auto& [id, want] : r.truth) {
    INFO("call " << id);
    const json& got = r.cdrs.at(id);
    for (const auto& ws : want["rtp"]) {
      const json& gs = stream_of(got, ws);
      INFO("stream ssrc " << ws["ssrc"] << " intervals " << gs["intervals"].dump());
      REQUIRE(gs["intervals"].is_array());
      uint64_t frames = 0, lost = 0;
      int64_t prev = -1;
      for (const auto& i : gs["intervals"]) {
        CHECK(i["t"].get<int64_t>() > prev);
        prev = i["t"].get<int64_t>();
        frames += i["expected"].get<uint64_t>();
        lost += i["lost"].get<uint64_t>();
        CHECK(i["mos_f1"].get<double>() > 0.9);  // the E-model's MOS dips to 0.99 near R = 3
        CHECK(i["mos_f1"].get<double>() <= 4.5);
      }
      CHECK(lost == ws["loss"].get<uint64_t>());
      CHECK(frames == ws["received"].get<uint64_t>() + ws["loss"].get<uint64_t>());
      ++streams;
      multi += gs["intervals"].size() > 1;
    }
  }
  CHECK(streams > 0);
  CHECK(multi > 0);  // calls of 10 s or more span several intervals
}

}  // namespace

TEST_CASE("loss burst histogram equals the truth: random loss", "[system][quality][truth]") {
  // No jitter, no duplicates: the packets arrive in order, so the runs of lost numbers must
  // also add up to the truth's loss (sum of k x sl_k when no run reaches 10).
  auto r = generate_and_analyse("random", {"--seed", "31", "--calls", "8", "--cps", "2",
                                           "--outcomes", "answered=1", "--loss", "0.08",
                                           "--duration-min", "10", "--duration-max", "20"});
  require_keys(r, both(sl_suffixes()), sl_suffixes());
  require_series_sums(r);
  for (const auto& [id, t] : r.truth)
    for (const auto& s : t["rtp"]) {
      uint64_t lost = 0;
      for (int i = 1; i <= 9; ++i)
        lost += static_cast<uint64_t>(i) * s["sl" + std::to_string(i)].get<uint64_t>();
      if (s["sl10"] == 0)
        CHECK(static_cast<int64_t>(lost) == s["loss"].get<int64_t>());
    }
  const auto h = histogram(r);
  CHECK(h[0] > 100);  // 8 % independent loss: mostly single losses, some pairs and triples
  CHECK(h[1] > 5);
  CHECK(h[0] > 5 * h[1]);
}

TEST_CASE("loss burst histogram equals the truth: Gilbert-Elliott bursts with reordering",
          "[system][quality][truth]") {
  // Bad state left with probability 0.15 per packet: runs of ~7 on average, many of 10+; the
  // jitter reorders packets, so a late packet must split a run exactly where the truth does.
  auto r = generate_and_analyse("gilbert", {"--seed", "32", "--calls", "8", "--cps", "2",
                                            "--outcomes", "answered=1", "--burst-loss", "0.01,0.15",
                                            "--loss", "0.01", "--jitter", "25", "--dup", "0.01",
                                            "--codecs", "PCMU=1,G729=1,opus=1",
                                            "--duration-min", "15", "--duration-max", "25"});
  require_keys(r, both(sl_suffixes()), sl_suffixes());
  const auto h = histogram(r);
  CHECK(h[9] > 5);  // runs of 10 or more
  uint64_t mid = 0;
  for (size_t i = 2; i < 9; ++i)
    mid += h[i];
  CHECK(mid > 10);
}

TEST_CASE("RTCP report figures of generated calls equal what the generator wrote",
          "[system][quality][truth][rtcp]") {
  auto r = generate_and_analyse("rtcp", {"--seed", "33", "--calls", "8", "--cps", "2",
                                         "--outcomes", "answered=1", "--rtcp", "--loss", "0.04",
                                         "--jitter", "12", "--codecs", "PCMA=1,G722=1,opus=1",
                                         "--duration-min", "14", "--duration-max", "30"});
  require_keys(r, both({"rtcp_loss", "rtcp_maxfr", "rtcp_avgfr", "rtcp_maxjitter", "rtcp_avgjitter",
                        "rtcp_rtt"}),
               {"rtcp"});
  uint64_t reports = 0, with_rtt = 0, with_loss = 0;
  for (const auto& [id, t] : r.truth)
    for (const auto& s : t["rtp"]) {
      if (s["rtcp"].is_null())
        continue;
      reports += s["rtcp"]["reports"].get<uint64_t>();
      with_rtt += !s["rtcp"]["rtt"].is_null();
      with_loss += s["rtcp"]["maxfr"].get<double>() > 0;
    }
  CHECK(reports >= 8 * 2 * 2);  // >= 2 reports per direction of calls of 14 s or more
  CHECK(with_rtt >= 8);
  CHECK(with_loss >= 8);
}

TEST_CASE("RFC 4733 digits of generated calls equal the truth", "[system][quality][truth][dtmf]") {
  // Loss and jitter: some events lose their first packets or their first end packet, and
  // reordering lets a retransmitted end packet arrive first.
  auto r = generate_and_analyse("dtmf", {"--seed", "34", "--calls", "10", "--cps", "2",
                                         "--outcomes", "answered=1", "--dtmf", "1", "--loss", "0.1",
                                         "--jitter", "20", "--duration-min", "4",
                                         "--duration-max", "12"});
  require_keys(r, {"dtmf"}, {});
  size_t digits = 0;
  for (const auto& [id, t] : r.truth)
    digits += t["dtmf"].size();
  CHECK(digits >= 15);  // one event per stream (>= 100 packets), both directions
}
