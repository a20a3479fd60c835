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

// A central node (server_extra in its configuration) and a mirror sender on vb (sensor `id`,
// sender_extra, metrics on metrics_port), both in the namespace and both ready.
struct mirror_pair {
  std::unique_ptr<background_process> server, sender;
};
mirror_pair start_mirror_pair(const veth_namespace& ns, const std::filesystem::path& dir, uint16_t port,
                              uint32_t id, const std::string& server_extra, const std::string& sender_extra,
                              uint16_t metrics_port) {
  write_text(dir / "server.conf", server_conf(port, server_extra));
  write_text(dir / "m.conf", sensor_conf(port, id, "packetbuffer_sender = yes\ninterface = vb\n" + sender_extra +
                                                   "metrics_bind = 127.0.0.1:" + std::to_string(metrics_port) + "\n"));
  mirror_pair p;
  p.server = std::make_unique<background_process>(
    ip_binary(), ns.exec_args(VOXMON_BIN, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"}),
    dir, "server");
  REQUIRE(p.server->wait_for_stderr("central node listening", 20s));
  p.sender = std::make_unique<background_process>(ip_binary(), ns.exec_args(VOXMON_BIN, {"-c", "m.conf"}), dir,
                                                  "sender");
  REQUIRE(p.sender->wait_for_stderr("mirroring to", 20s));
  return p;
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
  auto pair = start_mirror_pair(ns, dir, port, 95, "bye_timeout = 1\n", "", metrics_port);
  auto& server = *pair.server;
  auto& sender = *pair.sender;
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

TEST_CASE("mirror sender on an interface: packets its capture drops are counted, logged and flag "
          "the receiver's calls", "[mirror][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("mirror-live-drops");
  // As the sensor's drop test (test_live_sensor.cpp): 40 calls set up and answered within the
  // first 7 s at their own pace, then the rest of their RTP (~12 MB) at top speed into a 2 MB
  // kernel buffer while the sender is stopped (SIGSTOP). The sender once sent on as if nothing
  // had been lost: its status said "lost 0", the receiver's CDRs had no capture-loss flag.
  const auto truth = generate(dir, "gen.pcap", {"--seed", "9", "--calls", "40", "--cps", "20",
                                                "--duration-min", "20", "--duration-max", "20",
                                                "--outcomes", "answered=1", "--codecs", "PCMA=1"});
  const uint64_t frames = frames_in(dir / "gen.pcap");
  REQUIRE(frames > 50000);
  const uint16_t port = static_cast<uint16_t>(30000 + (::getpid() + 3) % 20000);
  const uint16_t metrics_port = static_cast<uint16_t>(port + 1);
  auto pair = start_mirror_pair(ns, dir, port, 96, "", "ringbuffer = 2\nsnaplen = 1600\n", metrics_port);
  auto& server = *pair.server;
  auto& sender = *pair.sender;
  auto setup = ns.replay(dir / "gen.pcap", {"--to", "7"});
  INFO(setup.err);
  REQUIRE(setup.exit_code == 0);
  // The setup is read and packed once the sender's packet count stops moving.
  std::string text;
  double packed = -1;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(200ms);
    text = ns.http_get(metrics_port);
    const double now = sample_of(text, "voxmon_mirror_packets_total");
    if (now > 0 && now == packed)
      break;
    packed = now;
  }
  const double setup_dropped = sample_of(text, "voxmon_mirror_capture_dropped_total");
  REQUIRE(setup_dropped >= 0);
  if (setup_dropped > 0)
    WARN(setup_dropped << " frames dropped before the burst (machine busy)");
  sender.signal(SIGSTOP);
  auto burst = ns.replay(dir / "gen.pcap", {"--from", "7", "--topspeed"});
  sender.signal(SIGCONT);
  INFO(burst.err);
  REQUIRE(burst.exit_code == 0);
  for (int i = 0; i < 100; ++i) {  // the sender reads its drop counters once a second
    text = ns.http_get(metrics_port);
    if (sample_of(text, "voxmon_mirror_capture_dropped_total") > 0 &&
        sample_of(text, "voxmon_mirror_packets_total") +
            sample_of(text, "voxmon_mirror_capture_dropped_total") >= static_cast<double>(frames))
      break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(text);
  const double sent = sample_of(text, "voxmon_mirror_packets_total");
  const double dropped = sample_of(text, "voxmon_mirror_capture_dropped_total");
  CHECK(dropped > 1000);
  CHECK(sent + dropped == static_cast<double>(frames));  // every frame is one or the other
  CHECK(sample_of(text, "voxmon_mirror_lost_frames_total") == 0);  // the buffer lost nothing
  sender.signal(SIGTERM);
  CHECK(sender.wait_for(30s) == 0);
  INFO(sender.err());
  CHECK(sender.err().find("packets dropped by the kernel or the interface before mirroring (total " +
                          std::to_string(static_cast<uint64_t>(dropped)) + " kernel") != std::string::npos);
  CHECK(sender.err().find("| capture drops " + std::to_string(static_cast<uint64_t>(dropped))) !=
        std::string::npos);
  server.signal(SIGTERM);
  CHECK(server.wait_for(30s) == 0);
  INFO(server.err());
  CHECK(server.err().find("mirror sensor 96 lost ") != std::string::npos);
  // All 40 calls were open during the loss: each CDR on the receiver carries the flag and the
  // number of packets lost, as a sensor capturing the interface itself would write.
  const auto cdrs = read_jsonl(dir / "server.jsonl");
  std::set<std::string> ids;
  for (const auto& c : cdrs) {
    ids.insert(c["callid"].get<std::string>());
    CHECK(c["id_sensor"] == 96);
    CHECK(c["capture_loss"] == true);
    const auto n = c["capture_dropped"].get<uint64_t>();
    CHECK(n <= static_cast<uint64_t>(dropped));
    CHECK(n >= static_cast<uint64_t>(dropped - setup_dropped));
  }
  CHECK(ids == truth);
}
