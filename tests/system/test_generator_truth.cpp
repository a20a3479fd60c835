// Generated traffic with exact ground truth (tools/gen) through a real voxmon process: every
// CDR field must equal the truth the generator wrote.
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Runs the generator with `gen_args`, then voxmon; returns {truth, cdrs} keyed by callid.
std::pair<std::map<std::string, json>, std::map<std::string, json>>
generate_and_analyse(const std::string& name, std::vector<std::string> gen_args) {
  const auto dir = temp_dir("truth-" + name);
  gen_args.insert(gen_args.end(), {"-o", (dir / "gen.pcap").string()});
  auto g = run(VOXMON_GEN_BIN, gen_args, dir);
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
  auto r = run(VOXMON_BIN, {"-r", (dir / "gen.pcap").string(), "--cdr-jsonl",
                            (dir / "cdr.jsonl").string(), "--db", "none"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, json> truth, cdrs;
  for (auto& j : read_jsonl(dir / "gen.pcap.truth.jsonl"))
    truth[j["callid"].get<std::string>()] = j;
  for (auto& j : read_jsonl(dir / "cdr.jsonl"))
    cdrs[j["callid"].get<std::string>()] = j;
  return {truth, cdrs};
}

bool is_jitter_key(const std::string& k) {
  return k.find("jitter") != std::string::npos;
}

void compare_value(const std::string& path, const json& want, const json& got) {
  INFO(path << ": truth " << want.dump() << ", voxmon " << got.dump());
  if (want.is_array()) {
    REQUIRE(got.is_array());
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i)
      compare_value(path + "[" + std::to_string(i) + "]", want[i], got[i]);
  } else if (want.is_object()) {
    REQUIRE(got.is_object());
    for (auto it = want.begin(); it != want.end(); ++it) {
      REQUIRE(got.contains(it.key()));
      compare_value(path + "." + it.key(), it.value(), got[it.key()]);
    }
  } else if (want.is_number_float() && is_jitter_key(path.substr(path.rfind('.') + 1))) {
    // Both sides round the same RFC 3550 estimate to microseconds; allow the last digit.
    REQUIRE(got.is_number());
    CHECK(std::fabs(want.get<double>() - got.get<double>()) <= 0.0011);
  } else {
    CHECK(want == got);
  }
}

void compare_all(const std::map<std::string, json>& truth, const std::map<std::string, json>& cdrs) {
  REQUIRE(truth.size() > 0);
  CHECK(cdrs.size() == truth.size());
  for (const auto& [id, want] : truth) {
    auto it = cdrs.find(id);
    INFO("call " << id);
    REQUIRE(it != cdrs.end());
    compare_value(id, want, it->second);
  }
}

}  // namespace

TEST_CASE("generated calls: every outcome and codec equals the truth", "[system][truth]") {
  auto [truth, cdrs] = generate_and_analyse("mix", {"--seed", "11", "--calls", "60", "--cps", "4",
                                                    "--duration-min", "2", "--duration-max", "20"});
  compare_all(truth, cdrs);
}

TEST_CASE("generated calls with loss and network jitter equal the truth", "[system][truth]") {
  auto [truth, cdrs] = generate_and_analyse("impaired", {"--seed", "5", "--calls", "30", "--cps", "3",
                                                         "--loss", "0.03", "--jitter", "15",
                                                         "--outcomes", "answered=1"});
  compare_all(truth, cdrs);
}

