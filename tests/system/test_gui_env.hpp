#pragma once
// The web GUI's system test setting: a generated capture run through `voxmon -r` into a store
// (SQLite, or MySQL for test_gui_mysql.cpp) with its spool, two users added with
// `voxmon user add`, the GUI serving them; and a logged-in HTTP client.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "background_process.hpp"
#include "cluster_helpers.hpp"
#include "process.hpp"
#include "test_gui_http.hpp"

namespace voxmon::test::gui {

using cluster::free_port;
using cluster::write_text;
using nlohmann::json;


inline const std::string admin_password = "admin-password-1";
inline const std::string viewer_password = "viewer-password-1";

inline std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

inline int run_shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// voxmon [--db URL] user add NAME --role ROLE, the password on standard input.
inline int add_user(const std::filesystem::path& dir, const std::string& db, const std::string& name,
             const std::string& role, const std::string& password) {
  return run_shell("cd " + shell_quote(dir.string()) + " && printf '%s\\n' " + shell_quote(password) + " | " +
                   shell_quote(VOXMON_BIN) + " --db " + shell_quote(db) + " user add " + shell_quote(name) +
                   " --role " + role + " 2>>user.err");
}

// A generated capture (starting two hours ago), its CDRs in SQLite and its spool, two users,
// and the GUI serving them.
struct gui_env {
  std::filesystem::path dir;
  std::vector<json> truth, cdrs;
  std::string from, to;  // a range around the capture
  uint16_t port = 0;
  std::unique_ptr<background_process> gui;

  std::string db;

  // `db_url`: the store ("sqlite:cdr.db" in the test's directory, or a mysql:// URL).
  explicit gui_env(const std::string& name, const std::string& db_url = "sqlite:cdr.db")
      : dir(temp_dir(name)), db(db_url) {
    const std::time_t start = std::time(nullptr) / 60 * 60 - 7200;
    from = utc_text(start - 60);
    to = utc_text(start + 3600);
    auto g = run(VOXMON_GEN_BIN, {"--sample", "-q", "--start", utc_text(start), "-o", (dir / "gen.pcap").string()}, dir);
    REQUIRE(g.exit_code == 0);
    auto r = run(VOXMON_BIN, {"-r", "gen.pcap", "--db", db, "--savesip", "yes", "--savertp", "yes",
                              "--spooldir", "spool", "--cdr-jsonl", "cdrs.jsonl", "--no-progress", "--table-rows", "0"},
                 dir);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    truth = read_jsonl(dir / "gen.pcap.truth.jsonl");
    cdrs = read_jsonl(dir / "cdrs.jsonl");
    REQUIRE(truth.size() == 20);
    REQUIRE(cdrs.size() == 20);
    REQUIRE(add_user(dir, db, "admin", "admin", admin_password) == 0);
    REQUIRE(add_user(dir, db, "viewer", "viewer", viewer_password) == 0);
    port = free_port();
    write_text(dir / "gui.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(port) +
                                     "\ndb = " + db + "\nspooldir = spool\n");
    gui = std::make_unique<background_process>(VOXMON_BIN, std::vector<std::string>{"--config-file", "gui.conf"}, dir, "gui");
    const bool up = gui->wait_for_stderr("gui listening on http://127.0.0.1:" + std::to_string(port), std::chrono::seconds(20));
    INFO(gui->err());
    REQUIRE(up);
  }
  ~gui_env() {
    if (gui && gui->running()) {
      gui->signal(SIGTERM);
      gui->wait_for(std::chrono::seconds(10));
    }
  }
  std::string range() const { return "from=" + url(from) + "&to=" + url(to); }
  static std::string url(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_')
        out += static_cast<char>(c);
      else {
        char b[4];
        std::snprintf(b, sizeof b, "%%%02X", c);
        out += b;
      }
    }
    return out;
  }
  const json& cdr_of(const std::string& callid) const {
    for (const auto& c : cdrs)
      if (c["callid"] == callid)
        return c;
    FAIL("no CDR for " + callid);
    return cdrs[0];
  }
};

