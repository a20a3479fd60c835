// store/sqlite_sink: schema, exact column values, lookup dedup, reopen-and-append, errors.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite_schema.hpp"
#include "store/sqlite_sink.hpp"

using namespace voxmon;
using core::party;

namespace {

namespace fs = std::filesystem;
constexpr core::timestamp_ns t0 = 1'700'000'000'123'456'789;  // 2023-11-14 22:13:20.123
constexpr core::timestamp_ns ms = 1'000'000;

std::string fresh_db(const std::string& name) {
  const fs::path dir = VOXMON_TEST_TMP;
  fs::create_directories(dir);
  const fs::path p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(p.string() + suffix);
  return p.string();
}

core::endpoint ep(const char* ip, uint16_t port) {
  return core::endpoint{*core::ip_address::parse(ip), port};
}

core::cdr_rtp_stream stream(core::endpoint src, core::endpoint dst, uint32_t ssrc, int payload,
                            uint64_t received, int64_t lost, double avg, double max,
                            core::timestamp_ns first, std::optional<party> sender) {
  core::cdr_rtp_stream s;
  s.src = src;
  s.dst = dst;
  s.ssrc = ssrc;
  s.payload = payload;
  s.received = received;
  s.lost = lost;
  s.avgjitter_ms = avg;
  s.maxjitter_ms = max;
  s.first_ts = first;
  s.last_ts = first + 1000 * ms;
  s.sender = sender;
  return s;
}

core::cdr answered() {
  core::cdr c;
  c.callid = "call-1@host";
  c.id_sensor = 7;
  c.calldate = t0;
  c.callend = t0 + 65'432'100'000;
  c.connect_time = t0 + 2'500'500'000;
  c.progress_time = t0 + 1'500'000;
  c.first_rtp_time = t0 + 2'600 * ms;
  c.caller = "1001";
  c.callername = "Alice";
  c.caller_domain = "example.com";
  c.called = "1002";
  c.called_domain = "example.org";
  c.sipcaller = ep("10.0.0.1", 5060);
  c.sipcalled = ep("10.0.0.2", 5062);
  c.last_sip_response_num = 200;
  c.last_sip_response = "200 OK";
  c.bye = core::bye_code::bye_confirmed;
  c.whohanged = party::callee;
  c.a_ua = "SameUA/1.0";
  c.b_ua = "SameUA/1.0";  // the same UA on both sides: one cdr_ua row
  c.vlan = 100;
  c.rtp.push_back(stream(ep("10.0.0.1", 40000), ep("10.0.0.2", 50000), 0x11223344, 8, 3270, 2,
                         1.23456, 5.5, t0 + 2'600 * ms, party::caller));
  c.rtp.push_back(stream(ep("10.0.0.2", 50000), ep("10.0.0.1", 40000), 4'000'000'000u, 0, 3265,
                         0, 0.25, 2.25, t0 + 2'700 * ms, party::callee));
  return c;
}

core::cdr unanswered() {
  core::cdr c;
  c.callid = "call-2@host";
  c.calldate = t0 + 10 * ms;
  c.callend = c.calldate + 30 * core::ns_per_second;
  c.caller = "1003";
  c.called = "1004";
  c.sipcaller = ep("2001:db8::1", 5060);
  c.sipcalled = ep("2001:db8::2", 5080);
  c.last_sip_response_num = 487;
  c.last_sip_response = "487 Request Terminated";
  return c;
}

// Rows of a query, columns joined by '|', NULL as "NULL".
std::vector<std::string> query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      if (i > 0)
        row += '|';
      const auto* text = sqlite3_column_text(st, i);
      row += text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

}  // namespace

// The schema 2 quality columns of one direction (sqlite_quality_columns order): 6 MOS, sl1..10,
// d50..d300, packet_loss_perc_mult1000, 5 RTCP. Without quality data: MOS and RTCP NULL, counts
// 0 when the direction has a stream, all NULL when it has none.
std::string quality_suffix(bool stream) {
  std::string s;
  for (int i = 0; i < 6; ++i)
    s += "|NULL";
  for (int i = 0; i < 18; ++i)
    s += stream ? "|0" : "|NULL";
  for (int i = 0; i < 5; ++i)
    s += "|NULL";
  return s;
}

// The schema 3 per-stream columns of cdr_rtp (sqlite_rtp_quality_columns order) of a stream
// without quality data or RTCP: 7 MOS NULL, 3 late, sl1..10, d50..d300, loss, reordered,
// duplicates 0, codec and ptime NULL, cn and srtp 0, 11 RTCP NULL.
std::string rtp_no_quality() {
  std::string s;
  for (int i = 0; i < 7; ++i)
    s += "|NULL";
  for (int i = 0; i < 23; ++i)
    s += "|0";
  s += "|NULL|NULL|0|0";
  for (int i = 0; i < 11; ++i)
    s += "|NULL";
  s += "|[]";  // intervals: no frames, no 10-s series
  return s;
}

TEST_CASE("sqlite sink writes VoIPmonitor-named tables with exact values", "[sqlite]") {
  const auto path = fresh_db("sink_values.db");
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    CHECK(error.empty());
    CHECK(sink->name() == "sqlite:" + path);
    const std::vector<core::cdr> batch{answered(), unanswered()};
    CHECK(sink->write(batch) == "");
    CHECK(sink->flush() == "");
  }
  CHECK(query(path, "SELECT version FROM voxmon_schema") == std::vector<std::string>{"5"});
  CHECK(query(path, "PRAGMA journal_mode") == std::vector<std::string>{"wal"});

  const auto cdrs = query(path, "SELECT * FROM cdr ORDER BY ID");
  REQUIRE(cdrs.size() == 2);
  CHECK(cdrs[0] ==
        "1|2023-11-14 22:13:20.123|2023-11-14 22:14:25.555|65.432|62.932|0.002|2.6|"
        "1001|Alice|example.com|1002|example.org|10.0.0.1|5060|10.0.0.2|5062|200|1|3|1|1|1|7|"
        "100|8|0|3270|3265|2|0|12|3|6|2|1001|2001" +
            quality_suffix(true) + quality_suffix(true) + "|NULL|0|0|0|0|0");
  CHECK(cdrs[1] ==
        "2|2023-11-14 22:13:20.133|2023-11-14 22:13:50.133|30.0|NULL|NULL|NULL|"
        "1003|||1004||2001:db8::1|5060|2001:db8::2|5080|487|2|0|NULL|NULL|NULL|0|"
        "NULL|NULL|NULL|0|0|0|0|NULL|NULL|NULL|NULL|3001|4001" +
            quality_suffix(false) + quality_suffix(false) + "|NULL|NULL|NULL|0|0|0");

  CHECK(query(path, "SELECT * FROM cdr_next ORDER BY cdr_ID") ==
        std::vector<std::string>{"1|2023-11-14 22:13:20.123|call-1@host",
                                 "2|2023-11-14 22:13:20.133|call-2@host"});
  CHECK(query(path, "SELECT * FROM cdr_rtp ORDER BY ID") ==
        std::vector<std::string>{
            "1|1|10.0.0.1|40000|10.0.0.2|50000|287454020|8|3270|2|2.6|12|55" + rtp_no_quality(),
            "2|1|10.0.0.2|50000|10.0.0.1|40000|4000000000|0|3265|0|2.7|3|23" +
                rtp_no_quality()});
  CHECK(query(path, "SELECT * FROM cdr_ua") == std::vector<std::string>{"1|SameUA/1.0"});
  CHECK(query(path, "SELECT * FROM cdr_sip_response ORDER BY id") ==
        std::vector<std::string>{"1|200 OK", "2|487 Request Terminated"});
  CHECK(query(path, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    "ORDER BY name") ==
        std::vector<std::string>{"cdr_calldate", "cdr_called", "cdr_caller", "cdr_dtmf_cdr_ID",
                                 "cdr_next_fbasename", "cdr_rtp_cdr_ID"});
}

TEST_CASE("reopening an existing sqlite database appends and reuses lookups", "[sqlite]") {
  const auto path = fresh_db("sink_reopen.db");
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    const std::vector<core::cdr> batch{answered()};
    REQUIRE(sink->write(batch) == "");
    CHECK(sink->write({}) == "");  // an empty batch is fine
  }
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    auto c = answered();
    c.callid = "call-3@host";
    c.b_ua = "Other/2.0";
    auto d = c;
    d.id_sensor = 9;  // the same call seen by another sensor
    const std::vector<core::cdr> batch{c, unanswered(), d};
    REQUIRE(sink->write(batch) == "");
    CHECK(sink->skipped_duplicates() == 0);
  }
  CHECK(query(path, "SELECT version FROM voxmon_schema") == std::vector<std::string>{"5"});
  CHECK(query(path, "SELECT COUNT(*) FROM cdr") == std::vector<std::string>{"4"});
  CHECK(query(path, "SELECT ID, a_ua_id, b_ua_id, lastSIPresponse_id FROM cdr ORDER BY ID") ==
        std::vector<std::string>{"1|1|1|1", "2|1|2|1", "3|NULL|NULL|2", "4|1|2|1"});
  CHECK(query(path, "SELECT * FROM cdr_ua ORDER BY id") ==
        std::vector<std::string>{"1|SameUA/1.0", "2|Other/2.0"});
  CHECK(query(path, "SELECT cdr_ID, fbasename FROM cdr_next ORDER BY cdr_ID") ==
        std::vector<std::string>{"1|call-1@host", "2|call-3@host", "3|call-2@host",
                                 "4|call-3@host"});
  CHECK(query(path, "SELECT COUNT(*) FROM cdr_rtp") == std::vector<std::string>{"6"});
}

TEST_CASE("a CDR the sqlite store already has is skipped, as in the MySQL store", "[sqlite]") {
  // The key is MySQL's: (Call-ID as stored, id_sensor, calldate). The same file processed
  // again, or a CDR twice in one batch, stores nothing new; the count says what was skipped.
  const auto path = fresh_db("sink_again.db");
  std::string error;
  auto sink = store::sqlite_sink::open(path, error);
  REQUIRE(sink);
  const std::vector<core::cdr> batch{answered(), unanswered()};
  REQUIRE(sink->write(batch) == "");
  CHECK(sink->skipped_duplicates() == 0);
  REQUIRE(sink->write(batch) == "");
  CHECK(sink->skipped_duplicates() == 2);
  auto later = answered();
  later.calldate += 1'000'000;  // 1 ms later: another call with the same Call-ID
  const std::vector<core::cdr> mixed{answered(), later, later};
  REQUIRE(sink->write(mixed) == "");
  CHECK(sink->skipped_duplicates() == 4);
  CHECK(query(path, "SELECT cdr_ID, calldate, fbasename FROM cdr_next ORDER BY cdr_ID") ==
        std::vector<std::string>{"1|2023-11-14 22:13:20.123|call-1@host",
                                 "2|2023-11-14 22:13:20.133|call-2@host",
                                 "3|2023-11-14 22:13:20.124|call-1@host"});
  CHECK(query(path, "SELECT COUNT(*) FROM cdr_rtp") == std::vector<std::string>{"4"});
  // Reopened (the next run), it still knows them.
  sink.reset();
  sink = store::sqlite_sink::open(path, error);
  REQUIRE(sink);
  REQUIRE(sink->write(batch) == "");
  CHECK(sink->skipped_duplicates() == 2);
  CHECK(query(path, "SELECT COUNT(*) FROM cdr") == std::vector<std::string>{"3"});
}

TEST_CASE("sqlite sink reports unusable files", "[sqlite]") {
  SECTION("not a database") {
    const auto path = fresh_db("not_a_db.db");
    std::ofstream(path) << "this is certainly not an SQLite database, just some text\n";
    std::string error;
    CHECK_FALSE(store::sqlite_sink::open(path, error));
    CHECK_THAT(error, Catch::Contains("not a database"));
    CHECK_THAT(error, Catch::Contains(path));
  }
  SECTION("missing directory") {
    const auto path = fresh_db("no_such_dir") + "/x.db";
    std::string error;
    CHECK_FALSE(store::sqlite_sink::open(path, error));
    CHECK_THAT(error, Catch::Contains("cannot open SQLite database"));
  }
  SECTION("newer schema version") {
    const auto path = fresh_db("newer_schema.db");
    {
      std::string error;
      REQUIRE(store::sqlite_sink::open(path, error));
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE voxmon_schema SET version = 6", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    std::string error;
    CHECK_FALSE(store::sqlite_sink::open(path, error));
    CHECK_THAT(error, Catch::Contains("schema version 6"));
  }
}

TEST_CASE("a schema version 1 file is upgraded in place", "[sqlite]") {
  const auto path = fresh_db("upgrade_v1.db");
  {
    std::string error;
    REQUIRE(store::sqlite_sink::open(path, error));
  }
  // Turn it into a version 1 file: no quality columns.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const auto& c : store::sqlite_quality_columns()) {
    const std::string sql = "ALTER TABLE cdr DROP COLUMN " + c;
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  REQUIRE(sqlite3_exec(db, "UPDATE voxmon_schema SET version = 1", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  const bool opened = store::sqlite_sink::open(path, error) != nullptr;
  INFO(error);
  REQUIRE(opened);
  CHECK(query(path, "SELECT version FROM voxmon_schema") == std::vector<std::string>{"5"});
  CHECK(query(path, "SELECT COUNT(*) FROM pragma_table_info('cdr') WHERE name IN "
                    "('a_mos_f1_mult10', 'b_sl10', 'a_d300', 'mos_min_mult10', "
                    "'b_rtcp_avgjitter_mult10', 'capture_loss')") == std::vector<std::string>{"6"});
}

namespace {

// Opens a file of an older schema (upgrading it) and writes `c` into it.
void write_after_upgrade(const std::string& path, const core::cdr& c) {
  std::string error;
  auto sink = store::sqlite_sink::open(path, error);
  INFO(error);
  REQUIRE(sink);
  const std::vector<core::cdr> batch{c};
  REQUIRE(sink->write(batch) == "");
}

}  // namespace

TEST_CASE("a schema version 4 file gets the reversed number columns, filled", "[sqlite]") {
  const auto path = fresh_db("upgrade_v4.db");
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    auto c = answered();
    c.caller = "+4420\xc3\xbc" "7";  // a two-byte UTF-8 character stays whole
    const std::vector<core::cdr> batch{c};
    REQUIRE(sink->write(batch) == "");
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const char* sql : {"ALTER TABLE cdr DROP COLUMN caller_reverse", "ALTER TABLE cdr DROP COLUMN called_reverse",
                          "UPDATE voxmon_schema SET version = 4"})
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto c = answered();
  c.callid = "after-upgrade";
  c.called = "12345";
  write_after_upgrade(path, c);
  CHECK(query(path, "SELECT version FROM voxmon_schema") == std::vector<std::string>{"5"});
  CHECK(query(path, "SELECT ID, caller_reverse, called_reverse FROM cdr ORDER BY ID") ==
        std::vector<std::string>{"1|7\xc3\xbc" "0244+|2001", "2|1001|54321"});
}

TEST_CASE("a schema version 2 file gets the per-stream, SRTP and capture-loss columns",
          "[sqlite]") {
  const auto path = fresh_db("upgrade_v2.db");
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    const std::vector<core::cdr> batch{answered()};
    REQUIRE(sink->write(batch) == "");
  }
  // Turn it into a version 2 file: without the schema 3 columns of cdr and cdr_rtp.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::vector<std::string> drop{"ALTER TABLE cdr DROP COLUMN a_srtp",
                                "ALTER TABLE cdr DROP COLUMN b_srtp",
                                "ALTER TABLE cdr DROP COLUMN capture_loss",
                                "ALTER TABLE cdr DROP COLUMN capture_dropped"};
  for (const auto& c : store::sqlite_rtp_quality_columns())
    drop.push_back("ALTER TABLE cdr_rtp DROP COLUMN " + c);
  for (const auto& sql : drop)
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "UPDATE voxmon_schema SET version = 2", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  auto c = answered();
  c.callid = "after-upgrade";
  c.capture_loss = true;
  c.capture_dropped = 3;
  write_after_upgrade(path, c);
  CHECK(query(path, "SELECT version FROM voxmon_schema") == std::vector<std::string>{"5"});
  // The old rows are kept (new columns NULL), the new ones are filled.
  CHECK(query(path, "SELECT ID, capture_loss, capture_dropped FROM cdr ORDER BY ID") ==
        std::vector<std::string>{"1|NULL|NULL", "2|1|3"});
  CHECK(query(path, "SELECT cdr_ID, received, reordered, srtp FROM cdr_rtp ORDER BY ID") ==
        std::vector<std::string>{"1|3270|NULL|NULL", "1|3265|NULL|NULL", "2|3270|0|0",
                                 "2|3265|0|0"});
}

TEST_CASE("cdr_rtp carries each stream's quality, SRTP flag and RTCP figures", "[sqlite]") {
  const auto path = fresh_db("sink_rtp_quality.db");
  auto c = answered();
  auto& s = c.rtp[0];
  s.codec = "PCMA";
  s.srtp = true;
  auto& q = s.quality;
  q.jb[0] = {4.40666, 4.1234, 3, 1500, 3, 1};
  q.jb[1] = {4.2949, 4.25, 3, 1500, 2, 0};
  q.jb[2] = {4.37, 3.96, 3, 1500, 9, 7};
  q.sl = {2, 0, 1, 0, 0, 0, 0, 0, 0, 1};
  q.delay = {7, 6, 5, 4, 3, 2, 1};
  q.expected = 3272;
  q.lost = 2;
  q.packet_loss_perc = 0.061125;
  q.reordered = 4;
  q.duplicates = 5;
  q.ptime_ms = 30;
  q.comfort_noise = true;
  q.intervals = {{0, 500, 0, 4.40666, 4.371, 1.23456}, {2, 499, 3, 3.996, 4.0, 17.0}};
  core::cdr_rtcp r;
  r.reports = 12;
  r.loss = -3;
  r.max_fraction_lost = 64;
  r.avg_fraction_lost = 2.56;
  r.max_jitter_ms = 12.5;
  r.avg_jitter_ms = 3.0625;
  r.rtt_count = 2;
  r.avg_rtt_ms = 41.2345;
  r.max_rtt_ms = 50;
  r.xr_mos_lq = 4.1;
  r.xr_r_factor = 88;
  c.rtp[1].rtcp = r;
  {
    std::string error;
    auto sink = store::sqlite_sink::open(path, error);
    REQUIRE(sink);
    const std::vector<core::cdr> batch{c};
    REQUIRE(sink->write(batch) == "");
  }
  std::string cols;
  for (const auto& name : store::sqlite_rtp_quality_columns())
    cols += (cols.empty() ? "" : ", ") + name;
  CHECK(query(path, "SELECT " + cols + " FROM cdr_rtp ORDER BY ID") ==
        std::vector<std::string>{
            // MOS x10 (avg, min per buffer, stream min), late f1 f2 adapt, sl1..10, d50..d300,
            // loss x1000, reordered, duplicates, codec, ptime, cn, srtp, no RTCP.
            "44|41|43|43|44|40|40|1|0|7|2|0|1|0|0|0|0|0|0|1|7|6|5|4|3|2|1|61|4|5|PCMA|30|1|1"
            "|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL"
            // the 10-s series: MOS 2 decimals, jitter 3
            R"(|[{"t":0,"mos_f1":4.41,"mos_adapt":4.37,"expected":500,"lost":0,"jitter":1.235},)"
            R"({"t":2,"mos_f1":4.0,"mos_adapt":4.0,"expected":499,"lost":3,"jitter":17.0}])",
            // No quality; RTCP: reports, loss, maxfr, avgfr x10, maxjitter, avgjitter x10,
            // rtt avg/max x10, XR MOS-LQ x10, MOS-CQ, R.
            "NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0"
            "|NULL|NULL|0|0|12|-3|64|26|13|31|412|500|41|NULL|88|[]"});
  CHECK(query(path, "SELECT a_srtp, b_srtp FROM cdr") == std::vector<std::string>{"1|0"});
}

TEST_CASE("a failed batch rolls back and forgets cached lookup ids", "[sqlite]") {
  const auto path = fresh_db("sink_rollback.db");
  std::string error;
  auto sink = store::sqlite_sink::open(path, error);
  REQUIRE(sink);
  // A second connection adds a trigger that rejects one callee: the whole batch must go.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TRIGGER reject BEFORE INSERT ON cdr WHEN NEW.called = 'reject' "
                       "BEGIN SELECT RAISE(ABORT, 'rejected by test'); END",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  auto bad = unanswered();
  bad.called = "reject";
  auto fresh_ua = answered();
  fresh_ua.a_ua = "Fresh/1";
  std::vector<core::cdr> batch{fresh_ua, bad};
  const auto err = sink->write(batch);
  CHECK_THAT(err, Catch::Contains("rejected by test"));
  CHECK(query(path, "SELECT COUNT(*) FROM cdr") == std::vector<std::string>{"0"});
  CHECK(query(path, "SELECT COUNT(*) FROM cdr_ua") == std::vector<std::string>{"0"});

  REQUIRE(sqlite3_exec(db, "DROP TRIGGER reject", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  batch.pop_back();
  CHECK(sink->write(batch) == "");
  CHECK(query(path, "SELECT a_ua_id, b_ua_id FROM cdr") == std::vector<std::string>{"1|2"});
  CHECK(query(path, "SELECT * FROM cdr_ua ORDER BY id") ==
        std::vector<std::string>{"1|Fresh/1", "2|SameUA/1.0"});
}
