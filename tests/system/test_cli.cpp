// The voxmon command line as a user meets it: help, version, errors, exit codes, outputs.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;

namespace {

// A small generated capture with known content, made once per test run.
fs::path sample_capture() {
  static fs::path path = [] {
    auto dir = temp_dir("cli-sample-" + std::to_string(::getpid()));
    auto p = dir / "sample.pcap";
    auto r = run(VOXMON_GEN_BIN, {"--sample", "-o", p.string()}, dir);
    REQUIRE(r.exit_code == 0);
    return p;
  }();
  return path;
}

int64_t count_rows(const fs::path& db, const char* table) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
  REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

}  // namespace

TEST_CASE("help lists every flag and version prints the version", "[system][cli]") {
  auto help = run(VOXMON_BIN, {"--help"});
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--read", "--cdr-jsonl", "--db", "--config-file", "--id-sensor",
                           "--sipport", "--no-progress", "--version"})
    CHECK(help.out.find(flag) != std::string::npos);
  auto version = run(VOXMON_BIN, {"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("voxmon ", 0) == 0);
#ifdef VOXMON_JEMALLOC
  // The binary runs on jemalloc and jemalloc took the options compiled into it.
  CHECK(version.out.find("\nallocator: jemalloc 5.") != std::string::npos);
  CHECK(version.out.find(", transparent huge pages: always\n") != std::string::npos);
#else
  CHECK(version.out.find("\nallocator: glibc malloc\n") != std::string::npos);
#endif
}

TEST_CASE("a missing or unreadable input is a clear error", "[system][cli]") {
  const auto dir = temp_dir("cli-errors");
  auto missing = run(VOXMON_BIN, {"-r", "no-such-file.pcap", "--db", "none"}, dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("cannot open 'no-such-file.pcap'") != std::string::npos);

  std::ofstream(dir / "text.pcap") << "this is not a capture file\n";
  auto garbage = run(VOXMON_BIN, {"-r", "text.pcap", "--db", "none"}, dir);
  CHECK(garbage.exit_code == 1);
  CHECK(garbage.err.find("as a pcap or pcapng file") != std::string::npos);

  auto nothing = run(VOXMON_BIN, {}, dir);
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.err.find("nothing to do") != std::string::npos);

  auto bad_flag = run(VOXMON_BIN, {"-r", "x.pcap", "--id-sensor", "abc"}, dir);
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("--id-sensor") != std::string::npos);
}

TEST_CASE("a truncated capture is processed up to where it stops", "[system][cli]") {
  const auto dir = temp_dir("cli-truncated");
  const std::string bytes = read_file(sample_capture());
  REQUIRE(bytes.size() > 100000);
  {
    std::ofstream out(dir / "cut.pcap", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2 + 7));
  }
  auto r = run(VOXMON_BIN, {"-r", "cut.pcap", "--cdr-jsonl", "cut.jsonl", "--db", "none"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("input stopped after") != std::string::npos);
  CHECK(r.err.find("truncated") != std::string::npos);
  CHECK(!read_jsonl(dir / "cut.jsonl").empty());

  {  // only part of the file header: nothing can be read at all
    std::ofstream out(dir / "head.pcap", std::ios::binary);
    out.write(bytes.data(), 10);
  }
  auto head = run(VOXMON_BIN, {"-r", "head.pcap", "--db", "none"}, dir);
  CHECK(head.exit_code == 1);
}

TEST_CASE("JSON output is byte-identical on every run and matches the SQLite store",
          "[system][cli]") {
  const auto dir = temp_dir("cli-repeat");
  auto first = run(VOXMON_BIN, {"-r", sample_capture().string(), "--cdr-jsonl", "a.jsonl"}, dir);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto second = run(VOXMON_BIN, {"-r", sample_capture().string(), "--cdr-jsonl", "b.jsonl",
                                 "--db", "none", "--threads", "1"}, dir);
  REQUIRE(second.exit_code == 0);
  const auto a = read_file(dir / "a.jsonl");
  CHECK(!a.empty());
  CHECK(a == read_file(dir / "b.jsonl"));
  // The default store: sqlite:voxmon.db in the working directory, one cdr row per JSON line.
  const auto lines = read_jsonl(dir / "a.jsonl").size();
  CHECK(count_rows(dir / "voxmon.db", "cdr") == static_cast<int64_t>(lines));
  CHECK(count_rows(dir / "voxmon.db", "cdr_next") == static_cast<int64_t>(lines));
  // The summary line and the table on stdout.
  CHECK(first.out.find("summary: packets=") != std::string::npos);
  CHECK(first.out.find("calldate") != std::string::npos);
}

