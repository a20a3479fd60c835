// The sensor on two interfaces with deduplication, and the privilege drop (run_as_user).
// Root only (network namespaces, raw sockets): skipped with a message otherwise.
#include <catch2/catch.hpp>

#include <regex>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>

#include "tests/system/background_process.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

bool have_ip() { return ::access("/usr/sbin/ip", X_OK) == 0 || ::access("/sbin/ip", X_OK) == 0; }

// A namespace "vxdup<pid>" with veth va <-> vb, IPv6 off; removed at the end.
struct dup_namespace {
  std::string name = "vxdup" + std::to_string(::getpid());
  bool ok = false;
  dup_namespace() {
    sh("ip netns del " + name);
    ok = sh("ip netns add " + name) == 0 &&
         sh("ip netns exec " + name + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
            "net.ipv6.conf.default.disable_ipv6=1") == 0 &&
         sh("ip -n " + name + " link add va mtu 9000 type veth peer name vb mtu 9000") == 0 &&
         sh("ip -n " + name + " link set va up") == 0 && sh("ip -n " + name + " link set vb up") == 0 &&
         sh("ip -n " + name + " link set lo up") == 0;
  }
  ~dup_namespace() { sh("ip netns del " + name); }
};

uint64_t total_received(const json& cdr) {
  uint64_t n = 0;
  for (const auto& s : cdr["rtp"])
    n += s["received"].get<uint64_t>();
  return n;
}

// Three answered calls of 1 s into dir/gen.pcap; the generator's truth by Call-ID.
std::map<std::string, json> generate_calls(const fs::path& dir, const std::string& seed) {
  auto g = run(VOXMON_GEN_BIN, {"--seed", seed, "--calls", "3", "--cps", "5", "--duration-min", "1",
                                "--duration-max", "1", "--outcomes", "answered=1", "-o",
                                (dir / "gen.pcap").string()}, dir);
  REQUIRE(g.exit_code == 0);
  std::map<std::string, json> truth;
  for (auto& j : read_jsonl(dir / "gen.pcap.truth.jsonl"))
    truth[j["callid"].get<std::string>()] = j;
  REQUIRE(truth.size() == 3);
  return truth;
}

// A replayed call's CDR against the generator's truth: exactly what the wire carried, in the
// wire's order (the copy kept may come from either interface's thread, and the router merges
// the interfaces' packets in packet-time order, core::source_merge). Before the merge, the
// first RTP packets (or a 200 OK) could be routed before the 200 OK's SDP (or the INVITE), and
// a BYE's 200 OK before the BYE.
void check_against_truth(const json& got, const json& want) {
  CHECK(total_received(got) == total_received(want));
  CHECK(got["bye"] == want["bye"]);
  CHECK(got["lastSIPresponseNum"] == want["lastSIPresponseNum"]);
  CHECK(got["sighup"] == false);
}

}  // namespace

TEST_CASE("two interfaces see every packet twice: deduplicate = yes keeps one copy", "[system][live]") {
  if (::geteuid() != 0 || !have_ip()) {
    WARN("skipped: live capture tests need root and iproute2");
    return;
  }
  dup_namespace ns;
  REQUIRE(ns.ok);
  const auto dir = temp_dir("live-dedup");
  const auto truth = generate_calls(dir, "12");
  // va sees each replayed frame going out, vb sees it coming in: two copies of everything.
  background_process sensor("/usr/sbin/ip",
                            {"netns", "exec", ns.name, VOXMON_BIN, "-i", "va,vb", "--deduplicate", "yes",
                             "--bye-timeout", "1", "--cdr-jsonl", "cdr.jsonl", "--db", "none"},
                            dir, "voxmon");
  REQUIRE(sensor.wait_for_stderr("voxmon sensor running", 20s));
  auto rep = run("/usr/sbin/ip", {"netns", "exec", ns.name, VOXMON_REPLAY_BIN, "-i", "va", (dir / "gen.pcap").string()});
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  std::this_thread::sleep_for(3500ms);  // bye_timeout 1 s on idle ticks
  sensor.signal(SIGTERM);
  const auto code = sensor.wait_for(30s);
  INFO(sensor.err());
  REQUIRE(code);
  CHECK(*code == 0);
  // Exactly one copy of every replayed frame reached the analysis.
  const std::regex replayed(R"(voxmon-replay: (\d+) frames)"), kept(R"(stopped: (\d+) packets)");
  std::smatch r, k;
  const std::string rep_err = rep.err, sensor_err = sensor.err();
  REQUIRE(std::regex_search(rep_err, r, replayed));
  REQUIRE(std::regex_search(sensor_err, k, kept));
  CHECK(k[1] == r[1]);
  std::map<std::string, json> cdrs;
  for (auto& j : read_jsonl(dir / "cdr.jsonl"))
    cdrs[j["callid"].get<std::string>()] = j;
  REQUIRE(cdrs.size() == truth.size());
  for (const auto& [id, want] : truth) {
    INFO("call " << id);
    REQUIRE(cdrs.count(id));
    const auto& got = cdrs[id];
    check_against_truth(got, want);
    CHECK(got["a_duplicates"] == want["a_duplicates"]);
    CHECK(got["b_duplicates"] == want["b_duplicates"]);
  }
}

