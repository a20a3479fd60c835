// The web GUI's CDR filter: parameter validation, and the SQL it runs (here on a real SQLite
// store with hand-written rows, hostile values included).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "core/text.hpp"
#include "gui/cdr_list.hpp"
#include "gui/cdr_query.hpp"
#include "gui/gui_db.hpp"
#include "gui/number_index.hpp"
#include "gui/number_search.hpp"
#include "gui/user_store.hpp"
#include "gui/password.hpp"

using namespace voxmon::gui;

namespace {

const int64_t now = *parse_utc_time("2026-03-01 12:00:00");

std::optional<std::string> parse(const query_params& q, cdr_filter& f) { return parse_cdr_filter(q, now, f); }

// The first query of a list page (the part with a MOS when the page is read in parts).
sql_query first_query(const cdr_filter& f, const db_features& db, uint64_t offset, uint32_t limit) {
  return cdr_list_query(f, db, offset, limit, cdr_list_in_parts(f, db) ? list_part::with_mos : list_part::whole);
}

std::string error_of(const query_params& q) {
  cdr_filter f;
  auto e = parse(q, f);
  return e ? *e : std::string("(accepted)");
}

}  // namespace

TEST_CASE("gui times parse as UTC in the accepted forms", "[gui]") {
  CHECK(parse_utc_time("2026-01-31") == int64_t{1769817600} * 1000);
  CHECK(parse_utc_time("2026-01-31 13:45") == int64_t{1769817600 + 13 * 3600 + 45 * 60} * 1000);
  CHECK(parse_utc_time("2026-01-31T13:45:07") == int64_t{1769817600 + 13 * 3600 + 45 * 60 + 7} * 1000);
  CHECK(parse_utc_time("2026-01-31 13:45:07.5Z") == int64_t{1769817600 + 13 * 3600 + 45 * 60 + 7} * 1000 + 500);
  CHECK(format_utc_ms(*parse_utc_time("2026-01-31 13:45:07.123")) == "2026-01-31 13:45:07.123");
  for (const char* bad : {"", "2026", "2026-02-30", "2026-13-01", "2026-01-31 24:00", "2026-01-31 13:45:07.1234",
                          "1969-12-31", "2026-01-31 13:45:07.", "2026/01/31", "2026-01-31 13:45:61",
                          "2026-01-31' OR '1'='1", "-1"})
    CHECK_FALSE(parse_utc_time(bad));
}

TEST_CASE("gui time range defaults, order and cap", "[gui]") {
  time_range r;
  REQUIRE_FALSE(parse_time_range({}, now, r));
  CHECK(r.to_ms == now + 86400000);
  CHECK(r.to_ms - r.from_ms == max_range_ms);
  CHECK_FALSE(r.capped);
  REQUIRE_FALSE(parse_time_range({{"from", "1970-01-01"}, {"to", "2100-01-01"}}, now, r));
  CHECK(r.capped);
  CHECK(r.to_ms == *parse_utc_time("2100-01-01"));
  CHECK(r.to_ms - r.from_ms == max_range_ms);
  CHECK(parse_time_range({{"from", "2026-01-02"}, {"to", "2026-01-01"}}, now, r));
  CHECK(parse_time_range({{"from", "2026-01-01"}, {"to", "2026-01-01"}}, now, r));
  CHECK(*parse_time_range({{"from", "yesterday"}}, now, r) ==
        "parameter 'from': expected a UTC time like 2026-01-31 or 2026-01-31 13:45:00, got 'yesterday'");
}

