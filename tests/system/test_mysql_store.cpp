// The MySQL store on a real MariaDB (VOXMON_TEST_MYSQL, see mysql_test_env.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <thread>

#include "mysql_test_env.hpp"
#include "store/mysql_quality.hpp"
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

// Columns of one row by name (nullopt for NULL).
using named_row = std::map<std::string, std::optional<std::string>>;

std::vector<named_row> select_named(store::mysql_db& db, const std::vector<std::string>& cols,
                                    const std::string& from) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < cols.size(); ++i)
    sql += (i ? ",`" : "`") + cols[i] + "`";
  std::vector<named_row> out;
  for (auto& r : db.query(sql + " " + from)) {
    named_row n;
    for (size_t i = 0; i < cols.size(); ++i)
      n[cols[i]] = r.is_null[i] ? std::nullopt : std::optional<std::string>(r.values[i]);
    out.push_back(std::move(n));
  }
  return out;
}

// The quality columns with prefix `p` ("a_", "b_" or "" for cdr_rtp) against the JSON fields of
// the same stream `q` (same keys with the same prefix) and its RTCP `rtcp` (JSON's per-stream
// object, or for cdr the a_rtcp_* keys). Conversions as docs/CDR.md states them.
void check_quality(const named_row& row, const std::string& p, const json& q, const json& rtcp,
                   bool per_stream) {
  auto db_num = [&](const std::string& col) {
    INFO(col);
    REQUIRE(row.count(col));
    return row.at(col) ? json(std::stod(*row.at(col))) : json(nullptr);
  };
  auto check_scaled = [&](const std::string& col, const json& want, double div, double margin) {
    INFO(col << " db=" << db_num(col) << " json=" << want);
    const json got = db_num(col);
    REQUIRE(got.is_null() == want.is_null());
    if (!want.is_null())
      CHECK(got.get<double>() / div == Approx(want.get<double>()).margin(margin));
  };
  const bool stream = !q[p + "packet_loss_perc"].is_null();
  for (const char* b : {"f1", "f2", "adapt"}) {
    check_scaled(p + "mos_" + b + "_mult10", q[p + "mos_" + std::string(b)], 10, 0.0501);
    check_scaled(p + "mos_" + b + "_min_mult10", q[p + "mos_" + std::string(b) + "_min"], 10, 0.0501);
  }
  json side_min = nullptr;
  for (const char* b : {"f1", "f2", "adapt"}) {
    const json m = q[p + "mos_" + std::string(b) + "_min"];
    if (!m.is_null() && (side_min.is_null() || m.get<double>() < side_min.get<double>()))
      side_min = m;
  }
  check_scaled(p + "mos_min_mult10", side_min, 10, 0.0501);
  for (int i = 1; i <= 10; ++i)
    check_scaled(p + "sl" + std::to_string(i), stream ? q[p + "sl" + std::to_string(i)] : json(nullptr), 1, 0);
  for (const char* d : {"d50", "d70", "d90", "d120", "d150", "d200", "d300"})
    check_scaled(p + d, stream ? q[p + d] : json(nullptr), 1, 0);
  check_scaled(p + "packet_loss_perc_mult1000", q[p + "packet_loss_perc"], 1000, 0.0011);
  check_scaled(p + "reordered", stream ? q[p + "reordered"] : json(nullptr), 1, 0);
  check_scaled(p + "duplicates", stream ? q[p + "duplicates"] : json(nullptr), 1, 0);
  CHECK((row.at(p + "codec") ? json(*row.at(p + "codec")) : json(nullptr)) == q[p + "codec"]);
  check_scaled(p + "rtp_ptime", q[p + "ptime"], 1, 0);
  check_scaled(p + "cn", stream ? json(q[p + "cn"].get<bool>() ? 1 : 0) : json(nullptr), 1, 0);
  check_scaled(p + "srtp", stream ? json(q[p + "srtp"].get<bool>() ? 1 : 0) : json(nullptr), 1, 0);
  if (per_stream)
    for (const char* b : {"f1", "f2", "adapt"})
      check_scaled(std::string(b) + "_late", q[std::string(b) + "_late"], 1, 0);
  // RTCP: fraction lost raw (0..255) in the database, % in JSON.
  const std::string r = per_stream ? "" : p + "rtcp_";
  auto rj = [&](const std::string& k) {
    return rtcp.is_null() ? json(nullptr) : rtcp[r + k];
  };
  if (per_stream)
    check_scaled("rtcp_reports", rj("reports"), 1, 0);
  check_scaled(p + "rtcp_loss", rj("loss"), 1, 0);
  check_scaled(p + "rtcp_maxfr", rj("maxfr"), 2.56, 0.0011);
  check_scaled(p + "rtcp_avgfr_mult10", rj("avgfr"), 25.6, 0.021);
  check_scaled(p + "rtcp_maxjitter", rj("maxjitter"), 1, 0.5001);
  check_scaled(p + "rtcp_avgjitter_mult10", rj("avgjitter"), 10, 0.0501);
  check_scaled(p + "rtcp_avgrtd_mult10", rj("rtt"), 10, 0.0501);
  if (per_stream) {
    check_scaled("rtcp_maxrtd_mult10", rj("maxrtt"), 10, 0.0501);
    check_scaled("rtcp_xr_mos_lq_mult10", rj("xr_mos_lq"), 10, 0.0501);
    check_scaled("rtcp_xr_mos_cq_mult10", rj("xr_mos_cq"), 10, 0.0501);
    check_scaled("rtcp_xr_r_factor", rj("xr_r_factor"), 1, 0);
  }
}

}  // namespace

