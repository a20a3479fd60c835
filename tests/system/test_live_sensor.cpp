// The sensor daemon on a real interface: a network namespace with a veth pair, voxmon capturing
// on one end (vb), voxmon-replay sending generated calls onto the other (va) with their original
// timing. Root only (network namespaces, raw sockets): without it each test says so and passes
// nothing else. Every namespace is named after this process and removed, also after a crash of
// an earlier run (stale names whose process is gone).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "tests/system/background_process.hpp"
#include "tests/system/process.hpp"
#include "tests/system/veth_namespace.hpp"
#include "tests/system/cluster_helpers.hpp"
#include "core/pcap_writer.hpp"
#include "core/spool_path.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;
using voxmon::test::cluster::frames_in;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// voxmon capturing on vb inside the namespace, started and waited for.
std::unique_ptr<background_process> start_sensor(const veth_namespace& ns, const fs::path& dir,
                                                 std::vector<std::string> extra) {
  std::vector<std::string> args{"-i", "vb", "--cdr-jsonl", "cdr.jsonl", "--db", "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = std::make_unique<background_process>(ip_binary(), ns.exec_args(VOXMON_BIN, args), dir, "voxmon");
  INFO(p->err());
  REQUIRE(p->wait_for_stderr("voxmon sensor running", 20s));
  return p;
}

size_t complete_lines(const fs::path& p) {
  const std::string text = read_file(p);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

bool wait_for_lines(const fs::path& p, size_t n, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (complete_lines(p) >= n)
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return complete_lines(p) >= n;
}

std::map<std::string, json> by_callid(const std::vector<json>& rows) {
  std::map<std::string, json> m;
  for (const auto& j : rows)
    m[j["callid"].get<std::string>()] = j;
  return m;
}

// (caplen, wirelen) of every record of a pcap file.
std::vector<std::pair<uint32_t, uint32_t>> record_lengths(const fs::path& file) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  std::string error;
  const bool ok = voxmon::core::read_pcap_file(
      file.string(), [](int) {},
      [&](const voxmon::core::pcap_record& r) {
        out.emplace_back(static_cast<uint32_t>(r.data.size()), r.wirelen);
      },
      error);
  INFO(error);
  REQUIRE(ok);
  return out;
}

void generate(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.end(), {"-o", (dir / "gen.pcap").string()});
  auto g = run(VOXMON_GEN_BIN, args, dir);
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
}

// A sample of the Prometheus text, or -1 when absent.
double metric(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = text.find(key);
  if (at == std::string::npos)
    return -1;
  return std::atof(text.c_str() + at + key.size());
}

// Time on the live path is the kernel's receive time of each replayed frame: the calls happen
// now, not at the generator's date, and the sender's scheduling adds a little jitter. So dates
// are left out, durations must agree to 20 ms, jitter to 5 ms; every count (packets, loss,
// sequence errors), address, code and name must be equal.
void compare_live(const std::string& path, const json& want, const json& got) {
  INFO(path << ": truth " << want.dump() << ", voxmon " << got.dump());
  const std::string key = path.substr(path.rfind('.') + 1);
  if (want.is_array()) {
    REQUIRE(got.is_array());
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i)
      compare_live(path + "[" + std::to_string(i) + "]", want[i], got[i]);
  } else if (want.is_object()) {
    REQUIRE(got.is_object());
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (it.key() == "calldate" || it.key() == "callend")
        continue;
      REQUIRE(got.contains(it.key()));
      compare_live(path + "." + it.key(), it.value(), got[it.key()]);
    }
  } else if (want.is_number_float() && key.find("jitter") != std::string::npos) {
    REQUIRE(got.is_number());
    CHECK(std::fabs(want.get<double>() - got.get<double>()) <= 5.0);
  } else if (want.is_number_float() && (key == "duration" || key == "connect_duration" ||
                                        key == "progress_time" || key == "first_rtp_time")) {
    REQUIRE(got.is_number());
    CHECK(std::fabs(want.get<double>() - got.get<double>()) <= 0.020);
  } else {
    CHECK(want == got);
  }
}

}  // namespace