TEST_CASE("run_as_user: the sensor opens the capture as root, then runs as that user", "[system][live]") {
  if (::geteuid() != 0) {
    WARN("skipped: needs root to switch users");
    return;
  }
  const auto dir = temp_dir("live-run-as");
  ::chmod(dir.c_str(), 0777);  // nobody writes its CDR file here
  background_process sensor(VOXMON_BIN, {"-i", "lo", "--run-as-user", "nobody", "--cdr-jsonl", "cdr.jsonl",
                                         "--db", "none"}, dir, "voxmon");
  INFO(sensor.err());
  REQUIRE(sensor.wait_for_stderr("voxmon sensor running", 20s));
  CHECK(sensor.err().find("running as user nobody") != std::string::npos);
  std::ifstream status("/proc/" + std::to_string(sensor.pid()) + "/status");
  std::string line, uid;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0)
      uid = line;
  CHECK(uid.find("65534") != std::string::npos);
  CHECK(uid.find("\t0\t") == std::string::npos);
  sensor.signal(SIGTERM);
  const auto code = sensor.wait_for(30s);
  REQUIRE(code);
  CHECK(*code == 0);
  // A user that does not exist: a clear error, exit code 2.
  auto r = run(VOXMON_BIN, {"-i", "lo", "--run-as-user", "no-such-user-vx", "--db", "none"}, dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("run_as_user: no such user 'no-such-user-vx'") != std::string::npos);
}

TEST_CASE("an interface that disappears ends its capture, the other interface's calls go on", "[system][live]") {
  if (::geteuid() != 0 || !have_ip()) {
    WARN("skipped: live capture tests need root and iproute2");
    return;
  }
  dup_namespace ns;
  REQUIRE(ns.ok);
  REQUIRE(sh("ip -n " + ns.name + " link add vc type veth peer name vd") == 0);
  REQUIRE(sh("ip -n " + ns.name + " link set vc up") == 0);
  REQUIRE(sh("ip -n " + ns.name + " link set vd up") == 0);
  const auto dir = temp_dir("live-gone");
  const auto truth = generate_calls(dir, "13");
  background_process sensor("/usr/sbin/ip",
                            {"netns", "exec", ns.name, VOXMON_BIN, "-i", "va,vc", "--bye-timeout", "1",
                             "--cdr-jsonl", "cdr.jsonl", "--db", "none"},
                            dir, "voxmon");
  REQUIRE(sensor.wait_for_stderr("voxmon sensor running", 20s));
  // vc goes away (with its peer): its capture ends; va's packets must not wait for it.
  REQUIRE(sh("ip -n " + ns.name + " link del vc") == 0);
  INFO(sensor.err());
  REQUIRE(sensor.wait_for_stderr("interface 'vc'", 10s));
  auto rep = run("/usr/sbin/ip", {"netns", "exec", ns.name, VOXMON_REPLAY_BIN, "-i", "va", (dir / "gen.pcap").string()});
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  // Every call is closed (bye_timeout 1 s on idle ticks) while the sensor still runs.
  std::vector<json> rows;
  for (int i = 0; i < 40 && rows.size() < truth.size(); ++i) {
    std::this_thread::sleep_for(250ms);
    if (fs::exists(dir / "cdr.jsonl"))
      rows = read_jsonl(dir / "cdr.jsonl");
  }
  sensor.signal(SIGTERM);
  const auto code = sensor.wait_for(30s);
  INFO(sensor.err());
  REQUIRE(code);
  REQUIRE(rows.size() == truth.size());
  for (const auto& got : rows) {
    const auto id = got["callid"].get<std::string>();
    INFO("call " << id);
    REQUIRE(truth.count(id));
    check_against_truth(got, truth.at(id));
  }
  // The merge let va's packets through as soon as vc had ended, not when its queue overflowed.
  CHECK(sensor.err().find("before every interface had caught up") == std::string::npos);
}