TEST_CASE("gui CDR filter accepts every documented parameter", "[gui]") {
  cdr_filter f;
  REQUIRE_FALSE(parse({{"from", "2026-01-01"}, {"to", "2026-01-02"}, {"caller", "100"}, {"called", "200"},
                       {"match", "suffix"}, {"ip", "2001:DB8::1"}, {"sensor", "7"}, {"response", "4xx"},
                       {"whohanged", "callee"}, {"mos_below", "3.6"}, {"loss_above", "2.5"},
                       {"min_duration", "1.5"}, {"max_duration", "60"}, {"sort", "loss"}, {"dir", "asc"},
                       {"page", "3"}, {"per_page", "500"}},
                      f));
  CHECK(f.match == text_match::suffix);
  CHECK(f.ip->text == "2001:db8::1");
  CHECK(f.ip->v6);
  CHECK(f.sensor == 7);
  CHECK(f.response == std::pair{400, 499});
  CHECK(f.whohanged == 1);
  CHECK(f.mos_below_x10 == 36);
  CHECK(f.loss_above_x1000 == 2500);
  CHECK(f.min_duration == 1.5);
  CHECK(f.sort == sort_key::loss);
  CHECK_FALSE(f.descending);
  CHECK(f.page == 3);
  CHECK(f.per_page == 500);
  // Empty values are absent (the GUI's form sends them).
  REQUIRE_FALSE(parse({{"caller", ""}, {"ip", ""}, {"sort", ""}}, f));
  CHECK(f.caller.empty());
  CHECK_FALSE(f.ip);
}

TEST_CASE("gui CDR filter refuses bad parameters with a message", "[gui]") {
  CHECK(error_of({{"bogus", "1"}}) == "unknown parameter 'bogus'");
  CHECK(error_of({{"match", "regex"}}).find("parameter 'match'") == 0);
  CHECK(error_of({{"ip", "10.0.0.256"}}).find("parameter 'ip'") == 0);
  CHECK(error_of({{"ip", "1.2.3.4' OR 1=1 --"}}).find("parameter 'ip'") == 0);
  CHECK(error_of({{"sensor", "-1"}}).find("parameter 'sensor'") == 0);
  CHECK(error_of({{"sensor", "1;DROP TABLE cdr"}}).find("parameter 'sensor'") == 0);
  CHECK(error_of({{"response", "99"}}).find("parameter 'response'") == 0);
  CHECK(error_of({{"response", "7xx"}}).find("parameter 'response'") == 0);
  CHECK(error_of({{"whohanged", "both"}}).find("parameter 'whohanged'") == 0);
  CHECK(error_of({{"mos_below", "5.5"}}).find("parameter 'mos_below'") == 0);
  CHECK(error_of({{"mos_below", "1e1"}}).find("parameter 'mos_below'") == 0);
  CHECK(error_of({{"loss_above", "101"}}).find("parameter 'loss_above'") == 0);
  CHECK(error_of({{"min_duration", "-3"}}).find("parameter 'min_duration'") == 0);
  CHECK(error_of({{"min_duration", "10"}, {"max_duration", "5"}}) == "parameter 'min_duration' is larger than 'max_duration'");
  CHECK(error_of({{"sort", "calldate; DROP TABLE cdr"}}).find("parameter 'sort'") == 0);
  CHECK(error_of({{"dir", "up"}}).find("parameter 'dir'") == 0);
  CHECK(error_of({{"per_page", "501"}}).find("parameter 'per_page'") == 0);
  CHECK(error_of({{"per_page", "0"}}).find("parameter 'per_page'") == 0);
  CHECK(error_of({{"page", "0"}}).find("parameter 'page'") == 0);
  CHECK(error_of({{"page", "99999999999999999999"}}).find("parameter 'page'") == 0);
  CHECK(error_of({{"page", "100000"}, {"per_page", "500"}}).find("narrow the filter") != std::string::npos);
  CHECK(error_of({{"caller", std::string(256, '1')}}).find("too long") != std::string::npos);
  CHECK(error_of({{"caller", std::string("1\n2")}}).find("control character") != std::string::npos);
}

