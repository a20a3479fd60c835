// gui_bench: latency of the web GUI's API on a big CDR store (issue 11).
//
//   gui_bench --voxmon build/voxmon [--db sqlite:/tmp/guibench.db | --db mysql://u:p@h:port/db]
//             [--cdrs 1000000] [--days 30] [--runs 5] [--reuse] [--dir DIR] [--only NAME,...]
//
// 1. Fills the store with --cdrs synthetic calls spread evenly over the --days days that end
//    at today's 00:00 UTC (tools/bench/synthetic_cdr.hpp, varied mode), written through the
//    project's own sinks (store::sqlite_sink, store::mysql_sink) in batches of 1,000. SQLite:
//    the file is deleted first; MySQL: the database named in the URL is dropped and re-created
//    (use a database of its own, e.g. voxmon_guibench). --reuse keeps a store filled by an
//    earlier run with the same --cdrs and --days (it checks the row count).
// 2. Adds the user `bench` with `voxmon user add` and starts the real `voxmon` as the
//    standalone GUI (a config file with gui_bind = 127.0.0.1, a free port, the store), waiting
//    for "gui listening on" (the first start on a big SQLite store builds the GUI's indexes:
//    the time is printed).
// 3. Logs in (session cookie, CSRF token) and sends each request kind once to warm up, then
//    --runs times, one request at a time over one keep-alive connection (Boost.Beast), and
//    prints a Markdown table: median and max milliseconds (request sent to the last body byte),
//    the HTTP status, and what came back (rows and total, or bytes).
// Exit code 0 when every request answered 200, 1 otherwise, 2 on bad usage.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.hpp"
#include "config/store_settings.hpp"
#include "store/mysql_db.hpp"
#include "store/mysql_sink.hpp"
#include "store/sqlite_sink.hpp"
#include "tools/bench/synthetic_cdr.hpp"

extern char** environ;

using namespace voxmon;
namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int64_t day_ns = 86'400'000'000'000;
constexpr const char* password = "bench-password-1";

struct options {
  std::string voxmon = "build/voxmon";
  std::string db = "sqlite:/tmp/guibench.db";
  uint64_t cdrs = 1'000'000;
  int days = 30;
  int runs = 5;
  bool reuse = false;
  std::string dir;
  std::vector<std::string> only;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "gui_bench: %s\nusage: gui_bench --voxmon PATH [--db sqlite:PATH|mysql://...] [--cdrs N] "
               "[--days D] [--runs R] [--reuse] [--dir DIR] [--only NAME,...]\n",
               why.c_str());
  std::exit(2);
}

