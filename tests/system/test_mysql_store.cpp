// The MySQL store on a real MariaDB (VOXMON_TEST_MYSQL, see mysql_test_env.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <thread>

#include "mysql_test_env.hpp"
#include "store/mysql_schema.hpp"
#include "store/mysql_sink.hpp"
#include "store/mysql_store.hpp"

using namespace voxmon;
using nlohmann::json;

namespace {

std::string scalar(store::mysql_db& db, const std::string& sql) {
  auto rows = db.query(sql);
  REQUIRE(rows.size() == 1);
  return rows[0].is_null[0] ? "NULL" : rows[0].values[0];
}

std::filesystem::path sample_capture(const std::filesystem::path& dir) {
  auto gen = test::run(VOXMON_GEN_BIN, {"--sample", "-o", "x.pcap"}, dir);
  REQUIRE(gen.exit_code == 0);
  return dir / "x.pcap";
}

}  // namespace

TEST_CASE("mysql: schema created from nothing, then upgraded from version 1", "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_schema");
  auto admin = test::fresh_database(p);
  store::db_error e;
  {
    auto db = store::mysql_db::connect(p, e);
    REQUIRE(db);
    store::mysql_schema_options o;
    o.target_version = 1;
    store::mysql_schema_info info;
    REQUIRE(store::ensure_mysql_schema(*db, o, info).empty());
    CHECK(info.version_before == 0);
    db->exec("INSERT INTO cdr (calldate, callend, duration) VALUES ('2026-01-01 00:00:00.5', "
             "'2026-01-01 00:00:10', 9.5)");
    CHECK(scalar(*db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'vlan'") == "0");
  }
  auto sink = store::mysql_sink::open(p, store::mysql_schema_options{}, e);
  INFO(e.text);
  REQUIRE(sink);
  CHECK(sink->schema().version_before == 1);
  CHECK(sink->schema().version == store::mysql_schema_version);
  auto& db = sink->db();
  CHECK(scalar(db, "SELECT MAX(version) FROM voxmon_schema") == "2");
  CHECK(scalar(db, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                   "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'vlan'") ==
        "smallint(5) unsigned");
  CHECK(scalar(db, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                   "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'calldate'") ==
        "datetime(3)");
  CHECK(scalar(db, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                   "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'sipcallerip'") ==
        "int(10) unsigned");
  CHECK(scalar(db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                   "DATABASE() AND TABLE_NAME IN ('cdr_dtmf','cdr_next','cdr_rtp','cdr_ua',"
                   "'cdr_sip_response','sensors')") == "6");
  CHECK(scalar(db, "SELECT duration FROM cdr") == "9.500");  // the old row is kept
  // Daily partitions: today and the days ahead exist.
  CHECK(scalar(db, "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = "
                   "DATABASE() AND TABLE_NAME = 'cdr' AND PARTITION_NAME = 'p" +
                       store::utc_day(0).substr(0, 4) + store::utc_day(0).substr(5, 2) +
                       store::utc_day(0).substr(8, 2) + "'") == "1");
}

TEST_CASE("mysql: every CDR field round-trips (JSON Lines = SELECT after unit conversion)",
          "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_roundtrip");
  auto admin = test::fresh_database(p);
  const auto dir = test::temp_dir("mysql_roundtrip");
  sample_capture(dir);
  auto r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--cdr-jsonl", "out.jsonl", "--db",
                                  test::url_of(p), "--no-progress"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto cdrs = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(cdrs.size() == 20);
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  REQUIRE(db);
  auto rows = db->query(
      "SELECT n.fbasename, c.calldate, c.callend, c.duration, c.connect_duration, "
      "c.progress_time, c.first_rtp_time, c.caller, c.callername, c.caller_domain, c.called, "
      "c.called_domain, INET_NTOA(c.sipcallerip), c.sipcallerport, INET_NTOA(c.sipcalledip), "
      "c.sipcalledport, c.lastSIPresponseNum, r.lastSIPresponse, c.bye, c.whohanged, ua.ua, "
      "ub.ua, c.id_sensor, c.vlan, c.a_payload, c.b_payload, c.a_received, c.b_received, "
      "c.a_lost, c.b_lost, c.a_avgjitter_mult10, c.b_avgjitter_mult10, c.a_maxjitter, "
      "c.b_maxjitter, c.ID FROM cdr c JOIN cdr_next n ON n.cdr_ID = c.ID "
      "LEFT JOIN cdr_sip_response r ON r.id = c.lastSIPresponse_id "
      "LEFT JOIN cdr_ua ua ON ua.id = c.a_ua_id LEFT JOIN cdr_ua ub ON ub.id = c.b_ua_id");
  REQUIRE(rows.size() == 20);
  std::map<std::string, store::mysql_db::row> by_callid;
  for (auto& row : rows)
    by_callid[row.values[0]] = row;
  for (const auto& j : cdrs) {
    const std::string callid = j["callid"];
    INFO(callid);
    REQUIRE(by_callid.count(callid));
    const auto& row = by_callid[callid];
    auto text = [&](size_t i) { return row.is_null[i] ? json(nullptr) : json(row.values[i]); };
    auto number = [&](size_t i) { return row.is_null[i] ? json(nullptr) : json(std::stod(row.values[i])); };
    auto empty_if_null = [&](size_t i) { return row.is_null[i] ? std::string() : row.values[i]; };
    CHECK(text(1) == j["calldate"]);
    CHECK(text(2) == j["callend"]);
    const char* secs[] = {"duration", "connect_duration", "progress_time", "first_rtp_time"};
    for (size_t k = 0; k < 4; ++k) {
      INFO(secs[k]);
      if (j[secs[k]].is_null())
        CHECK(row.is_null[3 + k]);
      else
        CHECK(number(3 + k).get<double>() == Approx(j[secs[k]].get<double>()).margin(1e-9));
    }
    const char* texts[] = {"caller", "callername", "caller_domain", "called", "called_domain",
                           "sipcallerip"};
    for (size_t k = 0; k < 6; ++k)
      CHECK(text(7 + k) == j[texts[k]]);
    CHECK(number(13) == j["sipcallerport"]);
    CHECK(text(14) == j["sipcalledip"]);
    CHECK(number(15) == j["sipcalledport"]);
    CHECK(number(16) == j["lastSIPresponseNum"]);
    CHECK(empty_if_null(17) == j["lastSIPresponse"]);
    CHECK(number(18) == j["bye"]);
    CHECK(text(19) == j["whohanged"]);
    CHECK(empty_if_null(20) == j["a_ua"]);
    CHECK(empty_if_null(21) == j["b_ua"]);
    CHECK(number(22) == j["id_sensor"]);
    CHECK(number(23) == j["vlan"]);
    const char* same[] = {"a_payload", "b_payload", "a_received", "b_received", "a_lost", "b_lost"};
    for (size_t k = 0; k < 6; ++k)
      CHECK(number(24 + k) == j[same[k]]);
    for (const char* side : {"a", "b"}) {
      const size_t at = side[0] == 'a' ? 0 : 1;
      const auto avg = j[std::string(side) + "_avgjitter"];
      const auto mx = j[std::string(side) + "_maxjitter"];
      if (avg.is_null()) {
        CHECK(row.is_null[30 + at]);
        CHECK(row.is_null[32 + at]);
        continue;
      }
      CHECK(std::stod(row.values[30 + at]) / 10.0 == Approx(avg.get<double>()).margin(0.0501));
      CHECK(std::stod(row.values[32 + at]) == Approx(mx.get<double>()).margin(0.5001));
    }
    auto rtp = db->query("SELECT INET_NTOA(saddr), sport, INET_NTOA(daddr), dport, ssrc, payload, "
                         "received, loss, avgjitter_mult10, maxjitter_mult10 FROM cdr_rtp WHERE "
                         "cdr_ID = " + row.values[34] + " ORDER BY ID");
    REQUIRE(rtp.size() == j["rtp"].size());
    for (size_t k = 0; k < rtp.size(); ++k) {
      const auto& js = j["rtp"][k];
      CHECK(rtp[k].values[0] == js["saddr"]);
      CHECK(std::stoul(rtp[k].values[1]) == js["sport"]);
      CHECK(rtp[k].values[2] == js["daddr"]);
      CHECK(std::stoul(rtp[k].values[3]) == js["dport"]);
      CHECK(std::stoull(rtp[k].values[4]) == js["ssrc"]);
      CHECK(std::stoll(rtp[k].values[6]) == js["received"]);
      CHECK(std::stoll(rtp[k].values[7]) == js["loss"]);
      CHECK(std::stod(rtp[k].values[8]) / 10 == Approx(js["avgjitter"].get<double>()).margin(0.0501));
      CHECK(std::stod(rtp[k].values[9]) / 10 == Approx(js["maxjitter"].get<double>()).margin(0.0501));
    }
  }
  // Running the same capture again stores nothing twice.
  r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--db", test::url_of(p), "--no-progress"}, dir);
  REQUIRE(r.exit_code == 0);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr") == "20");
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr_next") == "20");
}