TEST_CASE("gui CDR SQL binds every value and whitelists sort columns", "[gui]") {
  cdr_filter f;
  REQUIRE_FALSE(parse({{"caller", "'; DROP TABLE cdr; --"}, {"called", "%_"}, {"match", "contains"},
                       {"sort", "mos"}, {"dir", "asc"}},
                      f));
  for (auto dialect : {sql_dialect::sqlite, sql_dialect::mysql}) {
    db_features db;
    db.dialect = dialect;
    const auto q = cdr_list_query(f, db, 50, 25);
    CHECK(q.sql.find("DROP") == std::string::npos);
    CHECK(q.sql.find("%_") == std::string::npos);
    CHECK(q.sql.find("ORDER BY (c.mos_min_mult10 IS NULL) ASC, c.mos_min_mult10 ASC, c.ID ASC LIMIT ? OFFSET ?") !=
          std::string::npos);
    size_t marks = 0;
    for (char c : q.sql)
      marks += c == '?';
    CHECK(marks == q.params.size());
    CHECK(q.params.back().i == 50);
    CHECK(q.params[q.params.size() - 2].i == 25);
  }
}

TEST_CASE("gui prefix search is an index range on SQLite and a LIKE prefix on MySQL", "[gui]") {
  cdr_filter f;
  REQUIRE_FALSE(parse({{"called", "12%"}}, f));
  db_features lite;
  auto q = cdr_where(f, lite);
  CHECK(q.sql.find("c.called >= ? AND c.called < ?") != std::string::npos);
  CHECK(q.params[2].s == "12%");
  CHECK(q.params[3].s == "12&");
  db_features my;
  my.dialect = sql_dialect::mysql;
  q = cdr_where(f, my);
  CHECK(q.sql.find("c.called LIKE ?") != std::string::npos);
  CHECK(q.params[2].s == "12\\%%");  // the user's % is a literal
  REQUIRE_FALSE(parse({{"called", "4321"}, {"match", "suffix"}}, f));
  my.reverse_columns = true;
  q = cdr_where(f, my);
  CHECK(q.sql.find("c.called_reverse LIKE ?") != std::string::npos);
  CHECK(q.params[2].s == "1234%");
}

TEST_CASE("gui MySQL address filters follow the column type", "[gui]") {
  cdr_filter f;
  REQUIRE_FALSE(parse({{"ip", "10.1.0.2"}}, f));
  db_features my;
  my.dialect = sql_dialect::mysql;
  auto q = cdr_where(f, my);
  CHECK(q.params[2].k == sql_param::kind::integer);
  CHECK(q.params[2].i == (10LL << 24 | 1 << 16 | 2));
  my.ip_binary = true;
  q = cdr_where(f, my);
  CHECK(q.params[2].s == std::string("\x0a\x01\x00\x02", 4));
  REQUIRE_FALSE(parse({{"ip", "2001:db8::1"}}, f));
  my.ip_binary = false;
  CHECK(cdr_where(f, my).sql.find("1 = 0") != std::string::npos);
}

TEST_CASE("gui CSV fields are quoted and formula-safe", "[gui]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_field("+15551234") == "+15551234");  // a phone number stays as it is
  CHECK(csv_field("-cmd") == "'-cmd");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
}

namespace {

// An empty SQLite store in a fresh directory, prepared as the GUI prepares one.
std::unique_ptr<gui_db> fresh_store(const std::filesystem::path& dir, db_features& f) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  db_target t;
  t.sqlite_path = (dir / "cdr.db").string();
  REQUIRE(prepare_store(t, f).empty());
  std::string error;
  auto db = open_db(t, f, error);
  REQUIRE(db);
  return db;
}