TEST_CASE("live capture on a veth: replayed calls give the generator's CDRs, idle ticks close them",
          "[system][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-truth");
  generate(dir, {"--seed", "21", "--calls", "8", "--cps", "4", "--duration-min", "1",
                 "--duration-max", "3", "--outcomes", "answered=5,busy=1,declined=1,cancel=1",
                 "--exact-mix", "--loss", "0.02"});
  const auto truth = by_callid(read_jsonl(dir / "gen.pcap.truth.jsonl"));
  REQUIRE(truth.size() == 8);
  // bye_timeout 1 s: after the last BYE only idle ticks move packet time on, so every CDR
  // appearing proves the ticks work (no packet arrives after the replay).
  auto sensor = start_sensor(ns, dir, {"--bye-timeout", "1"});
  auto rep = ns.replay(dir / "gen.pcap");
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  CHECK(rep.err.find(" 0 failed") != std::string::npos);
  {
    INFO(sensor->err());
    REQUIRE(wait_for_lines(dir / "cdr.jsonl", truth.size(), 15s));
  }
  sensor->signal(SIGTERM);
  const auto code = sensor->wait_for(30s);
  INFO(sensor->err());
  REQUIRE(code);
  CHECK(*code == 0);
  const auto cdrs = by_callid(read_jsonl(dir / "cdr.jsonl"));
  REQUIRE(cdrs.size() == truth.size());
  for (const auto& [id, want] : truth) {
    INFO("call " << id);
    auto it = cdrs.find(id);
    REQUIRE(it != cdrs.end());
    compare_live(id, want, it->second);
    CHECK(it->second["sighup"] == false);  // closed by SIP and bye_timeout, before the stop
  }
}

TEST_CASE("SIGTERM mid-call: open calls are written with the sighup mark, every packet saved",
          "[system][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-sigterm");
  // Answered calls that never send BYE: all still open when the replay ends.
  generate(dir, {"--seed", "8", "--calls", "4", "--cps", "4", "--duration-min", "1",
                 "--duration-max", "2", "--outcomes", "answered=1", "--hold-open"});
  const auto truth = by_callid(read_jsonl(dir / "gen.pcap.truth.jsonl"));
  REQUIRE(truth.size() == 4);
  auto sensor = start_sensor(ns, dir, {"--savesip", "yes", "--savertp", "yes", "--spooldir", "spool"});
  auto rep = ns.replay(dir / "gen.pcap");
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  std::this_thread::sleep_for(1500ms);  // the last frames reach the router (batches flush when idle)
  CHECK(complete_lines(dir / "cdr.jsonl") == 0);  // nothing closed yet: rtptimeout is 300 s
  sensor->signal(SIGTERM);
  const auto code = sensor->wait_for(30s);
  INFO(sensor->err());
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(sensor->err().find("received SIGTERM") != std::string::npos);
  const auto cdrs = by_callid(read_jsonl(dir / "cdr.jsonl"));
  REQUIRE(cdrs.size() == truth.size());
  for (const auto& [id, want] : truth) {
    INFO("call " << id);
    auto it = cdrs.find(id);
    REQUIRE(it != cdrs.end());
    const json& got = it->second;
    CHECK(got["sighup"] == true);
    CHECK(got["bye"] == 1);  // answered, no BYE seen
    CHECK(got["lastSIPresponseNum"] == want["lastSIPresponseNum"]);
    REQUIRE(got["rtp"].size() == want["rtp"].size());
    for (size_t i = 0; i < want["rtp"].size(); ++i) {
      CHECK(got["rtp"][i]["ssrc"] == want["rtp"][i]["ssrc"]);
      CHECK(got["rtp"][i]["received"] == want["rtp"][i]["received"]);  // nothing lost at the stop
      CHECK(got["rtp"][i]["loss"] == want["rtp"][i]["loss"]);
    }
  }
  // The call pcaps were flushed and closed: together they hold every replayed frame.
  uint64_t saved = 0, files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "spool"))
    if (e.is_regular_file() && e.path().extension() == ".pcap") {
      saved += frames_in(e.path());
      ++files;
    }
  CHECK(files == 2 * truth.size());  // a SIP and an RTP file per call
  CHECK(saved == frames_in(dir / "gen.pcap"));
}