TEST_CASE("noise payloads change only the payload bytes: the same truth, and CDRs equal to it",
          "[system][truth]") {
  // --payload noise (pseudo-random bytes, as coded speech looks to a compressor) is what the
  // mirror benchmark's wire figures need; nothing the analysis reports may depend on it.
  const std::vector<std::string> args = {"--seed", "23", "--calls", "20", "--cps", "4", "--duration-min", "2",
                                         "--duration-max", "10", "--dtmf", "0.5", "--cn", "0.5"};
  const auto dir = temp_dir("truth-noise-bytes");
  for (const std::string kind : {"pattern", "noise"}) {
    auto with = args;
    with.insert(with.end(), {"--payload", kind, "-o", (dir / (kind + ".pcap")).string()});
    REQUIRE(run(VOXMON_GEN_BIN, with, dir).exit_code == 0);
  }
  const auto pattern = read_file(dir / "pattern.pcap"), noise = read_file(dir / "noise.pcap");
  CHECK(pattern.size() == noise.size());
  CHECK(pattern != noise);
  CHECK(read_file(dir / "pattern.pcap.truth.jsonl") == read_file(dir / "noise.pcap.truth.jsonl"));
  auto with = args;
  with.insert(with.end(), {"--payload", "noise"});
  auto [truth, cdrs] = generate_and_analyse("noise", with);
  compare_all(truth, cdrs);
  auto bad = run(VOXMON_GEN_BIN, {"--payload", "silence", "-o", (dir / "x.pcap").string()}, dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--payload must be pattern or noise") != std::string::npos);
}

TEST_CASE("generated duplicates and reordering: the counts equal the truth", "[system][truth]") {
  // Duplicates 10 us-2 ms after the original; |N(0, 40 ms)| delays overtake packets often.
  auto [truth, cdrs] = generate_and_analyse("dup-reorder", {"--seed", "17", "--calls", "12",
                                                            "--cps", "2", "--outcomes", "answered=1",
                                                            "--dup", "0.02", "--jitter", "40",
                                                            "--loss", "0.02", "--duration-min", "5",
                                                            "--duration-max", "15"});
  compare_all(truth, cdrs);
  uint64_t dups = 0, reordered = 0;
  for (const auto& [id, t] : truth)
    for (const auto& s : t["rtp"]) {
      dups += s["duplicates"].get<uint64_t>();
      reordered += s["reordered"].get<uint64_t>();
    }
  CHECK(dups > 20);        // the comparison above covered real counts, not zeros
  CHECK(reordered > 100);
}

TEST_CASE("VLAN, IP-in-IP, IPv6, fragmented SIP, tunnels and Linux cooked captures equal the truth",
          "[system][truth]") {
  const std::vector<std::vector<std::string>> variants = {
    {"--vlan", "42"}, {"--ipip"}, {"--ipv6"}, {"--fragment-sip"}, {"--ipv6", "--fragment-sip"},
    {"--link", "sll"}, {"--ipip", "--vlan", "7", "--fragment-sip"}, {"--tunnel", "gre"},
    {"--tunnel", "erspan"}, {"--tunnel", "vxlan"}, {"--tunnel", "gre", "--vlan", "9"},
    {"--tunnel", "l2tpv3"}, {"--tunnel", "l2tpv3", "--vlan", "11"}};
  std::map<std::string, json> plain_cdrs;
  {
    auto [truth, cdrs] = generate_and_analyse("plain", {"--seed", "3", "--calls", "12"});
    compare_all(truth, cdrs);
    plain_cdrs = cdrs;
  }
  for (const auto& v : variants) {
    std::string name;
    for (const auto& a : v)
      name += a;
    DYNAMIC_SECTION(name) {
      std::vector<std::string> args{"--seed", "3", "--calls", "12"};
      args.insert(args.end(), v.begin(), v.end());
      auto [truth, cdrs] = generate_and_analyse(name.substr(2), args);
      compare_all(truth, cdrs);
      // The same calls with and without the wrapping give the same CDRs, apart from vlan
      // (IPv6 changes the addresses themselves, so it is not compared with the plain run).
      if (std::find(v.begin(), v.end(), "--ipv6") == v.end()) {
        REQUIRE(cdrs.size() == plain_cdrs.size());
        for (auto [id, cdr] : cdrs) {
          INFO("call " << id);
          REQUIRE(plain_cdrs.count(id) == 1);
          json plain = plain_cdrs.at(id);
          cdr.erase("vlan");
          plain.erase("vlan");
          CHECK(cdr == plain);
        }
      }
    }
  }
}