// A store with three calls: 1 (caller 100200, called 5551234, answered, MOS 4.1), 2 (caller
// "'; DROP TABLE cdr; --", called 5559999, busy) and 3 (caller 100%_x, called 6661234, MOS 2.5).
std::unique_ptr<gui_db> sample_store(const std::filesystem::path& dir) {
  db_features f;
  auto db = fresh_store(dir, f);
  auto add = [&](int id, const char* date, const char* caller, const char* called, int code, int whohanged,
                 std::optional<int> mos, std::optional<int> loss, double duration) {
    db->execute({"INSERT INTO cdr (ID, calldate, callend, duration, caller, called, sipcallerip, sipcalledip, "
                 "lastSIPresponseNum, whohanged, id_sensor, mos_min_mult10, a_packet_loss_perc_mult1000, "
                 "caller_reverse, called_reverse) "
                 "VALUES (?, ?, ?, ?, ?, ?, '10.0.0.1', ?, ?, ?, 3, ?, ?, ?, ?)",
                 {sql_param::integer(id), sql_param::text(date), sql_param::text(date), sql_param::real(duration),
                  sql_param::text(caller), sql_param::text(called), sql_param::text("10.0.0." + std::to_string(id + 1)),
                  sql_param::integer(code), whohanged < 0 ? sql_param{} : sql_param::integer(whohanged),
                  mos ? sql_param::integer(*mos) : sql_param{}, loss ? sql_param::integer(*loss) : sql_param{},
                  sql_param::text(voxmon::core::text::utf8_reverse(caller)),
                  sql_param::text(voxmon::core::text::utf8_reverse(called))}});
  };
  add(1, "2026-02-01 10:00:00.000", "100200", "5551234", 200, 0, 41, 500, 30);
  add(2, "2026-02-01 11:00:00.000", "'; DROP TABLE cdr; --", "5559999", 486, -1, std::nullopt, std::nullopt, 2);
  add(3, "2026-02-02 09:00:00.000", "100%_x", "6661234", 200, 1, 25, 7000, 60);
  return db;
}

std::vector<int64_t> ids(gui_db& db, const query_params& q) {
  cdr_filter f;
  auto e = parse_cdr_filter(q, now, f);
  INFO(e.value_or(""));
  REQUIRE_FALSE(e);
  std::vector<int64_t> out;
  for (const auto& r : cdr_list_rows(db, f, db.features(), (f.page - 1) * f.per_page, f.per_page).rows)
    out.push_back(*r[0].as_int());
  auto n = db.query(cdr_count_query(f, db.features()));
  CHECK(*n.rows[0][0].as_int() == static_cast<int64_t>(out.size()) + (f.page - 1) * f.per_page);
  return out;
}

}  // namespace

TEST_CASE("gui CDR filters select the right calls on SQLite", "[gui]") {
  auto db = sample_store(std::filesystem::path(VOXMON_TEST_TMP) / "gui_query");
  using v = std::vector<int64_t>;
  CHECK(ids(*db, {}) == v{3, 2, 1});
  CHECK(ids(*db, {{"dir", "asc"}}) == v{1, 2, 3});
  CHECK(ids(*db, {{"from", "2026-02-01 10:30"}, {"to", "2026-02-02"}}) == v{2});
  CHECK(ids(*db, {{"caller", "100"}}) == v{3, 1});
  CHECK(ids(*db, {{"caller", "100%"}}) == v{3});           // % is a character, not a wildcard
  CHECK(ids(*db, {{"caller", "%"}, {"match", "contains"}}) == v{3});
  CHECK(ids(*db, {{"caller", "_"}, {"match", "contains"}}) == v{3});
  CHECK(ids(*db, {{"caller", "'; DROP TABLE cdr; --"}, {"match", "exact"}}) == v{2});
  CHECK(ids(*db, {{"called", "1234"}, {"match", "suffix"}}) == v{3, 1});
  CHECK(ids(*db, {{"called", "555"}, {"match", "prefix"}}) == v{2, 1});
  CHECK(ids(*db, {{"called", "5559999"}, {"match", "exact"}}) == v{2});
  CHECK(ids(*db, {{"called", "59"}, {"match", "contains"}}) == v{2});
  CHECK(ids(*db, {{"ip", "10.0.0.3"}}) == v{2});
  CHECK(ids(*db, {{"ip", "10.0.0.1"}}) == v{3, 2, 1});
  CHECK(ids(*db, {{"sensor", "3"}}).size() == 3);
  CHECK(ids(*db, {{"sensor", "4"}}).empty());
  CHECK(ids(*db, {{"response", "4xx"}}) == v{2});
  CHECK(ids(*db, {{"response", "200"}}) == v{3, 1});
  CHECK(ids(*db, {{"whohanged", "caller"}}) == v{1});
  CHECK(ids(*db, {{"whohanged", "none"}}) == v{2});
  CHECK(ids(*db, {{"mos_below", "3"}}) == v{3});
  CHECK(ids(*db, {{"loss_above", "1"}}) == v{3});
  CHECK(ids(*db, {{"min_duration", "30"}}) == v{3, 1});
  CHECK(ids(*db, {{"max_duration", "29.9"}}) == v{2});
  CHECK(ids(*db, {{"sort", "mos"}, {"dir", "asc"}}) == v{3, 1, 2});  // no MOS last
  CHECK(ids(*db, {{"sort", "mos"}, {"dir", "desc"}}) == v{1, 3, 2});
  CHECK(ids(*db, {{"sort", "loss"}}) == v{3, 1, 2});
  CHECK(ids(*db, {{"sort", "duration"}, {"dir", "asc"}}) == v{2, 1, 3});
  CHECK(ids(*db, {{"sort", "caller"}, {"dir", "asc"}}) == v{2, 3, 1});  // byte order: "'" < "100%" < "1002"
  CHECK(ids(*db, {{"per_page", "2"}, {"page", "2"}}) == v{1});
  // The table survived the hostile values.
  CHECK(db->query({"SELECT COUNT(*) FROM cdr", {}}).rows[0][0].i == 3);
}