TEST_CASE("mysql: wrong password and unknown host name the server, CDRs go to the journal",
          "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_badauth");
  auto admin = test::fresh_database(p);
  const auto dir = test::temp_dir("mysql_badauth");
  sample_capture(dir);
  auto bad = p;
  bad.password = "wrong-password";
  auto r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--db", test::url_of(bad), "--no-progress"}, dir);
  INFO(r.err);
  CHECK(r.err.find("MySQL server '" + p.host + ":" + std::to_string(p.port) + "'") != std::string::npos);
  CHECK(r.err.find("Access denied") != std::string::npos);
  CHECK(r.err.find("journal") != std::string::npos);
  CHECK(std::filesystem::file_size(dir / "voxmon-cdr.journal") > 0);

  auto host = p;
  host.host = "no-such-host.invalid";
  r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--db", test::url_of(host), "--no-progress"}, dir);
  CHECK(r.err.find("MySQL server 'no-such-host.invalid:") != std::string::npos);

  // With the right password the journal is written (each CDR once: both runs had the same 20).
  r = test::run(VOXMON_BIN, {"--update-schema", "--db", test::url_of(p)}, dir);
  INFO(r.out + r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::file_size(dir / "voxmon-cdr.journal") == 0);
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  REQUIRE(db);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr") == "20");
}

