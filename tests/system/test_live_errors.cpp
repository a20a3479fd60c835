// The sensor's start-up errors through the real binary: each one a message naming the problem
// and what to do, and exit code 2. Root runs all of them; a normal user runs the permission one.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/system/background_process.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string setpriv_binary() {
  for (const char* p : {"/usr/bin/setpriv", "/bin/setpriv"})
    if (::access(p, X_OK) == 0)
      return p;
  return {};
}

}  // namespace

TEST_CASE("live: a bad interface name is a clear error and exit code 2", "[system][live]") {
  if (::geteuid() != 0) {
    WARN("skipped: not root (without CAP_NET_RAW every interface is a permission error)");
    return;
  }
  const auto dir = temp_dir("live-bad-if");
  auto r = run(VOXMON_BIN, {"-i", "nosuchif0", "--db", "none"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "interface 'nosuchif0': no such device"));
  CHECK(contains(r.err, "ip link"));
  // One bad name in a list stops the start, even when the others are fine.
  r = run(VOXMON_BIN, {"-i", "lo,nosuchif0", "--db", "none"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "interface 'nosuchif0': no such device"));
  CHECK_FALSE(contains(r.err, "voxmon sensor running"));
  // And an empty item is refused before anything is opened.
  r = run(VOXMON_BIN, {"-i", "lo,", "--db", "none"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "empty item in interface list"));
}

TEST_CASE("live: a bad BPF filter is a clear error and exit code 2", "[system][live]") {
  if (::geteuid() != 0) {
    WARN("skipped: not root (the filter is compiled on an opened capture)");
    return;
  }
  const auto dir = temp_dir("live-bad-filter");
  auto r = run(VOXMON_BIN, {"-i", "lo", "--filter", "udp port sixty", "--db", "none"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "bad BPF filter 'udp port sixty'"));
  CHECK_FALSE(contains(r.err, "voxmon sensor running"));
}

TEST_CASE("live: without root or CAP_NET_RAW the error names the capability, exit code 2",
          "[system][live]") {
  const auto dir = temp_dir("live-no-perm");
  ::chmod(dir.c_str(), 0777);  // the unprivileged run writes its stderr file here
  process_result r;
  if (::geteuid() == 0) {
    const auto setpriv = setpriv_binary();
    if (setpriv.empty()) {
      WARN("skipped: root, and no setpriv to drop the privileges");
      return;
    }
    // As nobody with no capabilities at all (none inherited, none in the bounding set).
    r = run(setpriv, {"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                      "--bounding-set=-all", "--no-new-privs", VOXMON_BIN, "-i", "lo", "--db", "none"},
            dir);
  } else {
    r = run(VOXMON_BIN, {"-i", "lo", "--db", "none"}, dir);
  }
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "interface 'lo': permission denied"));
  CHECK(contains(r.err, "CAP_NET_RAW"));
  CHECK_FALSE(contains(r.err, "voxmon sensor running"));
}

TEST_CASE("live: run_as_user drops root once the capture is open, and still stops cleanly",
          "[system][live]") {
  if (::geteuid() != 0) {
    WARN("skipped: not root (nothing to drop)");
    return;
  }
  const auto dir = temp_dir("live-run-as-user");
  ::chmod(dir.c_str(), 0777);  // nobody writes the CDR file here
  background_process sensor(VOXMON_BIN, {"-i", "lo", "--filter", "udp port 9", "--db", "none",
                                         "--cdr-jsonl", "cdr.jsonl", "--run-as-user", "nobody"},
                            dir, "voxmon");
  INFO(sensor.err());
  REQUIRE(sensor.wait_for_stderr("voxmon sensor running", std::chrono::seconds(20)));
  CHECK(contains(sensor.err(), "running as user nobody"));
  // Every uid (real, effective, saved, fs) is nobody's: root cannot come back.
  std::ifstream status("/proc/" + std::to_string(sensor.pid()) + "/status");
  std::string line, uid_line;
  while (std::getline(status, line))
    if (line.rfind("Uid:", 0) == 0)
      uid_line = line;
  CHECK(uid_line == "Uid:\t65534\t65534\t65534\t65534");
  sensor.signal(SIGTERM);
  const auto code = sensor.wait_for(std::chrono::seconds(30));
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(contains(sensor.err(), "received SIGTERM"));
  // An unknown user is an error before anything runs.
  auto r = run(VOXMON_BIN, {"-i", "lo", "--db", "none", "--run-as-user", "no-such-user-x"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "run_as_user: no such user 'no-such-user-x'"));
}