TEST_CASE("gui users live in voxmon_users", "[gui]") {
  auto db = sample_store(std::filesystem::path(VOXMON_TEST_TMP) / "gui_users");
  CHECK(add_user(*db, "alice", user_role::admin, "h1", now));
  CHECK_FALSE(add_user(*db, "alice", user_role::viewer, "h2", now));
  CHECK(add_user(*db, "bob", user_role::viewer, "h3", now));
  auto u = find_user(*db, "alice");
  REQUIRE(u);
  CHECK(u->role == user_role::admin);
  CHECK(u->password_hash == "h1");
  CHECK(u->created == "2026-03-01 12:00:00");
  CHECK(count_admins(*db) == 1);
  CHECK(list_users(*db).size() == 2);
  CHECK_FALSE(find_user(*db, "alice' OR '1'='1"));
  CHECK(delete_user(*db, "bob"));
  CHECK_FALSE(delete_user(*db, "bob"));
  CHECK(list_users(*db).size() == 1);
}

TEST_CASE("gui list plans on the GUI's SQLite indexes give the same pages as the plain SQL", "[gui]") {
  // 600 calls with many ties (calldate, MOS, loss, duration, numbers), a third without MOS and
  // loss: every sort, direction and filter kind, several pages, once with the plans that steer
  // SQLite onto the cdr_gui_* indexes and once with the plain SQL (gui_indexes off).
  db_features f;
  auto db = fresh_store(std::filesystem::path(VOXMON_TEST_TMP) / "gui_query_plans", f);
  REQUIRE(f.gui_indexes);
  db->execute({"BEGIN", {}});
  for (int i = 1; i <= 600; ++i) {
    const uint32_t h = static_cast<uint32_t>(i) * 2654435761u;
    char date[32];
    std::snprintf(date, sizeof date, "2026-02-%02d %02d:%02d:00.000", 1 + (h >> 8) % 10, (h >> 12) % 24, (h >> 4) % 3 * 20);
    const bool rtp = (h >> 20) % 3 != 0;
    db->execute({"INSERT INTO cdr (ID, calldate, callend, duration, caller, called, sipcallerip, sipcalledip, "
                 "lastSIPresponseNum, id_sensor, mos_min_mult10, a_packet_loss_perc_mult1000, b_packet_loss_perc_mult1000, "
                 "caller_reverse, called_reverse) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, '10.9.0.1', ?, 1, ?, ?, ?, ?, ?)",
                 {sql_param::integer(i), sql_param::text(date), sql_param::text(date),
                  sql_param::real(static_cast<double>((h >> 9) % 12)),
                  sql_param::text("12" + std::to_string(3400 + (h >> 11) % 40)),
                  sql_param::text(std::to_string(500 + (h >> 13) % 9) + "77" + std::to_string((h >> 7) % 5)),
                  sql_param::text("10.8.0." + std::to_string((h >> 5) % 6)), sql_param::integer(rtp ? 200 : 486),
                  rtp ? sql_param::integer(10 + (h >> 16) % 8 * 5) : sql_param{},
                  rtp ? sql_param::integer((h >> 17) % 5 * 1000) : sql_param{},
                  rtp && (h >> 3) % 2 ? sql_param::integer((h >> 18) % 4 * 1500) : sql_param{},
                  sql_param::text(voxmon::core::text::utf8_reverse("12" + std::to_string(3400 + (h >> 11) % 40))),
                  sql_param::text(voxmon::core::text::utf8_reverse(std::to_string(500 + (h >> 13) % 9) + "77" +
                                                                   std::to_string((h >> 7) % 5)))}});
  }
  db->execute({"COMMIT", {}});
  db_features plain = f;
  plain.gui_indexes = false;
  auto page = [&](const cdr_filter& flt, const db_features& feats) {
    std::vector<int64_t> out;
    for (const auto& r : cdr_list_rows(*db, flt, feats, (flt.page - 1) * flt.per_page, flt.per_page).rows)
      out.push_back(*r[0].as_int());
    out.push_back(-*db->query(cdr_count_query(flt, feats)).rows[0][0].as_int());
    return out;
  };
  const std::vector<query_params> filters = {
      {},
      {{"from", "2026-02-03"}, {"to", "2026-02-05 12:00"}},
      {{"caller", "1234"}},
      {{"caller", "123412"}},
      {{"called", "7"}, {"match", "suffix"}},
      {{"called", "5772"}, {"match", "suffix"}},
      {{"called", "774"}, {"match", "contains"}},
      {{"called", "505772"}, {"match", "exact"}},
      {{"ip", "10.8.0.3"}},
      {{"response", "200"}},
      {{"mos_below", "3"}},
      {{"loss_above", "2"}},
      {{"callid", "nothing"}},
  };
  size_t compared = 0;
  for (auto base : filters) {
    for (const char* sort : {"calldate", "duration", "mos", "loss", "caller", "called"}) {
      for (const char* d : {"asc", "desc"}) {
        for (const char* pg : {"1", "2", "9"}) {
          auto q = base;
          q["sort"] = sort;
          q["dir"] = d;
          q["per_page"] = "13";
          q["page"] = pg;
          if (!q.count("from")) {
            q["from"] = "2026-01-01";
            q["to"] = "2026-03-01";
          }
          cdr_filter flt;
          REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
          INFO("sort=" << sort << " dir=" << d << " page=" << pg << " filter " << first_query(flt, f, 0, 1).sql);
          CHECK(page(flt, f) == page(flt, plain));
          ++compared;
        }
      }
    }
  }
  CHECK(compared == filters.size() * 36);
  // MOS ascending in parts: every page, including the one where the calls with a MOS end and
  // those after it (the part with a MOS is then counted), equals the one-query order.
  for (const auto& base : filters) {
    size_t rows = 0;
    for (int pg = 1;; ++pg) {
      auto q = base;
      q["sort"] = "mos";
      q["dir"] = "asc";
      q["per_page"] = "7";
      q["page"] = std::to_string(pg);
      if (!q.count("from")) {
        q["from"] = "2026-01-01";
        q["to"] = "2026-03-01";
      }
      cdr_filter flt;
      REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
      if (base.empty() || base.count("response") || base.count("mos_below"))
        REQUIRE(cdr_list_in_parts(flt, f));
      const auto in_parts = page(flt, f);
      INFO("page " << pg << " of " << first_query(flt, f, 0, 1).sql);
      REQUIRE(in_parts == page(flt, plain));
      if (in_parts.size() == 1)
        break;
      rows += in_parts.size() - 1;
    }
    CHECK(rows == static_cast<size_t>(-page([&] {
      cdr_filter flt;
      auto q = base;
      if (!q.count("from")) {
        q["from"] = "2026-01-01";
        q["to"] = "2026-03-01";
      }
      REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
      return flt;
    }(), f).back()));
  }
  // Number searches with many matches (the count over count_limit) walk the sort's index and
  // check the numbers on each row: the same pages as the plain SQL.
  for (const query_params& base : std::vector<query_params>{{{"caller", "1234"}},
                                                            {{"called", "7"}, {"match", "suffix"}},
                                                            {{"called", "774"}, {"match", "contains"}}}) {
    for (const char* sort : {"duration", "mos", "loss", "caller", "called"}) {
      for (const char* d : {"asc", "desc"}) {
        for (const char* pg : {"1", "3"}) {
          auto q = base;
          q["sort"] = sort;
          q["dir"] = d;
          q["per_page"] = "11";
          q["page"] = pg;
          q["from"] = "2026-01-01";
          q["to"] = "2026-03-01";
          cdr_filter flt;
          REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
          REQUIRE(cdr_count_decides_plan(flt, f));
          flt.many_matches = true;
          INFO("sort=" << sort << " dir=" << d << " page=" << pg << " " << first_query(flt, f, 0, 1).sql);
          CHECK(first_query(flt, f, 0, 1).sql.find("INDEXED BY cdr_gui_") != std::string::npos);
          CHECK(page(flt, f) == page(flt, plain));
        }
      }
    }
  }
  CHECK_THROWS_AS(cdr_list_query([] {
    cdr_filter flt;
    flt.sort = sort_key::mos;
    flt.descending = false;
    return flt;
  }(), f, 0, 10), std::logic_error);
  // And the plans do use those indexes.
  auto plan_of = [&](const query_params& q) {
    cdr_filter flt;
    REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
    auto sq = first_query(flt, f, 0, 50);
    sq.sql = "EXPLAIN QUERY PLAN " + sq.sql;
    std::string out;
    for (const auto& r : db->query(sq).rows)
      out += r.back().as_text() + "\n";
    return out;
  };
  CHECK(plan_of({{"sort", "mos"}}).find("cdr_gui_mos") != std::string::npos);
  CHECK(plan_of({{"sort", "mos"}, {"dir", "asc"}}).find("cdr_gui_mos") != std::string::npos);
  CHECK(plan_of({{"sort", "loss"}}).find("cdr_gui_loss") != std::string::npos);
  CHECK(plan_of({{"sort", "duration"}}).find("cdr_gui_duration") != std::string::npos);
  CHECK(plan_of({{"called", "12"}, {"match", "suffix"}}).find("cdr_gui_calldate_numbers") != std::string::npos);
  CHECK(plan_of({{"called", "5772"}, {"match", "suffix"}}).find("cdr_gui_called_reverse") != std::string::npos);
  CHECK(plan_of({{"called", "5057721"}}).find("cdr_gui_called") != std::string::npos);
  for (const char* sort : {"mos", "duration"}) {
    cdr_filter many;
    REQUIRE_FALSE(parse_cdr_filter({{"called", "5"}, {"sort", sort}, {"dir", "asc"}}, now, many));
    many.many_matches = true;
    auto sq = first_query(many, f, 0, 50);
    sq.sql = "EXPLAIN QUERY PLAN " + sq.sql;
    std::string plan;
    for (const auto& r : db->query(sq).rows)
      plan += r.back().as_text() + "\n";
    INFO(plan);
    CHECK(plan.find(std::string("cdr_gui_") + sort) != std::string::npos);
    if (std::string(sort) == "duration")
      CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort of the matches
  }
}

