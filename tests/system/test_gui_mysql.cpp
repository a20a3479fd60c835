// The web GUI on the MySQL store (VOXMON_TEST_MYSQL, see mysql_test_env.hpp): the same
// capture as test_gui_api.cpp written by `voxmon -r` into MariaDB, then the list filters,
// hostile values, detail, ladder, dashboard and users through the GUI.
#include "gui/gui_db.hpp"
#include "gui/sql.hpp"
#include "mysql_test_env.hpp"
#include "test_gui_env.hpp"

using namespace voxmon;
using namespace voxmon::test;
using namespace voxmon::test::gui;

TEST_CASE("gui api on the MySQL store matches the generator truth", "[gui][system][mysql]") {
  auto s = mysql_test_settings();
  if (!s)
    return;
  const auto params = params_of(*s, "voxmon_t_gui");
  fresh_database(params);
  gui_env e("gui_mysql", url_of(params));
  session_client c(e.port);
  REQUIRE(c.login("admin", admin_password).status == 200);
  auto all = c.get_json("/api/cdrs?" + e.range() + "&per_page=500");
  CHECK(all["total"] == 20);
  REQUIRE(all["rows"].size() == 20);
  std::map<std::string, json> by_caller;
  for (const auto& t : e.truth)
    by_caller[t["caller"]] = t;
  for (const auto& row : all["rows"]) {
    const auto& t = by_caller.at(row["caller"]);
    CHECK(row["calldate"] == t["calldate"]);
    CHECK(row["sipcallerip"] == t["sipcallerip"]);  // INT UNSIGNED in MySQL, text in the API
    CHECK(row["sipcalledip"] == t["sipcalledip"]);
    CHECK(row["whohanged"] == t["whohanged"]);      // ENUM in MySQL
    CHECK(row["lastSIPresponseNum"] == t["lastSIPresponseNum"]);
    CHECK(std::abs(row["duration"].get<double>() - t["duration"].get<double>()) < 0.0015);
  }
  auto total = [&](const std::string& q) { return c.get_json("/api/cdrs?" + e.range() + "&" + q)["total"].get<size_t>(); };
  CHECK(total("response=200") == count_if_truth(e, [](const json& t) { return t["lastSIPresponseNum"] == 200; }));
  CHECK(total("response=4xx") == count_if_truth(e, [](const json& t) { int n = t["lastSIPresponseNum"]; return n >= 400 && n < 500; }));
  CHECK(total("whohanged=caller") == count_if_truth(e, [](const json& t) { return t["whohanged"] == "caller"; }));
  CHECK(total("whohanged=none") == count_if_truth(e, [](const json& t) { return t["whohanged"].is_null(); }));
  const json& some = e.truth[5];
  const std::string called = some["called"];
  const auto count_called = [&](const std::function<bool(const std::string&)>& f) {
    return count_if_truth(e, [&](const json& t) { return f(t["called"].get<std::string>()); });
  };
  CHECK(total("called=" + called + "&match=exact") == 1);
  CHECK(total("called=" + called.substr(0, 2)) == count_called([&](const std::string& x) { return x.rfind(called.substr(0, 2), 0) == 0; }));
  const std::string tail = called.substr(called.size() - 2);
  CHECK(total("called=" + tail + "&match=suffix") == count_called([&](const std::string& x) { return x.substr(x.size() - 2) == tail; }));
  const std::string mid = called.substr(3, 3);
  CHECK(total("called=" + mid + "&match=contains") == count_called([&](const std::string& x) { return x.find(mid) != std::string::npos; }));
  CHECK(total("ip=" + some["sipcalledip"].get<std::string>()) == 1);
  CHECK(total("ip=2001:db8::1") == 0);  // no IPv6 columns without ipv6 = yes
  CHECK(total("min_duration=10") == count_if_truth(e, [](const json& t) { return t["duration"].get<double>() >= 10; }));
  const auto count_cdrs = [&](const std::function<bool(const json&)>& f) { return static_cast<size_t>(std::count_if(e.cdrs.begin(), e.cdrs.end(), f)); };
  CHECK(total("mos_below=4.2") == count_cdrs([](const json& x) { return !x["mos_min"].is_null() && std::llround(x["mos_min"].get<double>() * 10) < 42; }));
  for (const char* limit : {"0", "0.5", "2"}) {
    const int64_t x1000 = std::llround(std::stod(limit) * 1000);
    auto over = [&](const json& x, const char* k) {
      return !x[k].is_null() && std::llround(x[k].get<double>() * 1000) > x1000;
    };
    CHECK(total(std::string("loss_above=") + limit) ==
          count_cdrs([&](const json& x) { return over(x, "a_packet_loss_perc") || over(x, "b_packet_loss_perc"); }));
  }
  // Substrings (through the GUI's number index): as many calls as the truth has, twice (the
  // second search reads the index again first).
  for (int round = 0; round < 2; ++round)
    for (const auto& t : {e.truth[3], e.truth[11]}) {
      const std::string caller = t["caller"], sub = caller.substr(1, 3);
      INFO(sub);
      CHECK(total("caller=" + sub + "&match=contains") ==
            count_if_truth(e, [&](const json& x) { return x["caller"].get<std::string>().find(sub) != std::string::npos; }));
    }
  // Hostile values are data; the LIKE wildcards of the prefix search are literals.
  for (const char* q : {"caller=%27%20OR%201%3D1%20--", "called=%25", "called=_&match=suffix",
                        "called=%5C&match=prefix", "caller=%27%3B%20DROP%20TABLE%20cdr%3B%20--&match=contains"})
    CHECK(total(q) == 0);
  CHECK(c.get("/api/cdrs?sort=calldate%3BDROP%20TABLE%20cdr").status == 400);
  std::set<int64_t> seen;
  for (int page = 1; page <= 3; ++page) {
    const json p = c.get_json("/api/cdrs?" + e.range() + "&sort=loss&per_page=7&page=" + std::to_string(page));
    for (const auto& row : p["rows"])
      seen.insert(row["id"].get<int64_t>());
  }
  CHECK(seen.size() == 20);
  // Every sort, both ways, on the GUI's indexes: the order of the key, ties by id in the same
  // direction, calls without MOS last either way.
  const std::string digit = called.substr(0, 1);
  const size_t with_digit = count_called([&](const std::string& x) { return x.rfind(digit, 0) == 0; });
  for (const std::string& filter : {std::string(), "&called=" + digit})
  for (const char* key : {"duration", "mos", "loss", "caller", "called", "calldate"})
    for (const char* dir : {"asc", "desc"}) {
      INFO("sort=" << key << "&dir=" << dir << filter);
      const json p = c.get_json("/api/cdrs?" + e.range() + "&per_page=500&sort=" + key + "&dir=" + dir + filter);
      const size_t n = filter.empty() ? 20 : with_digit;
      REQUIRE(p["rows"].size() == n);
      const bool desc = std::string(dir) == "desc";
      auto value = [&](const json& r) -> json {
        if (std::string(key) == "loss")
          return std::max(r["a_loss_perc"].is_null() ? 0.0 : r["a_loss_perc"].get<double>(),
                          r["b_loss_perc"].is_null() ? 0.0 : r["b_loss_perc"].get<double>());
        return r[std::string(key) == "mos" ? "mos_min" : key];
      };
      for (size_t i = 1; i < n; ++i) {
        const json a = value(p["rows"][i - 1]), b = value(p["rows"][i]);
        const int64_t ia = p["rows"][i - 1]["id"], ib = p["rows"][i]["id"];
        if (std::string(key) == "mos" && (a.is_null() || b.is_null())) {
          CHECK(b.is_null());  // no MOS: last
          if (a.is_null())
            CHECK((desc ? ia > ib : ia < ib));
          continue;
        }
        CHECK((desc ? a >= b : a <= b));
        if (a == b)
          CHECK((desc ? ia > ib : ia < ib));
      }
    }
  // MOS ascending is read in two parts (calls with a MOS, then without): small pages, where
  // the first part ends inside a page and before later ones, give the same order as one page.
  for (const std::string& filter : {std::string(), std::string("&response=2xx"), "&called=" + digit}) {
    const std::string base = "/api/cdrs?" + e.range() + "&sort=mos&dir=asc" + filter;
    std::vector<int64_t> whole, paged;
    const json all = c.get_json(base + "&per_page=500");
    for (const auto& r : all["rows"])
      whole.push_back(r["id"]);
    for (int page = 1; page <= 10; ++page) {
      const json p = c.get_json(base + "&per_page=3&page=" + std::to_string(page));
      for (const auto& r : p["rows"])
        paged.push_back(r["id"]);
    }
    INFO(filter);
    CHECK(!whole.empty());
    CHECK(paged == whole);
  }
  auto csv = c.get("/api/cdrs.csv?" + e.range());
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 21);

  // The GUI's calldate index holds every filtered column (counts read no rows); a store with
  // the narrower index of earlier versions gets the new one instead when the GUI starts.
  {
    store::db_error err;
    auto db = store::mysql_db::connect(params, err);
    REQUIRE(db);
    auto index_columns = [&](const std::string& name) {
      return db->query("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                       "AND TABLE_NAME = 'cdr' AND INDEX_NAME = '" + name + "' ORDER BY SEQ_IN_INDEX").size();
    };
    CHECK(index_columns(voxmon::gui::mysql_calldate_index) == 12);
    db->exec("ALTER TABLE cdr DROP INDEX `" + std::string(voxmon::gui::mysql_calldate_index) +
             "`, ADD INDEX cdr_gui_calldate_numbers (calldate, ID, caller, called)");
    voxmon::gui::db_target target;
    target.mysql = true;
    target.mysql_params = params;
    voxmon::gui::db_features feats;
    CHECK(voxmon::gui::prepare_store(target, feats).empty());
    CHECK(index_columns("cdr_gui_calldate_numbers") == 0);
    CHECK(index_columns(voxmon::gui::mysql_calldate_index) == 12);
  }

  // Detail and ladder of an answered call.
  const json* answered = nullptr;
  for (const auto& t : e.truth)
    if (t["lastSIPresponseNum"] == 200 && !answered)
      answered = &t;
  const int64_t id = id_of_call(c, e, (*answered)["callid"]);
  auto d = c.get_json("/api/cdr/" + std::to_string(id));
  CHECK(d["cdr"]["sipcallerip"] == (*answered)["sipcallerip"]);
  CHECK(d["cdr"]["whohanged"] == (*answered)["whohanged"]);
  CHECK(d["cdr"]["lastSIPresponse"] == "200 OK");
  REQUIRE(d["rtp"].size() == (*answered)["rtp"].size());
  CHECK(d["rtp"][0]["saddr"] == (*answered)["rtp"][0]["saddr"]);
  auto l = c.get_json("/api/cdr/" + std::to_string(id) + "/ladder");
  CHECK(l["messages"].size() == 7);
  CHECK(pcap_packets(c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=sip").body) == 7);
  CHECK(c.get("/api/cdr/99999999").status == 404);
  CHECK(check_interval_series(c, e) > 20);  // the per-10-s series through MySQL's MEDIUMTEXT

  auto dash = c.get_json("/api/dashboard?" + e.range());
  CHECK(dash["summary"]["calls"] == 20);
  CHECK(dash["summary"]["answered"] == count_if_truth(e, [](const json& t) { return !t["connect_duration"].is_null(); }));
  int64_t calls = 0;
  for (const auto& b : dash["per_bucket"]) calls += b["calls"].get<int64_t>();
  CHECK(calls == 20);

  // Users in MySQL's voxmon_users.
  auto add = c.send("POST", "/api/users", json{{"name", "carol"}, {"role", "viewer"}, {"password", "carol-password"}}.dump());
  CHECK(add.status == 201);
  auto list = run(VOXMON_BIN, {"--db", e.db, "user", "list"}, e.dir);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("carol\tviewer\t") != std::string::npos);
  session_client carol(e.port);
  CHECK(carol.login("carol", "carol-password").status == 200);
  CHECK(carol.get("/api/users").status == 403);

  // The GUI made its columns and indexes (gui/mysql_gui_indexes.cpp) and searches suffixes on
  // caller_reverse / called_reverse. A VoIPmonitor table brings its own reverse columns and
  // index: the next GUI keeps them and adds only what is missing.
  CHECK(e.gui->err().find("suffix search on caller_reverse/called_reverse") != std::string::npos);
  store::db_error err;
  auto db = store::mysql_db::connect(params, err);
  REQUIRE(db);
  auto scalar = [&](const std::string& sql) { return db->query(sql).at(0).values.at(0); };
  const std::string stats = "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                            "AND TABLE_NAME = 'cdr' AND ";
  CHECK(scalar(stats + "INDEX_NAME LIKE 'cdr\\_gui\\_%' AND SEQ_IN_INDEX = 1") == "9");
  CHECK(scalar("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
               "TABLE_NAME = 'cdr' AND COLUMN_NAME IN ('caller_reverse', 'called_reverse', 'voxmon_loss_mult1000') "
               "AND EXTRA LIKE '%VIRTUAL%'") == "3");
  db->exec("ALTER TABLE cdr DROP COLUMN caller_reverse, DROP COLUMN called_reverse");
  db->exec("ALTER TABLE cdr ADD COLUMN caller_reverse VARCHAR(255) AS (REVERSE(caller)) STORED, "
           "ADD COLUMN called_reverse VARCHAR(255) AS (REVERSE(called)) STORED, ADD KEY called_reverse (called_reverse)");
  const uint16_t port2 = free_port();
  write_text(e.dir / "gui2.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(port2) + "\ndb = " + e.db +
                                      "\nspooldir = spool\n");
  background_process gui2(VOXMON_BIN, {"--config-file", "gui2.conf"}, e.dir, "gui2");
  REQUIRE(gui2.wait_for_stderr("gui listening", std::chrono::seconds(20)));
  CHECK(gui2.err().find("suffix search on caller_reverse/called_reverse") != std::string::npos);
  CHECK(scalar(stats + "COLUMN_NAME = 'called_reverse'") == "1");  // VoIPmonitor's index, no second
  CHECK(scalar(stats + "COLUMN_NAME = 'caller_reverse'") == "1");  // the GUI's, added again
  session_client c2(port2);
  REQUIRE(c2.login("admin", admin_password).status == 200);
  auto total2 = [&](const std::string& q) { return c2.get_json("/api/cdrs?" + e.range() + "&" + q)["total"].get<size_t>(); };
  CHECK(total2("called=" + tail + "&match=suffix") == count_called([&](const std::string& x) { return x.substr(x.size() - 2) == tail; }));
  CHECK(total2("called=" + called + "&match=suffix") == 1);
  CHECK(total2("called=_&match=suffix") == 0);
  gui2.signal(SIGTERM);
  CHECK(gui2.wait_for(std::chrono::seconds(10)) == 0);
}