TEST_CASE("the same capture processed again adds nothing to the default store", "[system][cli]") {
  // Running the quick start twice, or a file again after a crash, must not list every call
  // twice: the SQLite store skips what it has, like the MySQL store.
  const auto dir = temp_dir("cli-again");
  auto first = run(VOXMON_BIN, {"-r", sample_capture().string(), "--cdr-jsonl", "a.jsonl"}, dir);
  REQUIRE(first.exit_code == 0);
  const auto calls = static_cast<int64_t>(read_jsonl(dir / "a.jsonl").size());
  REQUIRE(calls == 20);
  const int64_t streams = count_rows(dir / "voxmon.db", "cdr_rtp");
  CHECK(streams > 0);
  auto again = run(VOXMON_BIN, {"-r", sample_capture().string()}, dir);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(count_rows(dir / "voxmon.db", "cdr") == calls);
  CHECK(count_rows(dir / "voxmon.db", "cdr_next") == calls);
  CHECK(count_rows(dir / "voxmon.db", "cdr_rtp") == streams);
  // Another sensor's view of the same calls is other data: stored.
  auto other = run(VOXMON_BIN, {"-r", sample_capture().string(), "--id-sensor", "7"}, dir);
  INFO(other.err);
  REQUIRE(other.exit_code == 0);
  CHECK(count_rows(dir / "voxmon.db", "cdr") == 2 * calls);
}

TEST_CASE("with --cdr-jsonl - the CDRs go to stdout and the table to stderr", "[system][cli]") {
  const auto dir = temp_dir("cli-stdout");
  auto r = run(VOXMON_BIN, {"-r", sample_capture().string(), "--cdr-jsonl", "-", "--db", "none"}, dir);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("{\"callid\":", 0) == 0);
  CHECK(r.out.find("summary:") == std::string::npos);
  CHECK(r.err.find("summary: packets=") != std::string::npos);
}

TEST_CASE("config file: unknown keys warn, bad values stop with file, line and key",
          "[system][cli][config]") {
  const auto dir = temp_dir("cli-config");
  std::ofstream(dir / "good.conf") << "[general]\n# comment\nid_sensor = 7\nsipport = 5060,5070-5072\n"
                                      "no_such_key = 1\n";
  auto good = run(VOXMON_BIN, {"--config-file", "good.conf", "-r", sample_capture().string(),
                               "--cdr-jsonl", "out.jsonl", "--db", "none"}, dir);
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.err.find("no_such_key") != std::string::npos);
  auto cdrs = read_jsonl(dir / "out.jsonl");
  REQUIRE(!cdrs.empty());
  CHECK(cdrs.front()["id_sensor"] == 7);

  // A flag overrides the file.
  auto overridden = run(VOXMON_BIN, {"--config-file", "good.conf", "--id-sensor", "9", "-r",
                                     sample_capture().string(), "--cdr-jsonl", "o2.jsonl",
                                     "--db", "none"}, dir);
  CHECK(overridden.exit_code == 0);
  CHECK(read_jsonl(dir / "o2.jsonl").front()["id_sensor"] == 9);

  std::ofstream(dir / "bad.conf") << "id_sensor = 1\n\nrtptimeout = soon\n";
  auto bad = run(VOXMON_BIN, {"--config-file", "bad.conf", "-r", sample_capture().string()}, dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad.conf:3") != std::string::npos);
  CHECK(bad.err.find("rtptimeout") != std::string::npos);
}
