// A real voxmon process writing to a real MariaDB that is killed in the middle of the run and
// started again: in the end every CDR of the generator's truth is in MySQL exactly once.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "mysql_test_env.hpp"

using namespace voxmon;

namespace {

// voxmon in the background (stdout/stderr to files in `dir`); returns its pid.
pid_t start_voxmon(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0)
      ::_exit(126);
    const int out = ::open("voxmon.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open("voxmon.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv{const_cast<char*>("voxmon")};
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(VOXMON_BIN, argv.data());
    ::_exit(127);
  }
  return pid;
}

// True while the child runs (it is not reaped here).
bool running(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

// CDRs in the database now; -1 while it cannot tell (no connection or no table yet).
int64_t stored(const store::mysql_params& p) {
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  if (!db)
    return -1;
  try {
    auto rows = db->query("SELECT COUNT(*) FROM cdr_next");
    return rows.empty() ? -1 : std::stoll(rows[0].values[0]);
  } catch (...) {
    return -1;
  }
}

}  // namespace

TEST_CASE("mysql: voxmon run with the server killed and restarted mid-run stores every CDR once",
          "[mysql][outage]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  const auto dir = test::temp_dir("mysql_outage");
  test::private_server server{(dir / "server").string(), s->mysqlport + 13};
  REQUIRE(server.start());
  // 8,000 SIP-only calls; 2 CDRs per transaction make the run last a few seconds.
  auto gen = test::run(VOXMON_GEN_BIN, {"-o", "load.pcap", "--calls", "8000", "--cps", "100",
                                        "--outcomes", "busy=2,declined=1,cancel=1", "-q"}, dir);
  REQUIRE(gen.exit_code == 0);
  std::set<std::string> truth;
  for (const auto& j : test::read_jsonl(dir / "load.pcap.truth.jsonl"))
    truth.insert(j["callid"].get<std::string>());
  REQUIRE(truth.size() == 8000);
  {
    std::ofstream conf(dir / "voxmon.conf");
    // fsync per CDR keeps the run going well after the server is gone (as on a slow disk).
    conf << "[general]\nmysql_batch = 2\ncdr_journal_fsync = always\n";
  }
  store::mysql_params p = test::params_of(*s, "voxmon_t_outage");
  p.host = "127.0.0.1";
  p.port = server.port;
  p.user = "voxmon";
  p.password = "voxmon";
  p.connect_timeout_s = 1;
  const std::string url = test::url_of(p);

  const pid_t voxmon = start_voxmon(dir, {"-c", "voxmon.conf", "-r", "load.pcap", "--db", url,
                                          "--no-progress"});
  REQUIRE(voxmon > 0);
  // Wait until CDRs are arriving, then kill the server (SIGKILL by its PID: no clean shutdown).
  int64_t at_kill = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && (at_kill = stored(p)) < 200)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  INFO("CDRs stored when the server was killed: " << at_kill);
  REQUIRE(at_kill >= 200);
  REQUIRE(at_kill < 8000);
  const pid_t mariadbd = std::stoi(test::read_file(dir / "server" / "mariadbd.pid"));
  REQUIRE(running(voxmon));  // the outage happens during the run
  REQUIRE(::kill(mariadbd, SIGKILL) == 0);
  for (int i = 0; i < 500 && ::kill(mariadbd, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(::kill(mariadbd, 0) != 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const bool running_after_outage = running(voxmon);
  REQUIRE(server.start());

  int status = 0;
  REQUIRE(::waitpid(voxmon, &status, 0) == voxmon);
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  const std::string err = test::read_file(dir / "voxmon.err");
  INFO("voxmon exit code " << code << ", stderr:\n" << err);
  // Either the run wrote everything once the server was back (0), or it said how many CDRs stay
  // in the journal (3) and the next run replays them.
  REQUIRE((code == 0 || code == 3));
  // Which way it went (timing dependent): written in the run after the server came back, or
  // replayed by the next run.
  WARN("voxmon " << (running_after_outage ? "was" : "was not") << " still running 0.3 s into "
       "the outage; exit code " << code << (code == 0 ? " (journal replayed in the run)"
                                                    : " (journal replayed by --update-schema)"));
  if (code == 3) {
    CHECK(err.find("CDRs remain in the journal 'voxmon-cdr.journal'") != std::string::npos);
    auto r = test::run(VOXMON_BIN, {"--update-schema", "--db", url}, dir);
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == 0);
  }
  CHECK(std::filesystem::file_size(dir / "voxmon-cdr.journal") == 0);

  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  INFO(e.text);
  REQUIRE(db);
  CHECK(db->query("SELECT COUNT(*) FROM cdr")[0].values[0] == "8000");
  CHECK(db->query("SELECT COUNT(*) FROM cdr_next")[0].values[0] == "8000");
  std::set<std::string> ids;
  for (auto& r : db->query("SELECT fbasename FROM cdr_next"))
    ids.insert(r.values[0]);
  CHECK(ids == truth);
  // Every cdr row has its cdr_next row (no half-written call).
  CHECK(db->query("SELECT COUNT(*) FROM cdr LEFT JOIN cdr_next ON cdr_next.cdr_ID = cdr.ID "
                  "WHERE cdr_next.cdr_ID IS NULL")[0].values[0] == "0");
  server.stop();
  std::filesystem::remove(dir / "load.pcap");
  std::filesystem::remove_all(dir / "server");  // the throwaway datadir (about 200 MB)
}

TEST_CASE("mysql: voxmon reading a live stream keeps CDRs in the journal during an outage and "
          "writes them in the same run once the server is back", "[mysql][outage]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  const auto dir = test::temp_dir("mysql_outage_fifo");
  test::private_server server{(dir / "server").string(), s->mysqlport + 14};
  REQUIRE(server.start());
  // 300 s of traffic: each third closes calls (bye_timeout 20 s of packet time) on its own.
  auto gen = test::run(VOXMON_GEN_BIN, {"-o", "load.pcap", "--calls", "6000", "--cps", "20",
                                        "--outcomes", "busy=2,declined=1,cancel=1", "-q"}, dir);
  REQUIRE(gen.exit_code == 0);
  std::set<std::string> truth;
  for (const auto& j : test::read_jsonl(dir / "load.pcap.truth.jsonl"))
    truth.insert(j["callid"].get<std::string>());
  REQUIRE(truth.size() == 6000);
  store::mysql_params p = test::params_of(*s, "voxmon_t_outage_fifo");
  p.host = "127.0.0.1";
  p.port = server.port;
  p.user = "voxmon";
  p.password = "voxmon";
  p.connect_timeout_s = 1;
  const std::string url = test::url_of(p);
  // The capture arrives through a FIFO in three parts: before, during and after the outage.
  REQUIRE(::mkfifo((dir / "live.pcap").c_str(), 0600) == 0);
  const pid_t voxmon = start_voxmon(dir, {"-r", "live.pcap", "--db", url, "--no-progress"});
  REQUIRE(voxmon > 0);
  const std::string bytes = test::read_file(dir / "load.pcap");
  // O_CLOEXEC: the restarted mariadbd must not inherit the write end (voxmon would never see EOF).
  const int fifo = ::open((dir / "live.pcap").c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(fifo >= 0);
  auto feed = [&](size_t from, size_t to) {
    while (from < to) {
      const ssize_t n = ::write(fifo, bytes.data() + from, to - from);
      REQUIRE(n > 0);
      from += static_cast<size_t>(n);
    }
  };
  const size_t third = bytes.size() / 3;
  feed(0, third);
  int64_t before = -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && (before = stored(p)) < 100)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(before >= 100);
  const pid_t mariadbd = std::stoi(test::read_file(dir / "server" / "mariadbd.pid"));
  REQUIRE(::kill(mariadbd, SIGKILL) == 0);
  for (int i = 0; i < 500 && ::kill(mariadbd, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(::kill(mariadbd, 0) != 0);
  // The second part's CDRs go to the journal while the server is away.
  feed(third, 2 * third);
  const auto journal = dir / "voxmon-cdr.journal";
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline &&
         (!std::filesystem::exists(journal) || std::filesystem::file_size(journal) == 0))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(std::filesystem::file_size(journal) > 0);
  REQUIRE(running(voxmon));
  REQUIRE(server.start());
  feed(2 * third, bytes.size());
  ::close(fifo);

  int status = 0;
  REQUIRE(::waitpid(voxmon, &status, 0) == voxmon);
  const std::string err = test::read_file(dir / "voxmon.err");
  INFO("stderr:\n" << err);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // everything written in this run
  CHECK(std::filesystem::file_size(journal) == 0);
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  INFO(e.text);
  REQUIRE(db);
  CHECK(db->query("SELECT COUNT(*) FROM cdr")[0].values[0] == "6000");
  std::set<std::string> ids;
  for (auto& r : db->query("SELECT fbasename FROM cdr_next"))
    ids.insert(r.values[0]);
  CHECK(ids.size() == 6000);
  CHECK(ids == truth);
  server.stop();
  std::filesystem::remove(dir / "load.pcap");
  std::filesystem::remove_all(dir / "server");  // the throwaway datadir (about 200 MB)
}
