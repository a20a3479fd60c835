// A mirror sender on a real interface: a network namespace with a veth pair, the central node
// and a mirror sender capturing on vb inside it, voxmon-replay sending generated calls onto va.
// Idle ticks close the calls on the receiver; the sender's metrics count every frame. Root only.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/system/background_process.hpp"
#include "tests/system/cluster_helpers.hpp"
#include "tests/system/process.hpp"
#include "tests/system/veth_namespace.hpp"

using namespace voxmon::test;
using namespace voxmon::test::cluster;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The value of a Prometheus sample line "NAME VALUE", or -1.
double sample_of(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = text.find(key);
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + key.size());
}

}  // namespace

TEST_CASE("mirror sender on an interface: replayed calls reach the receiver and close on idle ticks",
          "[mirror][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("mirror-live");
  const auto truth = generate(dir, "gen.pcap", {"--seed", "6", "--calls", "4", "--cps", "4",
                                                "--duration-min", "1", "--duration-max", "2",
                                                "--outcomes", "answered=1"});
  uint64_t truth_rtp = 0;
  for (const auto& row : read_jsonl(dir / "gen.pcap.truth.jsonl"))
    for (const auto& s : row["rtp"])
      truth_rtp += s["received"].get<uint64_t>();
  const uint16_t port = static_cast<uint16_t>(30000 + ::getpid() % 20000);
  const uint16_t metrics_port = static_cast<uint16_t>(port + 1);
  write_text(dir / "server.conf", server_conf(port, "bye_timeout = 1\n"));
  write_text(dir / "m.conf", sensor_conf(port, 95, "packetbuffer_sender = yes\ninterface = vb\n"
                                                   "metrics_bind = 127.0.0.1:" + std::to_string(metrics_port) + "\n"));
  background_process server(ip_binary(), ns.exec_args(VOXMON_BIN, {"-c", "server.conf", "--db", "none",
                                                                   "--cdr-jsonl", "server.jsonl"}),
                            dir, "server");
  REQUIRE(server.wait_for_stderr("central node listening", 20s));
  background_process sender(ip_binary(), ns.exec_args(VOXMON_BIN, {"-c", "m.conf"}), dir, "sender");
  REQUIRE(sender.wait_for_stderr("mirroring to", 20s));
  auto rep = ns.replay(dir / "gen.pcap");
  REQUIRE(rep.exit_code == 0);
  // No more traffic: the sender's idle ticks move the receiver's packet time on, bye_timeout
  // closes the calls there.
  bool all = false;
  for (int i = 0; i < 100 && !all; ++i) {
    std::this_thread::sleep_for(100ms);
    all = std::filesystem::exists(dir / "server.jsonl") && read_jsonl(dir / "server.jsonl").size() == truth.size();
  }
  CHECK(all);
  const std::string metrics = ns.http_get(metrics_port);
  INFO(metrics);
  CHECK(sample_of(metrics, "voxmon_mirror_connected") == 1);
  CHECK(sample_of(metrics, "voxmon_mirror_lost_frames_total") == 0);
  CHECK(sample_of(metrics, "voxmon_mirror_packets_total") >= static_cast<double>(truth_rtp));
  sender.signal(SIGTERM);
  CHECK(sender.wait_for(30s) == 0);
  server.signal(SIGTERM);
  CHECK(server.wait_for(30s) == 0);
  std::set<std::string> ids;
  uint64_t rtp = 0;
  for (const auto& row : read_jsonl(dir / "server.jsonl")) {
    ids.insert(row["callid"].get<std::string>());
    CHECK(row["id_sensor"] == 95);
    CHECK(row["sighup"] == false);
    for (const auto& s : row["rtp"])
      rtp += s["received"].get<uint64_t>();
  }
  CHECK(ids == truth);
  CHECK(rtp == truth_rtp);
}
