// The web GUI's API end to end: the real voxmon binary serving a SQLite store filled by
// `voxmon -r` of a generated capture (with its spool), users added with `voxmon user add`,
// every endpoint checked against the generator's truth and the run's own JSON Lines,
// with malformed and hostile requests.
#include "test_gui_env.hpp"

using namespace voxmon::test;
using namespace voxmon::test::gui;


TEST_CASE("gui api login sessions logout and CSRF", "[gui][system]") {
  gui_env e("gui_login");
  session_client c(e.port);
  auto r = c.get("/api/me");
  CHECK(r.status == 401);
  CHECK(error_of(r).find("not logged in") != std::string::npos);
  CHECK(c.get("/api/cdrs").status == 401);
  // Login needs a JSON body of the right shape.
  r = c.http.request("POST", "/api/login", "name=admin&password=x", {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(r.status == 415);
  r = c.http.request("POST", "/api/login", "{not json", {{"Content-Type", "application/json"}});
  CHECK(r.status == 400);
  r = c.http.request("POST", "/api/login", "{\"name\": 1, \"password\": []}", {{"Content-Type", "application/json"}});
  CHECK(r.status == 400);
  CHECK(c.http.request("GET", "/api/login").status == 405);

  r = c.login("admin", admin_password);
  REQUIRE(r.status == 200);
  const std::string set = r.header("set-cookie");
  CHECK(set.rfind("voxmon_session=", 0) == 0);
  CHECK(c.cookie.size() == std::string("voxmon_session=").size() + 64);
  CHECK(set.find("; Path=/") != std::string::npos);
  CHECK(set.find("; HttpOnly") != std::string::npos);
  CHECK(set.find("; SameSite=Strict") != std::string::npos);
  CHECK(set.find("Max-Age=43200") != std::string::npos);  // gui_session_hours 12
  CHECK(set.find("Secure") == std::string::npos);          // plain HTTP
  CHECK(c.csrf.size() == 64);
  auto me = c.get_json("/api/me");
  CHECK(me["name"] == "admin");
  CHECK(me["role"] == "admin");
  CHECK(me["csrf_token"] == c.csrf);
  // A forged cookie is nobody.
  session_client forged(e.port);
  forged.cookie = "voxmon_session=" + std::string(64, 'a');
  CHECK(forged.get("/api/me").status == 401);
  forged.cookie = "voxmon_session=' OR 1=1 --";
  CHECK(forged.get("/api/me").status == 401);
  // POST without the CSRF token, with a wrong one, from another origin: refused.
  r = c.send("POST", "/api/logout", "", false);
  CHECK(r.status == 403);
  CHECK(error_of(r).find("CSRF") != std::string::npos);
  r = c.http.request("POST", "/api/logout", "", {{"Cookie", c.cookie}, {"X-CSRF-Token", std::string(64, '0')}});
  CHECK(r.status == 403);
  r = c.http.request("POST", "/api/logout", "", {{"Cookie", c.cookie}, {"X-CSRF-Token", c.csrf}, {"Origin", "http://evil.example"}});
  CHECK(r.status == 403);
  CHECK(c.get("/api/me").status == 200);  // still logged in
  r = c.send("POST", "/api/logout", "");
  CHECK(r.status == 200);
  CHECK(r.header("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(c.get("/api/me").status == 401);  // the old cookie is dead
}

TEST_CASE("gui sessions survive a restart and are shared by GUIs on one store", "[gui][system]") {
  gui_env e("gui_sessions_shared");
  session_client admin(e.port), viewer(e.port);
  REQUIRE(admin.login("admin", admin_password).status == 200);
  REQUIRE(viewer.login("viewer", viewer_password).status == 200);
  // A second GUI process on the same store (another port).
  auto start_gui = [&](const std::string& name) {
    const uint16_t port = free_port();
    write_text(e.dir / (name + ".conf"), "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(port) +
                                             "\ndb = " + e.db + "\nspooldir = spool\n");
    auto p = std::make_unique<background_process>(VOXMON_BIN, std::vector<std::string>{"--config-file", name + ".conf"},
                                                  e.dir, name);
    REQUIRE(p->wait_for_stderr("gui listening on", std::chrono::seconds(20)));
    return std::make_pair(port, std::move(p));
  };
  auto [port2, gui2] = start_gui("gui2");
  // The first GUI stops: its logins go on through the second, CSRF token included.
  e.gui->signal(SIGTERM);
  REQUIRE(e.gui->wait_for(std::chrono::seconds(10)));
  auto on = [](uint16_t port, const session_client& from) {
    auto c = std::make_unique<session_client>(port);
    c->cookie = from.cookie;
    c->csrf = from.csrf;
    return c;
  };
  auto admin2 = on(port2, admin), viewer2 = on(port2, viewer);
  auto me = admin2->get_json("/api/me");
  CHECK(me["name"] == "admin");
  CHECK(me["csrf_token"] == admin.csrf);
  CHECK(viewer2->get_json("/api/me")["role"] == "viewer");
  // Logging out on one GUI logs out on every GUI; so does deleting the user.
  REQUIRE(viewer2->send("POST", "/api/logout", "").status == 200);
  auto [port3, gui3] = start_gui("gui3");
  CHECK(on(port3, viewer)->get("/api/me").status == 401);
  auto admin3 = on(port3, admin);
  CHECK(admin3->get("/api/me").status == 200);
  session_client again(port2);
  REQUIRE(again.login("viewer", viewer_password).status == 200);
  REQUIRE(admin3->send("DELETE", "/api/users/viewer", "").status == 200);
  CHECK(again.get("/api/me").status == 401);
  gui2->signal(SIGTERM);
  gui3->signal(SIGTERM);
  gui2->wait_for(std::chrono::seconds(10));
  gui3->wait_for(std::chrono::seconds(10));
}

TEST_CASE("gui api refuses wrong passwords and rate limits logins", "[gui][system]") {
  gui_env e("gui_ratelimit");
  session_client c(e.port);
  CHECK(c.login("nobody", "whatever-pass").status == 401);
  for (int i = 0; i < 4; ++i) {
    auto r = c.login("admin", "wrong-password");
    CHECK(r.status == 401);
    CHECK(error_of(r) == "wrong user name or password");
  }
  // 5 failures from this address within 5 minutes: blocked, even with the right password.
  auto r = c.login("admin", admin_password);
  CHECK(r.status == 429);
  CHECK(std::stoi(r.header("retry-after")) > 250);
  CHECK(std::stoi(r.header("retry-after")) <= 300);
  CHECK(error_of(r).find("too many failed logins") != std::string::npos);
  CHECK(c.login("viewer", viewer_password).status == 429);  // the address is blocked for every name
  CHECK(e.gui->err().find("failed login for 'admin' from 127.0.0.1") != std::string::npos);
}

TEST_CASE("gui api users admin only and viewer refused", "[gui][system]") {
  gui_env e("gui_users");
  session_client admin(e.port), viewer(e.port);
  REQUIRE(admin.login("admin", admin_password).status == 200);
  REQUIRE(viewer.login("viewer", viewer_password).status == 200);
  CHECK(viewer.get_json("/api/me")["role"] == "viewer");
  auto r = viewer.get("/api/users");
  CHECK(r.status == 403);
  CHECK(error_of(r) == "this needs the admin role");
  CHECK(viewer.send("POST", "/api/users", json{{"name", "eve"}, {"role", "admin"}, {"password", "eve-password"}}.dump()).status == 403);
  CHECK(viewer.send("DELETE", "/api/users/admin", "").status == 403);
  CHECK(viewer.get("/api/cdrs?" + e.range()).status == 200);  // viewers see calls

  auto users = admin.get_json("/api/users")["users"];
  REQUIRE(users.size() == 2);
  CHECK(users[0]["name"] == "admin");
  CHECK(users[0]["role"] == "admin");
  CHECK(users[1]["name"] == "viewer");
  CHECK(users[1]["created"].get<std::string>().size() == 19);
  CHECK(users[0].find("password_hash") == users[0].end());
  // Add: validation, duplicates, CSRF.
  const auto add = [&](const json& body, bool csrf = true) { return admin.send("POST", "/api/users", body.dump(), csrf); };
  CHECK(add({{"name", "carol"}, {"role", "viewer"}, {"password", "carol-password"}}, false).status == 403);
  r = add({{"name", "carol"}, {"role", "viewer"}, {"password", "carol-password"}});
  CHECK(r.status == 201);
  CHECK(add({{"name", "carol"}, {"role", "viewer"}, {"password", "carol-password"}}).status == 409);
  CHECK(error_of(add({{"name", "x'); DROP TABLE voxmon_users; --"}, {"role", "viewer"}, {"password", "long-enough"}})).find("user name") != std::string::npos);
  CHECK(add({{"name", "dave"}, {"role", "root"}, {"password", "long-enough"}}).status == 400);
  CHECK(error_of(add({{"name", "dave"}, {"role", "viewer"}, {"password", "short"}})).find("too short") != std::string::npos);
  CHECK(add(json::array()).status == 400);
  session_client carol(e.port);
  CHECK(carol.login("carol", "carol-password").status == 200);
  // Delete: unknown, the last admin, then a viewer whose session ends at once.
  CHECK(admin.send("DELETE", "/api/users/nobody", "").status == 404);
  CHECK(admin.send("DELETE", "/api/users/..%2Fetc", "").status == 400);
  r = admin.send("DELETE", "/api/users/admin", "");
  CHECK(r.status == 409);
  CHECK(error_of(r).find("last admin") != std::string::npos);
  CHECK(admin.send("DELETE", "/api/users/carol", "", false).status == 403);
  CHECK(admin.send("DELETE", "/api/users/carol", "").status == 200);
  CHECK(carol.get("/api/me").status == 401);
  CHECK(admin.get_json("/api/users")["users"].size() == 2);
  // A user deleted from the command line loses the session too.
  auto del = run(VOXMON_BIN, {"--db", "sqlite:cdr.db", "user", "del", "viewer"}, e.dir);
  CHECK(del.exit_code == 0);
  CHECK(viewer.get("/api/cdrs").status == 401);
}

TEST_CASE("gui api cdr list matches the generator truth", "[gui][system]") {
  gui_env e("gui_list");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  auto all = c.get_json("/api/cdrs?" + e.range() + "&per_page=500");
  CHECK(all["total"] == 20);
  CHECK(all["total_capped"] == false);
  CHECK(all["range_capped"] == false);
  REQUIRE(all["rows"].size() == 20);
  // The total on every page: full pages (counted), the last page (known from its rows), and a
  // page past the end (counted again).
  for (int page = 1; page <= 4; ++page) {
    const auto p = c.get_json("/api/cdrs?" + e.range() + "&per_page=7&page=" + std::to_string(page));
    CHECK(p["total"] == 20);
    CHECK(p["rows"].size() == (page < 3 ? 7u : page == 3 ? 6u : 0u));
  }
  CHECK(c.get_json("/api/cdrs?" + e.range() + "&per_page=20")["total"] == 20);
  CHECK(c.get_json("/api/cdrs?from=2001-01-01&to=2001-01-02")["total"] == 0);
  // Default range (the last 366 days up to tomorrow) holds the capture too; newest first.
  auto def = c.get_json("/api/cdrs");
  CHECK(def["total"] == 20);
  CHECK(def["rows"].size() == 20);
  for (size_t i = 1; i < def["rows"].size(); ++i)
    CHECK(def["rows"][i - 1]["calldate"].get<std::string>() >= def["rows"][i]["calldate"].get<std::string>());
  // Every row against the truth of its call (by caller number: unique per call).
  std::map<std::string, json> by_caller;
  for (const auto& t : e.truth)
    by_caller[t["caller"]] = t;
  for (const auto& row : all["rows"]) {
    const auto& t = by_caller.at(row["caller"]);
    CHECK(row["called"] == t["called"]);
    CHECK(row["calldate"] == t["calldate"]);
    CHECK(row["sipcallerip"] == t["sipcallerip"]);
    CHECK(row["sipcalledip"] == t["sipcalledip"]);
    CHECK(row["lastSIPresponseNum"] == t["lastSIPresponseNum"]);
    CHECK(row["lastSIPresponse"] == (t["lastSIPresponse"] == "" ? json(nullptr) : t["lastSIPresponse"]));
    CHECK(row["whohanged"] == t["whohanged"]);
    CHECK(std::abs(row["duration"].get<double>() - t["duration"].get<double>()) < 0.0015);
    CHECK(row["a_lost"] == t["a_lost"]);
    CHECK(row["b_lost"] == t["b_lost"]);
  }
  auto total = [&](const std::string& q) {
    auto j = c.get_json("/api/cdrs?" + e.range() + "&" + q);
    return j["total"].get<size_t>();
  };
  CHECK(total("response=200") == count_if_truth(e, [](const json& t) { return t["lastSIPresponseNum"] == 200; }));
  CHECK(total("response=4xx") == count_if_truth(e, [](const json& t) { int n = t["lastSIPresponseNum"]; return n >= 400 && n < 500; }));
  CHECK(total("response=6xx") == 2);
  CHECK(total("response=0") == 2);  // the unanswered calls
  CHECK(total("whohanged=caller") == count_if_truth(e, [](const json& t) { return t["whohanged"] == "caller"; }));
  CHECK(total("whohanged=callee") == count_if_truth(e, [](const json& t) { return t["whohanged"] == "callee"; }));
  CHECK(total("whohanged=none") == count_if_truth(e, [](const json& t) { return t["whohanged"].is_null(); }));
  CHECK(total("sensor=0") == 20);
  CHECK(total("sensor=5") == 0);
  CHECK(total("min_duration=10") == count_if_truth(e, [](const json& t) { return t["duration"].get<double>() >= 10; }));
  CHECK(total("max_duration=5") == count_if_truth(e, [](const json& t) { return t["duration"].get<double>() <= 5; }));
  // Numbers: exact, prefix, suffix, contains, against the truth.
  const json& some = e.truth[7];
  const std::string caller = some["caller"], called = some["called"];
  auto one = c.get_json("/api/cdrs?" + e.range() + "&caller=" + caller + "&match=exact");
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["rows"][0]["called"] == called);
  const auto count_called = [&](const std::function<bool(const std::string&)>& f) {
    return count_if_truth(e, [&](const json& t) { return f(t["called"].get<std::string>()); });
  };
  CHECK(total("called=" + called.substr(0, 2)) == count_called([&](const std::string& s) { return s.rfind(called.substr(0, 2), 0) == 0; }));
  const std::string tail = called.substr(called.size() - 2);
  CHECK(total("called=" + tail + "&match=suffix") == count_called([&](const std::string& s) { return s.size() >= 2 && s.substr(s.size() - 2) == tail; }));
  const std::string mid = called.substr(3, 3);
  CHECK(total("called=" + mid + "&match=contains") == count_called([&](const std::string& s) { return s.find(mid) != std::string::npos; }));
  CHECK(total("ip=" + some["sipcalledip"].get<std::string>()) == 1);
  CHECK(total("ip=" + some["sipcallerip"].get<std::string>()) == 1);
  CHECK(total("ip=192.0.2.99") == 0);
  // Quality filters against the run's own CDRs (stored as MOS x 10 and loss % x 1000).
  const auto count_cdrs = [&](const std::function<bool(const json&)>& f) { return static_cast<size_t>(std::count_if(e.cdrs.begin(), e.cdrs.end(), f)); };
  CHECK(total("mos_below=4.2") == count_cdrs([](const json& c) { return !c["mos_min"].is_null() && std::llround(c["mos_min"].get<double>() * 10) < 42; }));
  CHECK(total("loss_above=1") == count_cdrs([](const json& c) {
    for (const char* k : {"a_packet_loss_perc", "b_packet_loss_perc"})
      if (!c[k].is_null() && std::llround(c[k].get<double>() * 1000) > 1000) return true;
    return false;
  }));
  // Sorting and paging.
  auto by_duration = c.get_json("/api/cdrs?" + e.range() + "&sort=duration&dir=asc&per_page=1");
  double shortest = 1e9;
  for (const auto& t : e.truth) shortest = std::min(shortest, t["duration"].get<double>());
  CHECK(std::abs(by_duration["rows"][0]["duration"].get<double>() - shortest) < 0.0015);
  auto by_mos = c.get_json("/api/cdrs?" + e.range() + "&sort=mos&dir=asc&per_page=500")["rows"];
  for (size_t i = 1; i < 10; ++i)
    CHECK(by_mos[i - 1]["mos_min"].get<double>() <= by_mos[i]["mos_min"].get<double>());
  CHECK(by_mos[19]["mos_min"].is_null());  // no RTP: last
  std::set<int64_t> seen;
  for (int page = 1; page <= 3; ++page) {
    auto p = c.get_json("/api/cdrs?" + e.range() + "&per_page=7&page=" + std::to_string(page));
    CHECK(p["rows"].size() == (page < 3 ? 7u : 6u));
    for (const auto& row : p["rows"]) seen.insert(row["id"].get<int64_t>());
  }
  CHECK(seen.size() == 20);
  CHECK(c.get_json("/api/cdrs?" + e.range() + "&per_page=7&page=4")["rows"].empty());
}

TEST_CASE("gui api cdr list refuses malformed and hostile parameters", "[gui][system]") {
  gui_env e("gui_hostile");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  const auto status = [&](const std::string& q) { return c.get("/api/cdrs?" + q).status; };
  // SQL metacharacters are data: no error, no match, the table intact.
  for (const char* q : {"caller=%27%20OR%201%3D1%20--", "called=%27%3B%20DROP%20TABLE%20cdr%3B%20--&match=exact",
                        "called=%25&match=contains", "caller=_&match=suffix", "callid=x%27%20OR%20%271%27%3D%271"}) {
    auto j = c.get_json("/api/cdrs?" + e.range() + "&" + q);
    CHECK(j["total"] == 0);
  }
  CHECK(status("sort=calldate%3BDROP%20TABLE%20cdr") == 400);
  CHECK(status("sort=ID") == 400);
  CHECK(status("dir=asc%20--") == 400);
  CHECK(status("ip=1.2.3.4%27--") == 400);
  CHECK(status("ip=999.1.1.1") == 400);
  CHECK(status("sensor=1%20OR%201%3D1") == 400);
  CHECK(status("response=2%25") == 400);
  CHECK(status("mos_below=NaN") == 400);
  CHECK(status("loss_above=-1") == 400);
  CHECK(status("min_duration=1e309") == 400);
  CHECK(status("per_page=100000") == 400);
  CHECK(status("per_page=-5") == 400);
  CHECK(status("page=abc") == 400);
  CHECK(status("page=1000000") == 400);
  CHECK(status("from=2026-02-30") == 400);
  CHECK(status("from=2026-01-02&to=2026-01-01") == 400);
  CHECK(status("bogus=1") == 400);
  CHECK(status("caller=1&caller=2") == 400);
  CHECK(status("caller=" + std::string(300, '1')) == 400);
  CHECK(status("caller=%0A") == 400);
  CHECK(status("caller=%zz") == 400);  // malformed escape
  auto r = c.get("/api/cdrs?sort=evil");
  CHECK(error_of(r) == "parameter 'sort': expected calldate, duration, mos, loss, caller or called, got 'evil'");
  // A huge range is cut to 366 days, and says so.
  auto big = c.get_json("/api/cdrs?from=1970-01-01&to=2100-01-01");
  CHECK(big["range_capped"] == true);
  CHECK(big["from"] == "2098-12-31 00:00:00.000");  // 366 days before 2100-01-01
  CHECK(big["note"].get<std::string>().find("366 days") != std::string::npos);
  // Unknown and malformed ids.
  for (const char* path : {"/api/cdr/999999", "/api/cdr/999999/ladder", "/api/cdr/999999/pcap",
                           "/api/cdr/999999/intervals"}) {
    auto u = c.get(path);
    CHECK(u.status == 404);
    CHECK(error_of(u) == "no call with id 999999");
  }
  CHECK(c.get("/api/cdr/abc").status == 400);
  CHECK(c.get("/api/cdr/1%20OR%201=1").status == 400);
  CHECK(c.get("/api/cdr/-1").status == 400);
  CHECK(c.get("/api/cdr/99999999999999999999999").status == 400);
  CHECK(c.get("/api/cdr/1/bogus").status == 404);
  CHECK(c.get("/api/nothing").status == 404);
  CHECK(c.get_json("/api/cdrs?" + e.range())["total"] == 20);  // all still there
}

TEST_CASE("gui api csv export streams the filtered list", "[gui][system]") {
  gui_env e("gui_csv");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  auto r = c.get("/api/cdrs.csv?" + e.range());
  REQUIRE(r.status == 200);
  CHECK(r.chunked);
  CHECK(r.header("content-type") == "text/csv; charset=utf-8");
  CHECK(r.header("content-disposition") == "attachment; filename=\"voxmon-cdrs.csv\"");
  std::vector<std::string> lines;
  for (size_t at = 0; at < r.body.size();) {
    const size_t end = r.body.find("\r\n", at);
    lines.push_back(r.body.substr(at, end - at));
    at = end + 2;
  }
  REQUIRE(lines.size() == 21);
  CHECK(lines[0].rfind("id,calldate,callend,duration,connect_duration,caller,", 0) == 0);
  std::set<std::string> callers;
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t a = lines[i].find(',', lines[i].find(',', lines[i].find(',', lines[i].find(',', lines[i].find(',') + 1) + 1) + 1) + 1);
    callers.insert(lines[i].substr(a + 1, lines[i].find(',', a + 1) - a - 1));
  }
  for (const auto& t : e.truth)
    CHECK(callers.count(t["caller"].get<std::string>()) == 1);
  auto answered = c.get("/api/cdrs.csv?" + e.range() + "&response=200");
  CHECK(std::count(answered.body.begin(), answered.body.end(), '\n') ==
        1 + static_cast<long>(count_if_truth(e, [](const json& t) { return t["lastSIPresponseNum"] == 200; })));
  CHECK(c.get("/api/cdrs.csv?sort=bogus").status == 400);
}

TEST_CASE("gui api call detail ladder and pcap of an answered call", "[gui][system]") {
  gui_env e("gui_detail");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  const json* answered = nullptr;
  for (const auto& t : e.truth)
    if (t["lastSIPresponseNum"] == 200 && !answered)
      answered = &t;
  REQUIRE(answered);
  const json& t = *answered;
  const json& cdr = e.cdr_of(t["callid"]);
  const int64_t id = id_of_call(c, e, t["callid"]);
  auto d = c.get_json("/api/cdr/" + std::to_string(id));
  CHECK(d["id"] == id);
  CHECK(d["cdr"]["caller"] == t["caller"]);
  CHECK(d["cdr"]["callername"] == t["callername"]);
  CHECK(d["cdr"]["called"] == t["called"]);
  CHECK(d["cdr"]["calldate"] == t["calldate"]);
  CHECK(d["cdr"]["lastSIPresponse"] == "200 OK");
  CHECK(d["cdr"]["a_ua"] == "voxmon-gen caller");
  CHECK(d["cdr"]["b_ua"] == "voxmon-gen callee");
  CHECK(d["cdr"]["whohanged"] == t["whohanged"]);
  CHECK(d["cdr"]["fbasename"] == t["callid"]);
  CHECK(d["cdr"]["a_received"] == t["a_received"]);
  CHECK(d["cdr"]["mos_min_mult10"] == std::llround(cdr["mos_min"].get<double>() * 10));
  CHECK(d["cdr"].size() > 90);  // every column of cdr
  REQUIRE(d["rtp"].size() == t["rtp"].size());
  for (size_t i = 0; i < t["rtp"].size(); ++i) {
    CHECK(d["rtp"][i]["saddr"] == t["rtp"][i]["saddr"]);
    CHECK(d["rtp"][i]["received"] == t["rtp"][i]["received"]);
    CHECK(d["rtp"][i]["loss"] == t["rtp"][i]["loss"]);
    CHECK(d["rtp"][i]["ssrc"] == t["rtp"][i]["ssrc"]);
  }
  CHECK(d["dtmf"].empty());
  CHECK(d["pcap"]["sip"] == true);
  CHECK(d["pcap"]["rtp"] == true);
  // The ladder: two hosts, the answered flow in order.
  auto l = c.get_json("/api/cdr/" + std::to_string(id) + "/ladder");
  const std::string caller_host = t["sipcallerip"].get<std::string>() + ":5060";
  const std::string callee_host = t["sipcalledip"].get<std::string>() + ":5060";
  CHECK(l["hosts"] == json::array({caller_host, callee_host}));
  const std::vector<std::string> labels = {"INVITE", "100 Trying", "180 Ringing", "200 OK", "ACK", "BYE", "200 OK"};
  REQUIRE(l["messages"].size() == labels.size());
  const bool caller_hangs = t["whohanged"] == "caller";
  const std::vector<int> from = {0, 1, 1, 1, 0, caller_hangs ? 0 : 1, caller_hangs ? 1 : 0};
  for (size_t i = 0; i < labels.size(); ++i) {
    INFO(i);
    CHECK(l["messages"][i]["label"] == labels[i]);
    CHECK(l["messages"][i]["from"] == from[i]);
    CHECK(l["messages"][i]["to"] == 1 - from[i]);
    CHECK(l["messages"][i]["transport"] == "UDP");
    if (i)
      CHECK(l["messages"][i]["rel"].get<double>() >= l["messages"][i - 1]["rel"].get<double>());
  }
  CHECK(l["messages"][0]["time"] == t["calldate"]);
  CHECK(l["messages"][0]["text"].get<std::string>().rfind("INVITE sip:", 0) == 0);
  CHECK(l["messages"][0]["text"].get<std::string>().find("Call-ID: " + t["callid"].get<std::string>()) != std::string::npos);
  CHECK(l["messages"][6]["cseq"].get<std::string>().find("BYE") != std::string::npos);
  // pcaps: SIP = the 7 messages, RTP = every RTP packet of the call, merged = both.
  size_t rtp_packets = 0;
  for (const auto& s : cdr["rtp"]) rtp_packets += s["received"].get<size_t>();
  auto sip = c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=sip");
  REQUIRE(sip.status == 200);
  CHECK(sip.header("content-type") == "application/vnd.tcpdump.pcap");
  CHECK(sip.header("content-disposition") == "attachment; filename=\"" + t["callid"].get<std::string>() + "-sip.pcap\"");
  CHECK(pcap_packets(sip.body) == 7);
  auto rtp = c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=rtp");
  CHECK(pcap_packets(rtp.body) == rtp_packets);
  auto merged = c.get("/api/cdr/" + std::to_string(id) + "/pcap");
  CHECK(pcap_packets(merged.body) == 7 + rtp_packets);
  std::ofstream(e.dir / "merged.pcap", std::ios::binary) << merged.body;
  CHECK(c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=audio").status == 400);
  CHECK(c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=sip&x=1").status == 400);
}

TEST_CASE("gui api per-10-s quality series of every call", "[gui][system]") {
  gui_env e("gui_series");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  CHECK(check_interval_series(c, e) > 20);
}

TEST_CASE("gui api ladder and pcap of unanswered calls and a missing spool", "[gui][system]") {
  gui_env e("gui_noanswer");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  for (const auto& t : e.truth) {
    const int code = t["lastSIPresponseNum"];
    if (code != 486 && code != 0)
      continue;
    const int64_t id = id_of_call(c, e, t["callid"]);
    auto l = c.get_json("/api/cdr/" + std::to_string(id) + "/ladder");
    std::vector<std::string> got;
    for (const auto& m : l["messages"]) got.push_back(m["label"]);
    if (code == 486)
      CHECK(got == std::vector<std::string>{"INVITE", "100 Trying", "486 Busy Here", "ACK"});
    else
      CHECK(got == std::vector<std::string>(7, "INVITE"));  // the INVITE and its 6 retransmissions
    auto rtp = c.get("/api/cdr/" + std::to_string(id) + "/pcap?part=rtp");
    CHECK(rtp.status == 404);
    CHECK(error_of(rtp).find("no RTP pcap of call " + std::to_string(id)) == 0);
    CHECK(c.get_json("/api/cdr/" + std::to_string(id))["pcap"]["rtp"] == false);
  }
  std::filesystem::remove_all(e.dir / "spool");
  const int64_t id = c.get_json("/api/cdrs?" + e.range() + "&per_page=1")["rows"][0]["id"];
  auto l = c.get("/api/cdr/" + std::to_string(id) + "/ladder");
  CHECK(l.status == 404);
  CHECK(error_of(l).find("no SIP pcap of call") == 0);
  CHECK(c.get("/api/cdr/" + std::to_string(id) + "/pcap").status == 404);
}

TEST_CASE("gui api dashboard and sensors", "[gui][system]") {
  gui_env e("gui_dashboard");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  auto d = c.get_json("/api/dashboard?" + e.range());
  const size_t answered = count_if_truth(e, [](const json& t) { return !t["connect_duration"].is_null(); });
  CHECK(d["summary"]["calls"] == 20);
  CHECK(d["summary"]["answered"] == answered);
  CHECK(d["summary"]["asr"].get<double>() == Approx(100.0 * answered / 20).margin(0.001));
  double acd = 0;
  for (const auto& cdr : e.cdrs)
    if (!cdr["connect_duration"].is_null()) acd += cdr["connect_duration"].get<double>();
  CHECK(d["summary"]["acd"].get<double>() == Approx(acd / answered).margin(0.001));
  CHECK(d["bucket_seconds"] == 60);
  int64_t calls = 0;
  for (const auto& b : d["per_bucket"]) calls += b["calls"].get<int64_t>();
  CHECK(calls == 20);
  int64_t with_mos = 0;
  for (const auto& b : d["mos_distribution"]) with_mos += b["calls"].get<int64_t>();
  const auto no_mos = std::count_if(e.cdrs.begin(), e.cdrs.end(), [](const json& c) { return c["mos_min"].is_null(); });
  CHECK(d["no_mos"] == no_mos);
  CHECK(with_mos + no_mos == 20);
  // The worst destination by MOS is the call with the lowest MOS.
  double lowest = 9;
  for (const auto& cdr : e.cdrs)
    if (!cdr["mos_min"].is_null()) lowest = std::min(lowest, cdr["mos_min"].get<double>());
  CHECK(d["worst_destinations_by_mos"][0]["mos_avg"].get<double>() == Approx(std::llround(lowest * 10) / 10.0));
  CHECK(d["worst_sensors_by_mos"].size() == 1);
  CHECK(d["worst_sensors_by_mos"][0]["key"] == 0);
  CHECK(d["worst_sensors_by_mos"][0]["calls"] == 20 - no_mos);
  auto empty = c.get_json("/api/dashboard?from=2001-01-01&to=2001-01-02");
  CHECK(empty["summary"]["calls"] == 0);
  CHECK(empty["summary"]["asr"].is_null());
  CHECK(c.get("/api/dashboard?from=soon").status == 400);
  CHECK(c.get("/api/dashboard?bogus=1").status == 400);
  auto s = c.get_json("/api/sensors");
  CHECK(s["sensors"].empty());
  CHECK(s["registry"] == false);
}

TEST_CASE("gui serves the embedded app and bounds requests", "[gui][system]") {
  gui_env e("gui_http");
  http_client h(e.port);
  auto r = h.request("GET", "/");
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.body.find("<script src=\"/app.js\"></script>") != std::string::npos);
  CHECK(r.header("content-security-policy").find("default-src 'self'") != std::string::npos);
  CHECK(r.header("x-frame-options") == "DENY");
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(h.connected());  // keep-alive: the same connection serves the next requests
  CHECK(h.request("GET", "/app.js").header("content-type") == "text/javascript; charset=utf-8");
  CHECK(h.request("GET", "/style.css").status == 200);
  CHECK(h.request("GET", "/fields.js").status == 200);
  CHECK(h.request("GET", "/../../etc/passwd").status == 404);
  CHECK(h.request("GET", "/nope.html").status == 404);
  CHECK(h.request("PUT", "/api/cdrs", "x").status == 405);
  CHECK(h.request("POST", "/").status == 405);
  // A body over 64 KB and headers over 16 KB are refused and the connection closed.
  r = h.request("POST", "/api/login", std::string(100 * 1024, 'x'), {{"Content-Type", "application/json"}});
  CHECK(r.status == 413);
  http_client big(e.port);
  CHECK(big.request("GET", "/", "", {{"X-Big", std::string(20 * 1024, 'y')}}).status == 413);
  http_client bad(e.port);
  CHECK(bad.raw("GARBAGE\r\n\r\n").status == 400);
  // The GUI stops on SIGTERM.
  e.gui->signal(SIGTERM);
  CHECK(e.gui->wait_for(std::chrono::seconds(10)) == 0);
  CHECK(e.gui->err().find("gui stopped") != std::string::npos);
}

TEST_CASE("gui refuses unusable settings with a clear message", "[gui][system]") {
  auto dir = temp_dir("gui_settings");
  auto r = run(VOXMON_BIN, {"--gui-bind", "127.0.0.1", "--gui-bind-port", std::to_string(free_port()), "--db", "none"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the web GUI needs a CDR store") != std::string::npos);
  write_text(dir / "tls.conf", "gui_bind = 127.0.0.1\ngui_tls_cert = cert.pem\ndb = sqlite:x.db\n");
  r = run(VOXMON_BIN, {"--config-file", "tls.conf"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("gui_tls_cert and gui_tls_key go together") != std::string::npos);
  write_text(dir / "tls2.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(free_port()) +
                                    "\ngui_tls_cert = missing.pem\ngui_tls_key = missing.key\ndb = sqlite:x.db\n");
  r = run(VOXMON_BIN, {"--config-file", "tls2.conf"}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("gui_tls_cert 'missing.pem'") != std::string::npos);
  r = run(VOXMON_BIN, {"--gui-bind", "gui.example.com"}, dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--gui-bind") != std::string::npos);
}

TEST_CASE("gui user command adds lists and deletes users", "[gui][system]") {
  auto dir = temp_dir("gui_user_cli");
  CHECK(add_user(dir, "sqlite:u.db", "alice", "admin", "alice-password") == 0);
  CHECK(add_user(dir, "sqlite:u.db", "alice", "admin", "alice-password") == 1);  // exists
  CHECK(add_user(dir, "sqlite:u.db", "bob", "viewer", "short") == 1);            // too short
  CHECK(add_user(dir, "sqlite:u.db", "bob", "superuser", "long-password") == 2);
  CHECK(add_user(dir, "sqlite:u.db", "bob smith", "viewer", "long-password") == 2);
  CHECK(add_user(dir, "sqlite:u.db", "bob", "viewer", "long-password") == 0);
  const std::string errors = read_file(dir / "user.err");
  CHECK(errors.find("user 'alice' already exists in sqlite:u.db") != std::string::npos);
  CHECK(errors.find("the password is too short") != std::string::npos);
  CHECK(errors.find("--role must be admin or viewer") != std::string::npos);
  auto list = run(VOXMON_BIN, {"--db", "sqlite:u.db", "user", "list"}, dir);
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("alice\tadmin\t") == 0);
  CHECK(list.out.find("\nbob\tviewer\t") != std::string::npos);
  CHECK(run(VOXMON_BIN, {"--db", "sqlite:u.db", "user", "del", "bob"}, dir).exit_code == 0);
  auto again = run(VOXMON_BIN, {"--db", "sqlite:u.db", "user", "del", "bob"}, dir);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("no user 'bob'") != std::string::npos);
  CHECK(run(VOXMON_BIN, {"--db", "sqlite:u.db", "user"}, dir).exit_code == 2);
  CHECK(run(VOXMON_BIN, {"--db", "sqlite:u.db", "user", "add", "carol"}, dir).exit_code == 2);  // no --role
  // The stored hash is PBKDF2-SHA256 with a random salt, never the password.
  auto dump = run("/usr/bin/sqlite3", {"u.db", "SELECT password_hash FROM voxmon_users WHERE name = 'alice'"}, dir);
  if (dump.exit_code == 0) {
    CHECK(dump.out.rfind("pbkdf2-sha256$310000$", 0) == 0);
    CHECK(dump.out.find("alice-password") == std::string::npos);
  }
}

TEST_CASE("gui over HTTPS sets Secure cookies and HSTS", "[gui][system]") {
  auto dir = temp_dir("gui_tls");
  if (run_shell("cd " + shell_quote(dir.string()) +
                " && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
                "-subj /CN=127.0.0.1 >openssl.log 2>&1") != 0) {
    WARN("skipped: the openssl command could not make a test certificate");
    return;
  }
  REQUIRE(add_user(dir, "sqlite:cdr.db", "admin", "admin", admin_password) == 0);
  const uint16_t port = free_port();
  write_text(dir / "tls.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(port) +
                                   "\ngui_tls_cert = cert.pem\ngui_tls_key = key.pem\ndb = sqlite:cdr.db\n");
  background_process gui(VOXMON_BIN, {"--config-file", "tls.conf"}, dir, "gui");
  REQUIRE(gui.wait_for_stderr("gui listening on https://127.0.0.1:" + std::to_string(port), std::chrono::seconds(20)));
  auto r = https_request(port, "POST", "/api/login", json{{"name", "admin"}, {"password", admin_password}}.dump(),
                         {{"Content-Type", "application/json"}});
  REQUIRE(r.status == 200);
  const std::string set = r.header("set-cookie");
  CHECK(set.find("; Secure") != std::string::npos);
  CHECK(set.find("; HttpOnly") != std::string::npos);
  CHECK(r.header("strict-transport-security") == "max-age=31536000");
  const std::string cookie = set.substr(0, set.find(';'));
  auto me = https_request(port, "GET", "/api/me", "", {{"Cookie", cookie}});
  CHECK(me.status == 200);
  CHECK(json::parse(me.body)["name"] == "admin");
  // Plain HTTP on the TLS port gets no HTTP answer.
  http_client plain(port);
  CHECK(plain.request("GET", "/api/me").status == 0);
  gui.signal(SIGTERM);
  CHECK(gui.wait_for(std::chrono::seconds(10)) == 0);
}