TEST_CASE("metrics endpoint answers with the capture, call and CDR counters", "[system][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-metrics");
  generate(dir, {"--seed", "4", "--calls", "3", "--cps", "5", "--duration-min", "1",
                 "--duration-max", "2", "--outcomes", "answered=1"});
  const uint64_t frames = frames_in(dir / "gen.pcap");
  REQUIRE(frames > 100);
  const uint16_t port = static_cast<uint16_t>(20000 + ::getpid() % 20000);
  auto sensor = start_sensor(ns, dir, {"--bye-timeout", "1", "--metrics-bind",
                                       "127.0.0.1:" + std::to_string(port)});
  const std::string before = ns.http_get(port);
  INFO(before);
  CHECK(before.rfind("HTTP/1.", 0) == 0);
  CHECK(before.find("text/plain") != std::string::npos);
  CHECK(metric(before, "voxmon_capture_packets_total") == 0);
  CHECK(metric(before, "voxmon_capture_interfaces") == 1);
  auto rep = ns.replay(dir / "gen.pcap");
  REQUIRE(rep.exit_code == 0);
  REQUIRE(wait_for_lines(dir / "cdr.jsonl", 3, 15s));
  std::string after;
  for (int i = 0; i < 30; ++i) {  // the writer counts a CDR once its store has it
    after = ns.http_get(port);
    if (metric(after, "voxmon_cdrs_written_total") == 3)
      break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(after);
  CHECK(metric(after, "voxmon_capture_packets_total") == static_cast<double>(frames));
  CHECK(metric(after, "voxmon_capture_kernel_dropped_total") == 0);
  CHECK(metric(after, "voxmon_capture_interface_dropped_total") == 0);
  CHECK(metric(after, "voxmon_calls_open") == 0);
  CHECK(metric(after, "voxmon_calls_closed_total") == 3);
  CHECK(metric(after, "voxmon_cdrs_written_total") == 3);
  CHECK(metric(after, "voxmon_resident_memory_bytes") > 1e6);
  sensor->signal(SIGINT);
  const auto code = sensor->wait_for(30s);
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("drops are counted and reported when the capture buffer is too small for a burst",
          "[system][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-drops");
  // 40 calls set up (and answered) within the first 7 s (original timing), then ~12 MB of
  // their RTP at top speed into a 1 MB kernel buffer while the sensor is stopped (SIGSTOP):
  // the kernel has nowhere to put most of it.
  generate(dir, {"--seed", "9", "--calls", "40", "--cps", "20", "--duration-min", "20",
                 "--duration-max", "20", "--outcomes", "answered=1", "--codecs", "PCMA=1"});
  const uint64_t frames = frames_in(dir / "gen.pcap");
  REQUIRE(frames > 50000);
  const uint16_t port = static_cast<uint16_t>(20000 + (::getpid() + 7) % 20000);
  // A 2 MB ring holds the setup at its original rate, not 12 MB at top speed.
  auto sensor = start_sensor(ns, dir, {"--ringbuffer", "2", "--snaplen", "1600", "--metrics-bind",
                                       "127.0.0.1:" + std::to_string(port)});
  auto setup = ns.replay(dir / "gen.pcap", {"--to", "7"});
  INFO(setup.err);
  REQUIRE(setup.exit_code == 0);
  std::string text;
  for (int i = 0; i < 50; ++i) {  // every call is open before the burst
    text = ns.http_get(port);
    if (metric(text, "voxmon_calls_open") == 40)
      break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(metric(text, "voxmon_calls_open") == 40);
  // A loaded machine can stall the sensor during the setup too: then the calls opened after
  // those drops saw fewer of them (checked below).
  const double setup_dropped = metric(text, "voxmon_capture_kernel_dropped_total");
  if (setup_dropped > 0)
    WARN(setup_dropped << " frames dropped before the burst (machine busy)");
  sensor->signal(SIGSTOP);
  auto burst = ns.replay(dir / "gen.pcap", {"--from", "7", "--topspeed"});
  sensor->signal(SIGCONT);
  INFO(burst.err);
  REQUIRE(burst.exit_code == 0);
  for (int i = 0; i < 100; ++i) {  // drops are read every few seconds
    text = ns.http_get(port);
    if (metric(text, "voxmon_capture_kernel_dropped_total") > 0 &&
        metric(text, "voxmon_capture_packets_total") + metric(text, "voxmon_capture_kernel_dropped_total") >= frames)
      break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(text);
  const double captured = metric(text, "voxmon_capture_packets_total");
  const double dropped = metric(text, "voxmon_capture_kernel_dropped_total");
  CHECK(dropped > 1000);
  CHECK(captured > 0);
  CHECK(captured + dropped == static_cast<double>(frames));  // every frame is one or the other
  sensor->signal(SIGTERM);
  const auto code = sensor->wait_for(30s);
  INFO(sensor->err());
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(sensor->err().find("packets dropped by the kernel") != std::string::npos);
  const bool total_logged =
    sensor->err().find("(total " + std::to_string(static_cast<uint64_t>(dropped)) + " kernel") != std::string::npos;
  CHECK(total_logged);
  // All 40 calls were open during the loss: each CDR carries the capture-loss flag and the
  // number of packets lost.
  const auto cdrs = read_jsonl(dir / "cdr.jsonl");
  CHECK(cdrs.size() == 40);
  for (const auto& c : cdrs) {
    CHECK(c["capture_loss"] == true);
    const auto n = c["capture_dropped"].get<uint64_t>();
    if (setup_dropped == 0) {
      CHECK(n == static_cast<uint64_t>(dropped));
    } else {
      CHECK(n >= static_cast<uint64_t>(dropped - setup_dropped));
      CHECK(n <= static_cast<uint64_t>(dropped));
    }
  }
}

TEST_CASE("SIGHUP reloads the BPF filter and names what needs a restart, pid file written and removed",
          "[system][live]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-sighup");
  generate(dir, {"--seed", "5", "--calls", "2", "--cps", "5", "--duration-min", "1",
                 "--duration-max", "1", "--outcomes", "answered=1"});
  const uint64_t frames = frames_in(dir / "gen.pcap");
  const uint16_t port = static_cast<uint16_t>(20000 + (::getpid() + 13) % 20000);
  {
    std::ofstream conf(dir / "sensor.conf");
    conf << "filter = udp\nringbuffer = 64\nmetrics_bind = 127.0.0.1:" << port << "\n";
  }
  auto sensor = start_sensor(ns, dir, {"-c", "sensor.conf", "--pid-file", "voxmon.pid"});
  CHECK(read_file(dir / "voxmon.pid") == std::to_string(sensor->pid()) + "\n");
  REQUIRE(ns.replay(dir / "gen.pcap", {"--topspeed"}).exit_code == 0);
  std::string text;
  for (int i = 0; i < 50 && metric(text, "voxmon_capture_packets_total") != frames; ++i) {
    std::this_thread::sleep_for(100ms);
    text = ns.http_get(port);
  }
  CHECK(metric(text, "voxmon_capture_packets_total") == static_cast<double>(frames));
  {
    std::ofstream conf(dir / "sensor.conf", std::ios::trunc);
    conf << "filter = not udp\nringbuffer = 128\nmetrics_bind = 127.0.0.1:" << port << "\n";
  }
  sensor->signal(SIGHUP);
  INFO(sensor->err());
  REQUIRE(sensor->wait_for_stderr("SIGHUP: filter 'udp' -> 'not udp'", 10s));
  CHECK(sensor->wait_for_stderr("'ringbuffer' changed: that needs a restart", 2s));
  std::this_thread::sleep_for(1500ms);  // the capture threads install the new filter
  REQUIRE(ns.replay(dir / "gen.pcap", {"--topspeed"}).exit_code == 0);
  std::this_thread::sleep_for(1500ms);
  text = ns.http_get(port);
  CHECK(metric(text, "voxmon_capture_packets_total") == static_cast<double>(frames));  // none more
  sensor->signal(SIGTERM);
  const auto code = sensor->wait_for(30s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK_FALSE(fs::exists(dir / "voxmon.pid"));
}

TEST_CASE("SIGHUP turns savertp from yes to header for the calls that start after it",
          "[system][live][spool]") {
  if (auto why = live_unavailable(); !why.empty()) {
    WARN("skipped: " << why);
    return;
  }
  veth_namespace ns;
  REQUIRE(ns.ok());
  const auto dir = temp_dir("live-sighup-header");
  fs::create_directories(dir / "second");
  const std::vector<std::string> calls{"--calls", "2", "--cps", "5", "--duration-min", "1",
                                       "--duration-max", "1", "--outcomes", "answered=1"};
  auto with_seed = [&](const char* seed) {
    std::vector<std::string> args{"--seed", seed};
    args.insert(args.end(), calls.begin(), calls.end());
    return args;
  };
  generate(dir, with_seed("5"));
  generate(dir / "second", with_seed("6"));
  const auto before = by_callid(read_jsonl(dir / "gen.pcap.truth.jsonl"));
  const auto after = by_callid(read_jsonl(dir / "second" / "gen.pcap.truth.jsonl"));
  REQUIRE(before.size() == 2);
  REQUIRE(after.size() == 2);
  for (const auto& [id, row] : after)
    REQUIRE(before.count(id) == 0);
  {
    std::ofstream conf(dir / "sensor.conf");
    conf << "savesip = yes\nsavertp = yes\nspooldir = spool\n";
  }
  auto sensor = start_sensor(ns, dir, {"-c", "sensor.conf"});
  INFO(sensor->err());
  REQUIRE(ns.replay(dir / "gen.pcap", {"--topspeed"}).exit_code == 0);
  std::this_thread::sleep_for(1500ms);  // the first calls exist (their files' kind is fixed)
  {
    std::ofstream conf(dir / "sensor.conf", std::ios::trunc);
    conf << "savesip = yes\nsavertp = header\nspooldir = spool\n";
  }
  sensor->signal(SIGHUP);
  REQUIRE(sensor->wait_for_stderr("SIGHUP: saving sip=yes rtp=header rtcp=no", 10s));
  REQUIRE(ns.replay(dir / "second" / "gen.pcap", {"--topspeed"}).exit_code == 0);
  std::this_thread::sleep_for(1500ms);
  sensor->signal(SIGTERM);
  const auto code = sensor->wait_for(30s);
  REQUIRE(code);
  CHECK(*code == 0);
  // Every call has an RTP file: whole frames for the calls before the reload, frames cut after
  // the 12-byte RTP header (Ethernet, IPv4, UDP: 54 bytes) with their wire length for the rest.
  std::map<std::string, fs::path> rtp_files;  // by fbasename
  for (const auto& e : fs::recursive_directory_iterator(dir / "spool"))
    if (e.is_regular_file() && e.path().parent_path().filename() == "RTP")
      rtp_files[e.path().stem().string()] = e.path();
  REQUIRE(rtp_files.size() == 4);
  auto check_file = [&](const std::string& call_id, bool cut) {
    INFO("call " << call_id);
    auto it = rtp_files.find(voxmon::core::make_fbasename(call_id));
    REQUIRE(it != rtp_files.end());
    const auto records = record_lengths(it->second);
    REQUIRE(records.size() > 40);  // 1 s of RTP both ways
    for (const auto& [caplen, wirelen] : records) {
      if (cut) {
        CHECK(caplen == 54);
        CHECK(wirelen > 54);
      } else {
        CHECK(caplen == wirelen);
      }
    }
  };
  for (const auto& [id, row] : before)
    check_file(id, false);
  for (const auto& [id, row] : after)
    check_file(id, true);
}