// A logged-in client: the session cookie and CSRF token.
struct session_client {
  http_client http;
  std::string cookie, csrf;
  session_client(uint16_t port) : http(port) {}
  http_reply login(const std::string& name, const std::string& password) {
    auto r = http.request("POST", "/api/login", json{{"name", name}, {"password", password}}.dump(),
                          {{"Content-Type", "application/json"}});
    if (r.status == 200) {
      const std::string set = r.header("set-cookie");
      cookie = set.substr(0, set.find(';'));
      csrf = json::parse(r.body)["csrf_token"];
    }
    return r;
  }
  http_reply get(const std::string& target) { return http.request("GET", target, "", {{"Cookie", cookie}}); }
  json get_json(const std::string& target, int expected = 200) {
    auto r = get(target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == expected);
    return json::parse(r.body);
  }
  http_reply send(const std::string& method, const std::string& target, const std::string& body, bool with_csrf = true) {
    std::vector<std::pair<std::string, std::string>> h = {{"Cookie", cookie}, {"Content-Type", "application/json"}};
    if (with_csrf)
      h.emplace_back("X-CSRF-Token", csrf);
    return http.request(method, target, body, h);
  }
};

inline std::string error_of(const http_reply& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : std::string("(no error field)");
}

inline size_t count_if_truth(const gui_env& e, const std::function<bool(const json&)>& pred) {
  return static_cast<size_t>(std::count_if(e.truth.begin(), e.truth.end(), pred));
}

// Packets in a classic pcap (nanosecond or microsecond, little endian as voxmon writes).
inline size_t pcap_packets(const std::string& bytes) {
  REQUIRE(bytes.size() >= 24);
  const uint32_t magic = static_cast<uint8_t>(bytes[0]) | static_cast<uint8_t>(bytes[1]) << 8 |
                         static_cast<uint8_t>(bytes[2]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(bytes[3])) << 24;
  REQUIRE((magic == 0xa1b23c4d || magic == 0xa1b2c3d4));
  size_t off = 24, n = 0;
  while (off + 16 <= bytes.size()) {
    const uint32_t caplen = static_cast<uint8_t>(bytes[off + 8]) | static_cast<uint8_t>(bytes[off + 9]) << 8 |
                            static_cast<uint8_t>(bytes[off + 10]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(bytes[off + 11])) << 24;
    off += 16 + caplen;
    ++n;
  }
  REQUIRE(off == bytes.size());
  return n;
}

inline int64_t id_of_call(session_client& c, const gui_env& e, const std::string& callid) {
  auto j = c.get_json("/api/cdrs?" + e.range() + "&callid=" + gui_env::url(callid));
  REQUIRE(j["rows"].size() == 1);
  return j["rows"][0]["id"];
}


// GET /api/cdr/ID/intervals of every call equals the per-10-s series of the run's JSON Lines
// (the same series through the store); returns the number of intervals seen.
inline size_t check_interval_series(session_client& c, const gui_env& e) {
  size_t points = 0;
  for (const auto& cdr : e.cdrs) {
    const int64_t id = id_of_call(c, e, cdr["callid"]);
    INFO("call " << cdr["callid"] << " id " << id);
    const auto s = c.get_json("/api/cdr/" + std::to_string(id) + "/intervals");
    CHECK(s["id"] == id);
    CHECK(s["interval_seconds"] == 10);
    REQUIRE(s["streams"].size() == cdr["rtp"].size());
    for (const auto& want : cdr["rtp"]) {
      const json* got = nullptr;
      for (const auto& g : s["streams"])
        if (g["ssrc"] == want["ssrc"] && g["saddr"] == want["saddr"] && g["dport"] == want["dport"])
          got = &g;
      REQUIRE(got);
      CHECK((*got)["intervals"] == want["intervals"]);
      points += want["intervals"].size();
    }
  }
  // Malformed and hostile requests.
  CHECK(c.get("/api/cdr/99999999/intervals").status == 404);
  CHECK(c.get("/api/cdr/1/intervals?x=1%27%20OR%201=1").status == 400);
  CHECK(c.get("/api/cdr/1%27/intervals").status == 400);
  return points;
}

}  // namespace voxmon::test::gui