TEST_CASE("mysql: server stopped in the middle, CDRs journaled, replayed exactly once, "
          "SIGKILL while it is down loses nothing", "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  const auto dir = test::temp_dir("mysql_restart");
  test::private_server server{(dir / "server").string(), s->mysqlport + 7};
  REQUIRE(server.start());
  store::mysql_store_options o;
  o.params = test::params_of(*s, "voxmon_t_restart");
  o.params.host = "127.0.0.1";
  o.params.port = server.port;
  o.params.user = "voxmon";
  o.params.password = "voxmon";
  o.journal_path = (dir / "journal").string();
  o.batch = 5;
  sample_capture(dir);
  auto r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--cdr-jsonl", "all.jsonl", "--db", "none"}, dir);
  REQUIRE(r.exit_code == 0);
  // CDRs as the pipeline makes them, through the journal encoding's JSON twin: use the store
  // directly, in three parts, with the server going away after the first.
  std::vector<core::cdr> all;
  {
    // Build CDRs by running voxmon into a journal: a throwaway store on an unreachable port.
    const auto jdir = dir / "mk";
    std::filesystem::create_directories(jdir);
    auto mk = test::run(VOXMON_BIN, {"-r", "../x.pcap", "--db",
                                     "mysql://voxmon:voxmon@127.0.0.1:1/none", "--no-progress"}, jdir);
    std::string err;
    auto j = store::cdr_journal::open((jdir / "voxmon-cdr.journal").string(),
                                      store::fsync_policy::none, err);
    REQUIRE(j);
    uint64_t next = 0;
    all = j->read(0, 1000, next, err);
  }
  REQUIRE(all.size() == 20);
  std::string error, warning;
  auto st = store::mysql_store::open(o, error, warning);
  REQUIRE(st);
  INFO(warning);
  REQUIRE(st->status().connected);
  std::span<const core::cdr> span(all);
  CHECK(st->write(span.subspan(0, 7)).empty());
  server.stop();
  CHECK(st->write(span.subspan(7, 6)).empty());  // server down: journal
  CHECK_FALSE(st->journal_empty());
  CHECK(st->write(span.subspan(13)).empty());
  REQUIRE(server.start());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the first backoff
  CHECK(st->write(span.subspan(0, 3)).empty());  // a replay of stored CDRs: no duplicates
  CHECK(st->flush().empty());
  CHECK(st->journal_empty());
  store::db_error e;
  auto db = store::mysql_db::connect(o.params, e);
  REQUIRE(db);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr") == "20");
  CHECK(scalar(*db, "SELECT COUNT(DISTINCT fbasename) FROM cdr_next") == "20");

  // SIGKILL while the server is down: what reached the journal is written after restart.
  server.stop();
  db.reset();
  st.reset();
  const std::string url = "mysql://voxmon:voxmon@127.0.0.1:" + std::to_string(server.port) +
                          "/voxmon_t_restart2";
  r = test::run("/bin/sh", {"-c", "'" VOXMON_BIN "' -r x.pcap --no-progress --db " + url +
                                       " & pid=$!; sleep 2.5; kill -9 $pid; wait $pid; true"},
                dir);
  const auto journaled = std::filesystem::file_size(dir / "voxmon-cdr.journal");
  r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--no-progress", "--db", url}, dir);  // completes
  REQUIRE(server.start());
  r = test::run(VOXMON_BIN, {"--update-schema", "--db", url}, dir);
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(journaled > 0);
  auto p2 = o.params;
  p2.database = "voxmon_t_restart2";
  db = store::mysql_db::connect(p2, e);
  REQUIRE(db);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr") == "20");
  CHECK(std::filesystem::file_size(dir / "voxmon-cdr.journal") == 0);
}