double secs_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::string utc_day(int64_t ns) {
  const time_t t = static_cast<time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// ---- filling the store ----

bool is_mysql(const std::string& db) { return db.rfind("mysql://", 0) == 0; }

std::optional<store::mysql_params> mysql_params_of_url(const std::string& url) {
  config::settings s;
  if (auto e = config::parse_mysql_url(url, s)) {
    std::fprintf(stderr, "gui_bench: %s\n", e->c_str());
    return std::nullopt;
  }
  return store::mysql_params{s.mysqlhost, s.mysqlport, s.mysqlusername, s.mysqlpassword, s.mysqldb};
}

// Rows in cdr, or -1 when the store cannot be read.
int64_t count_cdrs(const options& o) {
  if (is_mysql(o.db)) {
    auto p = mysql_params_of_url(o.db);
    store::db_error e;
    auto db = p ? store::mysql_db::connect(*p, e) : nullptr;
    if (!db)
      return -1;
    try {
      auto rows = db->query("SELECT COUNT(*) FROM cdr");
      return rows.empty() ? -1 : std::stoll(rows[0].values[0]);
    } catch (...) {
      return -1;
    }
  }
  const std::string path = o.db.substr(7);
  if (!fs::exists(path))
    return -1;
  std::string error;
  auto sink = store::sqlite_sink::open(path, error);  // makes sure the schema is there
  if (!sink)
    return -1;
  sink.reset();
  // Count through the sqlite3 API directly (the sink does not read).
  sqlite3* h = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM cdr", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return n;
}

bool fill(const options& o, const bench::synthetic_options& so) {
  std::function<std::string(std::span<const core::cdr>)> write;
  std::unique_ptr<store::sqlite_sink> sqlite;
  std::unique_ptr<store::mysql_sink> mysql;
  if (is_mysql(o.db)) {
    auto p = mysql_params_of_url(o.db);
    if (!p)
      return false;
    store::db_error e;
    auto admin = *p;
    admin.database = "mysql";
    auto db = store::mysql_db::connect(admin, e);
    if (!db) {
      std::fprintf(stderr, "gui_bench: %s\n", e.text.c_str());
      return false;
    }
    db->exec("DROP DATABASE IF EXISTS `" + p->database + "`");
    mysql = store::mysql_sink::open(*p, store::mysql_schema_options{}, e);
    if (!mysql) {
      std::fprintf(stderr, "gui_bench: %s\n", e.text.c_str());
      return false;
    }
    write = [&](std::span<const core::cdr> b) { return mysql->write(b).text; };
  } else {
    const std::string path = o.db.substr(7);
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      fs::remove(path + suffix);
    std::string error;
    sqlite = store::sqlite_sink::open(path, error);
    if (!sqlite) {
      std::fprintf(stderr, "gui_bench: %s\n", error.c_str());
      return false;
    }
    write = [&](std::span<const core::cdr> b) { return sqlite->write(b); };
  }
  const auto start = clock_type::now();
  constexpr size_t batch = 1000;
  std::vector<core::cdr> cdrs;
  for (uint64_t at = 0; at < o.cdrs; at += batch) {
    cdrs.clear();
    for (uint64_t i = at; i < std::min<uint64_t>(o.cdrs, at + batch); ++i)
      cdrs.push_back(bench::synthetic_cdr(i, so));
    if (auto err = write(cdrs); !err.empty()) {
      std::fprintf(stderr, "gui_bench: writing CDRs: %s\n", err.c_str());
      return false;
    }
    if ((at / batch) % 100 == 99)
      std::fprintf(stderr, "gui_bench: %llu CDRs written (%.0f s)\n",
                   static_cast<unsigned long long>(at + batch), secs_since(start));
  }
  std::fprintf(stderr, "gui_bench: filled %s with %llu CDRs in %.1f s\n", o.db.c_str(),
               static_cast<unsigned long long>(o.cdrs), secs_since(start));
  return true;
}

// ---- the voxmon process ----

uint16_t free_port() {
  boost::asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& in = "/dev/null") {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// ---- HTTP ----

struct reply {
  int status = 0;
  std::string body;
  std::string set_cookie;
};

class client {
 public:
  explicit client(uint16_t port) : port_(port) {}
  std::string cookie, csrf;

  reply request(http::verb verb, const std::string& target, const std::string& body = "") {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) {
          stream_ = std::make_unique<beast::tcp_stream>(io_);
          stream_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
        }
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
        req.keep_alive(true);
        if (!cookie.empty())
          req.set(http::field::cookie, cookie);
        if (!csrf.empty())
          req.set("X-CSRF-Token", csrf);
        if (verb == http::verb::post) {
          req.set(http::field::content_type, "application/json");
          req.body() = body;
          req.prepare_payload();
        }
        http::write(*stream_, req);
        beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1ULL << 30);
        http::read(*stream_, buf, parser);
        auto res = parser.release();
        reply r{static_cast<int>(res.result_int()), std::move(res.body()),
                std::string(res[http::field::set_cookie])};
        if (!res.keep_alive())
          stream_.reset();
        return r;
      } catch (const std::exception& e) {
        stream_.reset();  // a closed keep-alive connection: once more on a new one
        if (attempt == 1)
          return reply{0, e.what(), {}};
      }
    }
    return {};
  }

 private:
  boost::asio::io_context io_;
  uint16_t port_;
  std::unique_ptr<beast::tcp_stream> stream_;
};