TEST_CASE("gui number index: contains searches find what the SQL scan finds", "[gui]") {
  number_index idx(4);
  idx.add(10, 1000, "4420123", "555");
  idx.add(12, 3000, "4420999", "556");
  idx.add(11, 2000, "9912300", "557");  // late, in place
  idx.add(11, 2000, "9912300", "557");  // once
  CHECK(idx.search(0, 5000, "123", "", 10) == std::vector<int64_t>{10, 11});
  CHECK(idx.search(0, 2000, "123", "", 10) == std::vector<int64_t>{10});
  CHECK(idx.search(0, 5000, "4420", "56", 10) == std::vector<int64_t>{12});
  CHECK(idx.search(0, 5000, "", "55", 1) == std::vector<int64_t>{10});
  CHECK(idx.covers(0));
  for (int64_t id = 13; id <= 20; ++id)
    idx.add(id, id * 1000, "1", "2");
  CHECK(idx.size() <= 4);
  CHECK(idx.max_id() == 20);
  CHECK_FALSE(idx.covers(1000));  // dropped calls started up to here
  CHECK(idx.covers(100000));

  db_features f;
  auto db = fresh_store(std::filesystem::path(VOXMON_TEST_TMP) / "gui_number_index", f);
  auto insert = [&](int64_t id, int minute, const std::string& caller, const std::string& called, int code) {
    char date[32];
    std::snprintf(date, sizeof date, "2026-02-01 %02d:%02d:00.000", minute / 60, minute % 60);
    db->execute({"INSERT INTO cdr (ID, calldate, callend, duration, caller, called, lastSIPresponseNum, "
                 "caller_reverse, called_reverse) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                 {sql_param::integer(id), sql_param::text(date), sql_param::text(date), sql_param::text(caller),
                  sql_param::text(called), sql_param::integer(code),
                  sql_param::text(voxmon::core::text::utf8_reverse(caller)),
                  sql_param::text(voxmon::core::text::utf8_reverse(called))}});
  };
  for (int64_t i = 1; i <= 300; ++i)
    insert(i * 2, static_cast<int>(i * 3 % 1400), "49" + std::to_string(1000 + i * 37 % 997), "33" + std::to_string(i % 50),
           i % 4 ? 200 : 486);
  number_search::options o;
  o.reread = std::chrono::seconds(3600);  // every search re-reads what came in since the load
  o.refresh_every = std::chrono::milliseconds(0);
  o.max_candidates = 40;
  number_search numbers(o);
  o.max_calls = 100;  // the newest 100 calls: older ranges scan in SQL
  number_search newest(o);
  auto both = [&](const query_params& extra) {
    query_params q = extra;
    q["from"] = q.count("from") ? q["from"] : "2026-02-01";
    q["to"] = q.count("to") ? q["to"] : "2026-02-02";
    q["match"] = "contains";
    q["per_page"] = "7";
    cdr_filter flt;
    REQUIRE_FALSE(parse_cdr_filter(q, now, flt));
    auto ids = [](const cdr_page& p) {
      std::vector<int64_t> out;
      for (const auto& r : p.rows.rows)
        out.push_back(*r[0].as_int());
      out.push_back(-p.total);
      return out;
    };
    const auto plain = ids(cdr_list_page(*db, flt, f, 0, 7));
    const auto indexed = ids(cdr_list_page(*db, flt, f, 0, 7, &numbers));
    const auto partly = ids(cdr_list_page(*db, flt, f, 0, 7, &newest));
    INFO(q.at("from") << " caller=" << (q.count("caller") ? q.at("caller") : "") << " called="
                      << (q.count("called") ? q.at("called") : ""));
    CHECK(indexed == plain);
    CHECK(partly == plain);
    return plain;
  };
  for (const char* sub : {"12", "103", "49", "999999", "4910"})
    both({{"caller", sub}});
  both({{"called", "34"}});
  both({{"caller", "1"}, {"called", "3"}, {"response", "486"}});
  both({{"caller", "10"}, {"from", "2026-02-01 05:00"}, {"to", "2026-02-01 09:00"}});
  both({{"caller", "10"}, {"from", "2026-02-01 23:00"}});  // only the newest calls
  CHECK(both({{"caller", "999999"}}) == std::vector<int64_t>{0});
  // A call committed after the index was read, with an id below the highest one read (another
  // writer connection's transaction): found at the next search.
  insert(1, 10, "49777777", "3399", 200);
  CHECK(both({{"caller", "777777"}}) == std::vector<int64_t>{1, -1});
}