TEST_CASE("mysql: quality columns and cdr_dtmf round-trip (JSON Lines = SELECT)", "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_quality");
  auto admin = test::fresh_database(p);
  const auto dir = test::temp_dir("mysql_quality");
  auto gen = test::run(VOXMON_GEN_BIN, {"--sample", "--rtcp", "--dtmf", "1", "--loss", "0.02",
                                        "-o", "q.pcap"}, dir);
  REQUIRE(gen.exit_code == 0);
  auto r = test::run(VOXMON_BIN, {"-r", "q.pcap", "--cdr-jsonl", "out.jsonl", "--db",
                                  test::url_of(p), "--no-progress"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto cdrs = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(cdrs.size() == 20);
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  REQUIRE(db);
  std::vector<std::string> cols{"ID", "fbasename"};
  for (const auto& c : store::cdr_quality_columns())
    cols.push_back(c.name);
  const auto rows = select_named(*db, cols, "FROM cdr JOIN cdr_next ON cdr_next.cdr_ID = cdr.ID");
  REQUIRE(rows.size() == 20);
  std::map<std::string, named_row> by_callid;
  for (const auto& row : rows)
    by_callid[*row.at("fbasename")] = row;
  std::vector<std::string> rtp_cols{"ID"};
  for (const auto& c : store::rtp_quality_columns())
    rtp_cols.push_back(c.name);
  size_t with_mos = 0, with_rtcp = 0, dtmf_rows = 0;
  for (const auto& j : cdrs) {
    const std::string callid = j["callid"];
    INFO(callid);
    REQUIRE(by_callid.count(callid));
    const auto& row = by_callid[callid];
    check_quality(row, "a_", j, j, false);
    check_quality(row, "b_", j, j, false);
    const auto m = row.at("mos_min_mult10");
    CHECK(m.has_value() == !j["mos_min"].is_null());
    if (m)
      CHECK(std::stod(*m) / 10 == Approx(j["mos_min"].get<double>()).margin(0.0501));
    CHECK(*row.at("capture_loss") == (j["capture_loss"].get<bool>() ? "1" : "0"));
    CHECK(std::stoull(*row.at("capture_dropped")) == j["capture_dropped"].get<uint64_t>());
    with_mos += !j["a_mos_f1"].is_null();
    with_rtcp += !j["a_rtcp_loss"].is_null();
    const std::string id = *row.at("ID");
    const auto streams = select_named(*db, rtp_cols, "FROM cdr_rtp WHERE cdr_ID = " + id + " ORDER BY ID");
    REQUIRE(streams.size() == j["rtp"].size());
    for (size_t k = 0; k < streams.size(); ++k)
      check_quality(streams[k], "", j["rtp"][k], j["rtp"][k]["rtcp"], true);
    const auto dtmf = select_named(*db, {"dtmf", "firsttime", "type", "duration", "sender"},
                                   "FROM cdr_dtmf WHERE cdr_ID = " + id + " ORDER BY ID");
    REQUIRE(dtmf.size() == j["dtmf"].size());
    for (size_t k = 0; k < dtmf.size(); ++k) {
      const auto& jd = j["dtmf"][k];
      CHECK(*dtmf[k].at("dtmf") == jd["digit"]);
      CHECK(std::stod(*dtmf[k].at("firsttime")) == Approx(jd["time"].get<double>()).margin(1e-9));
      CHECK(*dtmf[k].at("type") == (jd["type"] == "rfc2833" ? "1" : "0"));
      CHECK(dtmf[k].at("duration").has_value() == !jd["duration"].is_null());
      if (!jd["duration"].is_null())
        CHECK(std::stod(*dtmf[k].at("duration")) == Approx(jd["duration"].get<double>()).margin(1e-9));
      CHECK((dtmf[k].at("sender") ? json(*dtmf[k].at("sender")) : json(nullptr)) == jd["sender"]);
      ++dtmf_rows;
    }
  }
  // The capture really exercises the columns: MOS, RTCP and DTMF on most calls.
  CHECK(with_mos >= 10);
  CHECK(with_rtcp >= 10);
  CHECK(dtmf_rows >= 10);
}

TEST_CASE("mysql: schema created from nothing and upgraded from versions 1, 2 and 3 keeps rows",
          "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  for (int from : {1, 2, 3}) {
    INFO("from version " << from);
    auto p = test::params_of(*s, "voxmon_t_schema" + std::to_string(from));
    auto admin = test::fresh_database(p);
    store::db_error e;
    {
      auto db = store::mysql_db::connect(p, e);
      REQUIRE(db);
      store::mysql_schema_options o;
      o.target_version = from;
      store::mysql_schema_info info;
      REQUIRE(store::ensure_mysql_schema(*db, o, info).empty());
      CHECK(info.version_before == 0);
      db->exec("INSERT INTO cdr (calldate, callend, duration, caller) VALUES "
               "('2026-01-01 00:00:00.5', '2026-01-01 00:00:10', 9.5, 'old')");
      const auto id = db->last_insert_id();
      db->exec("INSERT INTO cdr_rtp (cdr_ID, calldate, ssrc, received) VALUES (" +
               std::to_string(id) + ", '2026-01-01 00:00:00.5', 77, 500)");
      CHECK(scalar(*db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                        "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'a_mos_f1_mult10'") ==
            (from >= 3 ? "1" : "0"));
      CHECK(scalar(*db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                        "DATABASE() AND TABLE_NAME = 'cdr_rtp' AND COLUMN_NAME = 'intervals'") == "0");
      CHECK(scalar(*db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                        "DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'vlan'") ==
            (from >= 2 ? "1" : "0"));
    }
    auto sink = store::mysql_sink::open(p, store::mysql_schema_options{}, e);
    INFO(e.text);
    REQUIRE(sink);
    CHECK(sink->schema().version_before == from);
    CHECK(sink->schema().version == store::mysql_schema_version);
    auto& db = sink->db();
    CHECK(scalar(db, "SELECT MAX(version) FROM voxmon_schema") == "4");
    auto type_of = [&](const std::string& table, const std::string& column) {
      return scalar(db, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                        "DATABASE() AND TABLE_NAME = '" + table + "' AND COLUMN_NAME = '" + column + "'");
    };
    CHECK(type_of("cdr", "vlan") == "smallint(5) unsigned");
    CHECK(type_of("cdr", "calldate") == "datetime(3)");
    CHECK(type_of("cdr", "sipcallerip") == "int(10) unsigned");
    CHECK(type_of("cdr", "a_mos_f1_mult10") == "tinyint(3) unsigned");
    CHECK(type_of("cdr", "b_mos_adapt_min_mult10") == "tinyint(3) unsigned");
    CHECK(type_of("cdr", "mos_min_mult10") == "tinyint(3) unsigned");
    CHECK(type_of("cdr", "a_sl10") == "mediumint(8) unsigned");
    CHECK(type_of("cdr", "b_d300") == "mediumint(8) unsigned");
    CHECK(type_of("cdr", "a_packet_loss_perc_mult1000") == "mediumint(8) unsigned");
    CHECK(type_of("cdr", "a_rtcp_avgfr_mult10") == "smallint(5) unsigned");
    CHECK(type_of("cdr", "b_rtcp_maxjitter") == "smallint(5) unsigned");
    CHECK(type_of("cdr", "a_rtp_ptime") == "tinyint(3) unsigned");
    CHECK(type_of("cdr_rtp", "mos_f1_mult10") == "tinyint(3) unsigned");
    CHECK(type_of("cdr_rtp", "rtcp_xr_r_factor") == "tinyint(3) unsigned");
    CHECK(type_of("cdr_dtmf", "sender") == "enum('caller','callee')");
    CHECK(type_of("cdr_rtp", "intervals") == "mediumtext");
    // Every column of the schema table exists after the upgrade.
    CHECK(scalar(db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME IN ('cdr','cdr_rtp','cdr_dtmf','cdr_next',"
                     "'cdr_ua','cdr_sip_response','sensors','voxmon_schema')") ==
          std::to_string(store::mysql_columns().size()));
    CHECK(scalar(db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME IN ('cdr_dtmf','cdr_next','cdr_rtp','cdr_ua',"
                     "'cdr_sip_response','sensors')") == "6");
    // The old rows are kept, the new columns NULL.
    CHECK(scalar(db, "SELECT CONCAT(duration, ' ', caller, ' ', IFNULL(a_mos_f1_mult10, 'null')) "
                     "FROM cdr") == "9.500 old null");
    CHECK(scalar(db, "SELECT CONCAT(ssrc, ' ', received, ' ', IFNULL(mos_f1_mult10, 'null'), ' ', "
                     "IFNULL(intervals, 'null')) FROM cdr_rtp") == "77 500 null null");
    // Daily partitions: today and the days ahead exist.
    CHECK(scalar(db, "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME = 'cdr' AND PARTITION_NAME = 'p" +
                         store::utc_day(0).substr(0, 4) + store::utc_day(0).substr(5, 2) +
                         store::utc_day(0).substr(8, 2) + "'") == "1");
  }
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
  // Nothing lost, but not in the database: exit code 3, how many CDRs and where.
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("voxmon: 20 CDRs remain in the journal 'voxmon-cdr.journal'") !=
        std::string::npos);

  auto host = p;
  host.host = "no-such-host.invalid";
  r = test::run(VOXMON_BIN, {"-r", "x.pcap", "--db", test::url_of(host), "--no-progress"}, dir);
  CHECK(r.err.find("MySQL server 'no-such-host.invalid:") != std::string::npos);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("voxmon: 40 CDRs remain in the journal") != std::string::npos);

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

TEST_CASE("mysql: a CDR the server refuses for good goes to the dead-letter file, the rest is stored",
          "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  const auto dir = test::temp_dir("mysql_dead");
  store::mysql_store_options o;
  o.params = test::params_of(*s, "voxmon_t_dead");
  auto admin = test::fresh_database(o.params);
  o.journal_path = (dir / "journal").string();
  std::vector<core::cdr> batch;
  for (int i = 0; i < 5; ++i) {
    core::cdr c;
    c.callid = c.fbasename = "dead-" + std::to_string(i);
    c.calldate = 1'767'225'600'000'000'000 + static_cast<int64_t>(i) * 1'000'000'000;
    c.callend = c.calldate + 3'000'000'000;
    c.id_sensor = i == 2 ? 70000 : 1;  // cdr.id_sensor is SMALLINT UNSIGNED: out of range
    batch.push_back(c);
  }
  std::string error, warning;
  auto st = store::mysql_store::open(o, error, warning);
  REQUIRE(st);
  INFO(warning);
  REQUIRE(st->status().connected);
  CHECK(st->write(batch).empty());
  CHECK(st->status().inserted == 4);
  CHECK(st->status().dead_letters == 1);
  CHECK(st->journal_empty());
  const auto dead = test::read_jsonl(dir / "journal.dead");
  REQUIRE(dead.size() == 1);
  CHECK(dead[0]["cdr"]["callid"] == "dead-2");
  CHECK(dead[0]["reason"].get<std::string>().find("id_sensor") != std::string::npos);
  CHECK(st->flush().find("1 CDRs refused by the server are in '" + (dir / "journal.dead").string()) !=
        std::string::npos);
  store::db_error e;
  auto db = store::mysql_db::connect(o.params, e);
  REQUIRE(db);
  CHECK(scalar(*db, "SELECT GROUP_CONCAT(fbasename ORDER BY fbasename) FROM cdr_next") ==
        "dead-0,dead-1,dead-3,dead-4");
  CHECK(scalar(*db, "SELECT COUNT(*) FROM cdr") == "4");
}

TEST_CASE("mysql: a large batch (two connections in parallel) keeps every child row with its call",
          "[mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_parallel");
  auto admin = test::fresh_database(p);
  std::vector<core::cdr> batch;
  for (uint32_t i = 0; i < 700; ++i) {
    core::cdr c;
    c.callid = c.fbasename = "par-" + std::to_string(i);
    c.calldate = 1'767'225'600'000'000'000 + static_cast<int64_t>(i) * 7'000'000;
    c.callend = c.calldate + 9'000'000'000;
    c.caller = std::to_string(i);
    for (uint32_t k = 0; k < i % 3; ++k) {  // 0, 1 or 2 streams
      core::cdr_rtp_stream st;
      st.ssrc = i * 10 + k;
      st.received = i;
      st.first_ts = st.last_ts = c.calldate + 500'000'000;
      st.sender = k ? core::party::callee : core::party::caller;
      c.rtp.push_back(st);
    }
    if (i % 5 == 0) {
      core::cdr_dtmf d;
      d.digit = static_cast<char>('0' + i % 10);
      d.time = c.calldate + 1'000'000'000;
      c.dtmf.push_back(d);
    }
    batch.push_back(c);
  }
  store::db_error e;
  auto sink = store::mysql_sink::open(p, store::mysql_schema_options{}, e);
  INFO(e.text);
  REQUIRE(sink);
  const auto err = sink->write(batch);
  INFO(err.text);
  REQUIRE_FALSE(err);
  CHECK(sink->inserted() == 700);
  auto& db = sink->db();
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr") == "700");
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr_rtp") == "699");  // 233*0 + 234*1 + 233*2 (i%3)
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr_dtmf") == "140");
  // Every child row belongs to its own call: caller = i, ssrc = 10 i + k, digit = i mod 10.
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr c JOIN cdr_next n ON n.cdr_ID = c.ID "
                   "WHERE n.fbasename = CONCAT('par-', c.caller) AND n.calldate = c.calldate") == "700");
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr_rtp r JOIN cdr c ON c.ID = r.cdr_ID "
                   "WHERE r.ssrc DIV 10 = CAST(c.caller AS UNSIGNED) AND r.received = "
                   "CAST(c.caller AS UNSIGNED) AND r.calldate = c.calldate") == "699");
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr_dtmf d JOIN cdr c ON c.ID = d.cdr_ID "
                   "WHERE d.dtmf = CAST(CAST(c.caller AS UNSIGNED) % 10 AS CHAR)") == "140");
  // The same batch again: every CDR is a duplicate, nothing is stored twice.
  REQUIRE_FALSE(sink->write(batch));
  CHECK(sink->skipped_duplicates() == 700);
  CHECK(scalar(db, "SELECT COUNT(*) FROM cdr") == "700");
}