struct kind {
  std::string name, target;
};

// What the answer held: "rows/total" for a list, the bytes of a CSV, "ok" otherwise.
std::string summary_of(const std::string& target, const reply& r) {
  if (r.status != 200)
    return r.body.substr(0, 80);
  if (target.rfind("/api/cdrs.csv", 0) == 0)
    return std::to_string(std::count(r.body.begin(), r.body.end(), '\n') - 1) + " lines";
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("rows") && j.contains("total"))
    return std::to_string(j["rows"].size()) + " rows, total " + std::to_string(j["total"].get<int64_t>()) +
           (j["total_capped"].get<bool>() ? "+" : "");
  if (j.is_object() && j.contains("summary"))
    return std::to_string(j["summary"]["calls"].get<int64_t>()) + " calls, " +
           std::to_string(j["per_bucket"].size()) + " buckets";
  if (j.is_object() && j.contains("cdr"))
    return std::to_string(j["rtp"].size()) + " streams";
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--voxmon") o.voxmon = value();
    else if (a == "--db") o.db = value();
    else if (a == "--cdrs") o.cdrs = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--days") o.days = std::atoi(value().c_str());
    else if (a == "--runs") o.runs = std::atoi(value().c_str());
    else if (a == "--reuse") o.reuse = true;
    else if (a == "--dir") o.dir = value();
    else if (a == "--only") {
      std::stringstream s(value());
      for (std::string n; std::getline(s, n, ',');)
        o.only.push_back(n);
    } else usage("unknown argument '" + a + "'");
  }
  if (o.cdrs < 1000 || o.days < 2 || o.runs < 1)
    usage("--cdrs at least 1000, --days at least 2, --runs at least 1");
  if (!is_mysql(o.db) && o.db.rfind("sqlite:", 0) != 0)
    usage("--db must be sqlite:PATH or mysql://...");
  o.voxmon = fs::absolute(o.voxmon).string();
  if (!fs::exists(o.voxmon))
    usage("no voxmon binary at " + o.voxmon);
  if (!is_mysql(o.db))
    o.db = "sqlite:" + fs::absolute(o.db.substr(7)).string();

  // The data: the --days days up to today's 00:00 UTC.
  const int64_t now_ns = static_cast<int64_t>(std::time(nullptr)) * 1'000'000'000;
  const int64_t end_ns = now_ns / day_ns * day_ns;
  bench::synthetic_options so;
  so.varied = true;
  so.start_ns = end_ns - o.days * day_ns;
  so.spacing_ns = o.days * day_ns / static_cast<int64_t>(o.cdrs);

  const int64_t have = o.reuse ? count_cdrs(o) : -1;
  if (o.reuse && have == static_cast<int64_t>(o.cdrs)) {
    std::fprintf(stderr, "gui_bench: reusing %s (%lld CDRs; assumed filled by gui_bench with --days %d today)\n",
                 o.db.c_str(), static_cast<long long>(have), o.days);
  } else if (!fill(o, so)) {
    return 1;
  }

  const fs::path dir = o.dir.empty() ? fs::temp_directory_path() / ("gui_bench." + std::to_string(getpid())) : fs::path(o.dir);
  fs::create_directories(dir / "spool");
  const fs::path log = dir / "voxmon.log";
  {
    std::ofstream pw(dir / "password");
    pw << password << "\n";
  }
  // The user (already there after --reuse: 'exists' is fine).
  wait_exit(spawn({o.voxmon, "--db", o.db, "user", "del", "bench"}, log));
  if (int rc = wait_exit(spawn({o.voxmon, "--db", o.db, "user", "add", "bench", "--role", "admin"}, log, dir / "password"));
      rc != 0) {
    std::fprintf(stderr, "gui_bench: voxmon user add failed (%d): %s\n", rc, read_file(log).c_str());
    return 1;
  }
  const uint16_t port = free_port();
  {
    std::ofstream conf(dir / "gui.conf");
    conf << "gui_bind = 127.0.0.1\ngui_bind_port = " << port << "\ndb = " << o.db << "\nspooldir = "
         << (dir / "spool").string() << "\n";
  }
  const auto started = clock_type::now();
  const pid_t gui = spawn({o.voxmon, "--config-file", (dir / "gui.conf").string()}, log);
  if (gui < 0) {
    std::fprintf(stderr, "gui_bench: cannot start %s\n", o.voxmon.c_str());
    return 1;
  }
  auto stop = [&] {
    kill(gui, SIGTERM);
    wait_exit(gui);
  };
  const std::string ready = "gui listening on http://127.0.0.1:" + std::to_string(port);
  while (read_file(log).find(ready) == std::string::npos) {
    int status;
    if (waitpid(gui, &status, WNOHANG) == gui || secs_since(started) > 600) {
      std::fprintf(stderr, "gui_bench: the GUI did not start: %s\n", read_file(log).c_str());
      if (secs_since(started) > 600)
        stop();
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double start_secs = secs_since(started);

  client c(port);
  auto login = c.request(http::verb::post, "/api/login", json{{"name", "bench"}, {"password", password}}.dump());
  if (login.status != 200) {
    std::fprintf(stderr, "gui_bench: login failed: %d %s\n", login.status, login.body.c_str());
    stop();
    return 1;
  }
  c.cookie = login.set_cookie.substr(0, login.set_cookie.find(';'));
  c.csrf = json::parse(login.body)["csrf_token"];

  // Request kinds. "31 days" = the whole data set and a day more; filters run over it.
  const std::string last = utc_day(end_ns - day_ns);  // the data's last day
  const std::string r31 = "from=" + utc_day(end_ns - 31 * day_ns) + "&to=" + utc_day(end_ns);
  const std::string r1 = "from=" + last + "&to=" + utc_day(end_ns);
  // A call in the middle of the data (ids follow insertion order from 1).
  const std::string mid_id = std::to_string(o.cdrs / 2);
  const auto sample = bench::synthetic_cdr(o.cdrs / 2, so);
  const std::string some_caller_ip = sample.sipcaller.addr.to_string();
  std::vector<kind> kinds = {
      {"default list (no parameters: 366 days up to now)", "/api/cdrs"},
      {"31 days, newest first", "/api/cdrs?" + r31},
      {"`called` prefix 6 digits", "/api/cdrs?" + r31 + "&called=" + sample.called.substr(0, 6)},
      {"`called` prefix 9 digits", "/api/cdrs?" + r31 + "&called=" + sample.called.substr(0, 9)},
      {"`called` exact", "/api/cdrs?" + r31 + "&called=" + sample.called + "&match=exact"},
      {"`called` suffix 4 digits, 1 day", "/api/cdrs?" + r1 + "&called=" + sample.called.substr(7) + "&match=suffix"},
      {"`called` suffix 4 digits", "/api/cdrs?" + r31 + "&called=" + sample.called.substr(7) + "&match=suffix"},
      {"`caller` suffix 6 digits", "/api/cdrs?" + r31 + "&caller=" + sample.caller.substr(5) + "&match=suffix"},
      {"`caller` substring 5 digits", "/api/cdrs?" + r31 + "&caller=" + sample.caller.substr(4, 5) + "&match=contains"},
      {"`response=486`", "/api/cdrs?" + r31 + "&response=486"},
      {"`response=4xx`", "/api/cdrs?" + r31 + "&response=4xx"},
      {"`mos_below=2`", "/api/cdrs?" + r31 + "&mos_below=2"},
      {"`loss_above=5`", "/api/cdrs?" + r31 + "&loss_above=5"},
      {"`ip` (a caller address)", "/api/cdrs?" + r31 + "&ip=" + some_caller_ip},
      {"`sensor=2`", "/api/cdrs?" + r31 + "&sensor=2"},
      {"`sort=calldate&dir=asc`", "/api/cdrs?" + r31 + "&sort=calldate&dir=asc"},
      {"`sort=duration`", "/api/cdrs?" + r31 + "&sort=duration"},
      {"`sort=mos` (worst last)", "/api/cdrs?" + r31 + "&sort=mos"},
      {"`sort=mos&dir=asc` (worst first)", "/api/cdrs?" + r31 + "&sort=mos&dir=asc"},
      {"`sort=loss`", "/api/cdrs?" + r31 + "&sort=loss"},
      {"`sort=loss&dir=asc`", "/api/cdrs?" + r31 + "&sort=loss&dir=asc"},
      {"`sort=caller`", "/api/cdrs?" + r31 + "&sort=caller"},
      {"`sort=called&dir=asc`", "/api/cdrs?" + r31 + "&sort=called&dir=asc"},
      {"`sort=mos&dir=asc`, 1 day", "/api/cdrs?" + r1 + "&sort=mos&dir=asc"},
      {"`sort=loss`, 1 day", "/api/cdrs?" + r1 + "&sort=loss"},
      {"`sort=mos&dir=asc` + `response=200` + `called` prefix 4", "/api/cdrs?" + r31 + "&sort=mos&dir=asc&response=200&called=" + sample.called.substr(0, 4)},
      {"page 2000 (rows 99,951-100,000)", "/api/cdrs?" + r31 + "&page=2000"},
      {"page 2000, `sort=mos&dir=asc`", "/api/cdrs?" + r31 + "&page=2000&sort=mos&dir=asc"},
      {"call detail `/api/cdr/ID`", "/api/cdr/" + mid_id},
      {"CSV of `called` prefix 9 digits", "/api/cdrs.csv?" + r31 + "&called=" + sample.called.substr(0, 9)},
      {"CSV of `caller` exact", "/api/cdrs.csv?" + r31 + "&caller=" + sample.caller + "&match=exact"},
      {"dashboard, 1 day", "/api/dashboard?" + r1},
      {"dashboard, 31 days", "/api/dashboard?" + r31},
  };
  if (!o.only.empty()) {
    std::erase_if(kinds, [&](const kind& k) {
      return std::none_of(o.only.begin(), o.only.end(), [&](const std::string& n) { return k.name.find(n) != std::string::npos; });
    });
  }

  bool all_ok = true;
  std::printf("GUI started in %.1f s (store %s, %llu CDRs over %d days up to %s)\n\n", start_secs, o.db.c_str(),
              static_cast<unsigned long long>(o.cdrs), o.days, utc_day(end_ns).c_str());
  std::printf("| request | median ms | max ms | status | answer |\n|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (const auto& k : kinds) {
    reply r = c.request(http::verb::get, k.target);  // warm-up
    std::vector<double> ms;
    for (int i = 0; i < o.runs; ++i) {
      const auto t = clock_type::now();
      r = c.request(http::verb::get, k.target);
      ms.push_back(secs_since(t) * 1000);
      if (r.status != 200)
        break;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    all_ok = all_ok && r.status == 200;
    std::printf("| %s | %.1f | %.1f | %d | %s |\n", k.name.c_str(), median, ms.back(), r.status,
                summary_of(k.target, r).c_str());
    std::fflush(stdout);
  }
  std::printf("\nrequests: (TARGET is the path and query of each, in table order)\n");
  for (const auto& k : kinds)
    std::printf("  %s\n", k.target.c_str());
  stop();
  if (o.dir.empty())
    fs::remove_all(dir);
  return all_ok ? 0 : 1;
}
