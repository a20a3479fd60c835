// SIGINT or SIGTERM in the middle of `voxmon -r`: reading stops, the calls in progress are closed
// with the sighup mark, every CDR is written, the exit code is 128 + the signal. What the run
// wrote equals a run over the packets it read (a copy of the capture cut after them), apart
// from the sighup mark.
#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include <csignal>
#include <map>
#include <regex>

#include "tests/system/background_process.hpp"
#include "tests/system/cluster_helpers.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// The first `n` packets of `from`, as they are, into `to`.
void copy_packets(const fs::path& from, const fs::path& to, uint64_t n) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* in = pcap_open_offline_with_tstamp_precision(from.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  REQUIRE(in != nullptr);
  pcap_dumper_t* out = pcap_dump_open(in, to.c_str());
  REQUIRE(out != nullptr);
  pcap_pkthdr* hdr;
  const u_char* data;
  for (uint64_t i = 0; i < n && pcap_next_ex(in, &hdr, &data) == 1; ++i)
    pcap_dump(reinterpret_cast<u_char*>(out), hdr, data);
  pcap_dump_close(out);
  pcap_close(in);
}

// CDR lines by Call-ID.
std::map<std::string, nlohmann::json> cdrs_by_callid(const fs::path& p) {
  std::map<std::string, nlohmann::json> out;
  for (auto& line : read_jsonl(p))
    out[line["callid"].get<std::string>()] = line;
  return out;
}

// 120 calls of 30 s, 20 at a time (~360k packets, 68 MB), in dir/x.pcap.
void generate(const fs::path& dir, const std::string& seed) {
  auto g = run(VOXMON_GEN_BIN, {"-q", "--seed", seed, "--calls", "120", "--concurrency", "20", "--duration-min",
                                "30", "--duration-max", "30", "--outcomes", "answered=1", "-o", "x.pcap"},
               dir);
  REQUIRE(g.exit_code == 0);
}

// `voxmon -r x.pcap` saving to a slow disk (40 ms per write), which holds the capture back once
// the writers' buffers and the batches in flight are full; signalled `after` its start, while
// it still reads (checked). Returns its exit code.
int interrupted_run(const fs::path& dir, const std::string& name, std::vector<std::string> args, int sig,
                    std::chrono::milliseconds after, std::string& err) {
  args.insert(args.begin(), {"VOXMON_TEST_SPOOL_WRITE_DELAY_US=40000", VOXMON_BIN, "-r", "x.pcap"});
  args.insert(args.end(), {"--no-progress", "--table-rows", "0", "--savesip", "yes", "--savertp", "yes",
                           "--spooldir", "spool"});
  background_process voxmon("/usr/bin/env", args, dir, name);
  std::this_thread::sleep_for(after);
  const bool reading = !voxmon.wait_for(std::chrono::milliseconds(0));
  voxmon.signal(sig);
  const auto code = voxmon.wait_for(std::chrono::seconds(60));
  err = voxmon.err();
  INFO(err);
  REQUIRE(reading);
  REQUIRE(code);
  return *code;
}

}  // namespace

TEST_CASE("SIGINT in the middle of an offline run writes the CDRs of what was read", "[system][cli]") {
  const auto dir = temp_dir("offline-interrupt");
  generate(dir, "5");
  std::string err;
  const int code = interrupted_run(dir, "voxmon", {"--db", "none", "--cdr-jsonl", "cut.jsonl"}, SIGINT, 800ms, err);
  INFO(err);
  CHECK(code == 128 + SIGINT);
  CHECK(err.find("voxmon: SIGINT: reading stops; the calls in progress are closed and every CDR is written") !=
        std::string::npos);
  static const std::regex read_re(R"(voxmon: interrupted after (\d+) packets: the calls in progress were closed)");
  std::smatch m;
  REQUIRE(std::regex_search(err, m, read_re));
  const uint64_t read = std::stoull(m[1]);
  CHECK(read > 0);
  CHECK(err.find("packets saved, 0 dropped") != std::string::npos);  // the spool was closed too

  // The same packets as a file of their own, read to its end.
  copy_packets(dir / "x.pcap", dir / "read.pcap", read);
  auto whole = run(VOXMON_BIN, {"-r", "read.pcap", "--db", "none", "--cdr-jsonl", "read.jsonl", "--no-progress",
                                "--table-rows", "0"},
                   dir);
  INFO(whole.err);
  REQUIRE(whole.exit_code == 0);
  auto cut = cdrs_by_callid(dir / "cut.jsonl");
  auto expected = cdrs_by_callid(dir / "read.jsonl");
  CHECK(cut.size() < 120);  // stopped in the middle of the file
  REQUIRE(cut.size() == expected.size());
  size_t stopped = 0;
  for (auto& [callid, line] : cut) {
    INFO(callid);
    REQUIRE(expected.count(callid));
    auto want = expected[callid];
    CHECK(want["sighup"] == false);  // the end of a file closes calls without the mark
    if (line["sighup"] == true)
      ++stopped;
    line.erase("sighup");
    want.erase("sighup");
    CHECK(line == want);
  }
  CHECK(stopped > 0);  // 20 calls at a time: some were in progress
  CHECK(stopped < cut.size());
}

TEST_CASE("SIGTERM ends an offline run the same way, with exit code 143", "[system][cli]") {
  const auto dir = temp_dir("offline-sigterm");
  generate(dir, "6");
  std::string err;
  const int code = interrupted_run(dir, "voxmon", {"--db", "none", "--cdr-jsonl", "cut.jsonl"}, SIGTERM, 500ms, err);
  INFO(err);
  CHECK(code == 128 + SIGTERM);
  CHECK(err.find("voxmon: SIGTERM: reading stops") != std::string::npos);
  const auto lines = read_jsonl(dir / "cut.jsonl");
  CHECK(!lines.empty());
  CHECK(lines.size() < 120);
}

TEST_CASE("SIGINT stops a stay_joined sensor's run: its CDRs uploaded, no stay", "[system][cli][cluster]") {
  const auto dir = temp_dir("offline-interrupt-sensor");
  generate(dir, "7");
  const uint16_t port = cluster::free_port();
  cluster::write_text(dir / "server.conf", cluster::server_conf(port));
  cluster::write_text(dir / "s.conf", cluster::sensor_conf(port, 71));
  auto server = cluster::start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  std::string err;
  const int code = interrupted_run(dir, "sensor", {"-c", "s.conf", "--stay-joined", "yes", "--db", "none",
                                                   "--cdr-jsonl", "sensor.jsonl"},
                                   SIGINT, 800ms, err);
  INFO(err);
  CHECK(code == 128 + SIGINT);  // ended: an interrupted run does not stay joined
  CHECK(err.find("staying joined") == std::string::npos);
  const auto local = read_jsonl(dir / "sensor.jsonl");
  CHECK(!local.empty());
  CHECK(local.size() < 120);
  CHECK(read_jsonl(dir / "server.jsonl").size() == local.size());  // every CDR acknowledged
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}
