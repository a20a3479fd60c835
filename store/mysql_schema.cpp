#include "store/mysql_schema.hpp"

#include <ctime>
#include <set>

#include "store/mysql_quality.hpp"

namespace voxmon::store {
namespace {

constexpr int partition_days_ahead = 3;

std::string ip_type(bool ipv6) { return ipv6 ? "VARBINARY(16) NULL" : "INT UNSIGNED NULL"; }

std::string column_type(const mysql_column& c, bool ipv6) {
  return c.type == "@IP" ? ip_type(ipv6) : c.type;
}

// "YYYY-MM-DD" -> "pYYYYMMDD"
std::string partition_name(const std::string& day) {
  return "p" + day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
}

time_t day_start(const std::string& day) {
  std::tm tm{};
  tm.tm_year = std::stoi(day.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(day.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(day.substr(8, 2));
  return timegm(&tm);
}

long days_between(const std::string& from, const std::string& to) {
  return static_cast<long>((day_start(to) - day_start(from)) / 86400);
}

std::string next_day(const std::string& day) {
  std::tm tm{};
  tm.tm_year = std::stoi(day.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(day.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(day.substr(8, 2)) + 1;
  const time_t t = timegm(&tm);
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
  return buf;
}

// Upper bounds of a table's partitions, in order ("'2024-01-02 00:00:00'" -> "2024-01-02").
std::vector<std::pair<std::string, std::string>> partitions_of(mysql_db& db, const char* table) {
  auto rows = db.query(
      "SELECT PARTITION_NAME, PARTITION_DESCRIPTION FROM information_schema.PARTITIONS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" + std::string(table) +
      "' AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION");
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& r : rows) {
    std::string bound = r.values[1];
    if (!bound.empty() && bound.front() == '\'')
      bound = bound.substr(1, 10);
    out.emplace_back(r.values[0], bound);
  }
  return out;
}

}  // namespace

// The schema. VoIPmonitor's names and units; voxmon additions are marked.
const std::vector<mysql_column>& mysql_columns() {
  static const std::vector<mysql_column> cols = [] {
  std::vector<mysql_column> v = {
      {"voxmon_schema", "version", "INT UNSIGNED NOT NULL", 1},
      {"voxmon_schema", "upgraded_at", "DATETIME NOT NULL", 1},
      {"sensors", "id_sensor", "INT UNSIGNED NOT NULL", 1},
      {"sensors", "name", "VARCHAR(256) NULL", 1},
      {"cdr_sip_response", "id", "INT UNSIGNED NOT NULL AUTO_INCREMENT", 1},
      {"cdr_sip_response", "lastSIPresponse", "VARCHAR(255) NOT NULL", 1},
      {"cdr_ua", "id", "INT UNSIGNED NOT NULL AUTO_INCREMENT", 1},
      {"cdr_ua", "ua", "VARCHAR(512) NOT NULL", 1},
      {"cdr", "ID", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT", 1},
      {"cdr", "calldate", "DATETIME(3) NOT NULL", 1},
      {"cdr", "callend", "DATETIME(3) NOT NULL", 1},
      {"cdr", "duration", "DECIMAL(9,3) UNSIGNED NOT NULL", 1},
      {"cdr", "connect_duration", "DECIMAL(9,3) UNSIGNED NULL", 1},
      {"cdr", "progress_time", "DECIMAL(9,3) UNSIGNED NULL", 1},
      {"cdr", "first_rtp_time", "DECIMAL(9,3) UNSIGNED NULL", 1},
      {"cdr", "caller", "VARCHAR(255) NOT NULL DEFAULT ''", 1},
      {"cdr", "caller_domain", "VARCHAR(255) NOT NULL DEFAULT ''", 1},
      {"cdr", "callername", "VARCHAR(255) NOT NULL DEFAULT ''", 1},
      {"cdr", "called", "VARCHAR(255) NOT NULL DEFAULT ''", 1},
      {"cdr", "called_domain", "VARCHAR(255) NOT NULL DEFAULT ''", 1},
      {"cdr", "sipcallerip", "@IP", 1},
      {"cdr", "sipcallerport", "SMALLINT UNSIGNED NULL", 1},
      {"cdr", "sipcalledip", "@IP", 1},
      {"cdr", "sipcalledport", "SMALLINT UNSIGNED NULL", 1},
      {"cdr", "lastSIPresponse_id", "INT UNSIGNED NULL", 1},
      {"cdr", "lastSIPresponseNum", "SMALLINT UNSIGNED NOT NULL DEFAULT 0", 1},
      {"cdr", "bye", "TINYINT UNSIGNED NULL", 1},
      {"cdr", "whohanged", "ENUM('caller','callee') NULL", 1},
      {"cdr", "a_ua_id", "INT UNSIGNED NULL", 1},
      {"cdr", "b_ua_id", "INT UNSIGNED NULL", 1},
      {"cdr", "id_sensor", "SMALLINT UNSIGNED NULL", 1},
      {"cdr", "a_payload", "INT NULL", 1},
      {"cdr", "b_payload", "INT NULL", 1},
      {"cdr", "a_received", "INT UNSIGNED NULL", 1},
      {"cdr", "b_received", "INT UNSIGNED NULL", 1},
      {"cdr", "a_lost", "INT NULL", 1},
      {"cdr", "b_lost", "INT NULL", 1},
      {"cdr", "a_avgjitter_mult10", "MEDIUMINT UNSIGNED NULL", 1},
      {"cdr", "b_avgjitter_mult10", "MEDIUMINT UNSIGNED NULL", 1},
      {"cdr", "a_maxjitter", "SMALLINT UNSIGNED NULL", 1},
      {"cdr", "b_maxjitter", "SMALLINT UNSIGNED NULL", 1},
      {"cdr", "vlan", "SMALLINT UNSIGNED NULL", 2},
      {"cdr_next", "cdr_ID", "BIGINT UNSIGNED NOT NULL", 1},
      {"cdr_next", "calldate", "DATETIME(3) NOT NULL", 1},
      {"cdr_next", "fbasename", "VARCHAR(255) NOT NULL", 1},
      {"cdr_next", "id_sensor", "SMALLINT UNSIGNED NOT NULL DEFAULT 0", 1},  // voxmon: dedup key
      {"cdr_rtp", "ID", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT", 1},
      {"cdr_rtp", "cdr_ID", "BIGINT UNSIGNED NOT NULL", 1},
      {"cdr_rtp", "calldate", "DATETIME(3) NOT NULL", 1},
      {"cdr_rtp", "saddr", "@IP", 1},
      {"cdr_rtp", "sport", "SMALLINT UNSIGNED NULL", 1},
      {"cdr_rtp", "daddr", "@IP", 1},
      {"cdr_rtp", "dport", "SMALLINT UNSIGNED NULL", 1},
      {"cdr_rtp", "ssrc", "INT UNSIGNED NULL", 1},
      {"cdr_rtp", "payload", "INT NULL", 1},
      {"cdr_rtp", "received", "INT UNSIGNED NULL", 1},
      {"cdr_rtp", "loss", "INT NULL", 1},
      {"cdr_rtp", "firsttime", "DECIMAL(9,3) NULL", 1},
      {"cdr_rtp", "avgjitter_mult10", "INT UNSIGNED NULL", 1},
      {"cdr_rtp", "maxjitter_mult10", "INT UNSIGNED NULL", 1},
      {"cdr_dtmf", "ID", "BIGINT UNSIGNED NOT NULL AUTO_INCREMENT", 2},
      {"cdr_dtmf", "cdr_ID", "BIGINT UNSIGNED NOT NULL", 2},
      {"cdr_dtmf", "calldate", "DATETIME(3) NOT NULL", 2},
      {"cdr_dtmf", "dtmf", "CHAR(1) NULL", 2},
      {"cdr_dtmf", "daddr", "@IP", 2},
      {"cdr_dtmf", "saddr", "@IP", 2},
      {"cdr_dtmf", "firsttime", "DECIMAL(9,3) NULL", 2},
      {"cdr_dtmf", "type", "TINYINT UNSIGNED NULL", 3},           // 0 SIP INFO, 1 RFC 2833
      {"cdr_dtmf", "duration", "DECIMAL(9,3) UNSIGNED NULL", 3},  // ms
      {"cdr_dtmf", "sender", "ENUM('caller','callee') NULL", 3},
  };
  // Version 3: voice quality (docs/QUALITY.md), per direction in cdr and per stream in cdr_rtp.
  for (const auto& q : cdr_quality_columns())
    v.push_back({"cdr", q.name, q.type, 3});
  // Version 4: cdr_rtp.intervals (the per-10-s series, JSON text).
  for (const auto& q : rtp_quality_columns())
    v.push_back({"cdr_rtp", q.name, q.type, q.since});
  return v;
  }();
  return cols;
}

const std::vector<mysql_table>& mysql_tables() {
  static const std::vector<mysql_table> tables = {
      {"voxmon_schema", "", false, 1},
      {"sensors", "PRIMARY KEY (id_sensor)", false, 1},
      {"cdr_sip_response", "PRIMARY KEY (id), UNIQUE KEY lastSIPresponse (lastSIPresponse)", false, 1},
      {"cdr_ua", "PRIMARY KEY (id), UNIQUE KEY ua (ua)", false, 1},
      {"cdr",
       "PRIMARY KEY (ID, calldate), KEY calldate (calldate), KEY callend (callend), "
       "KEY caller (caller), KEY called (called), KEY sipcallerip (sipcallerip), "
       "KEY sipcalledip (sipcalledip), KEY lastSIPresponseNum (lastSIPresponseNum), "
       "KEY id_sensor (id_sensor)",
       true, 1},
      {"cdr_next",
       "PRIMARY KEY (cdr_ID, calldate), UNIQUE KEY voxmon_dedup (fbasename, id_sensor, calldate)",
       true, 1},
      {"cdr_rtp", "PRIMARY KEY (ID, calldate), KEY cdr_ID (cdr_ID)", true, 1},
      {"cdr_dtmf", "PRIMARY KEY (ID, calldate), KEY cdr_ID (cdr_ID)", true, 2},
  };
  return tables;
}

std::string utc_day(int offset_days) {
  const time_t t = std::time(nullptr) + static_cast<time_t>(offset_days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string ensure_mysql_schema(mysql_db& db, const mysql_schema_options& o,
                                mysql_schema_info& info) {
  auto existing = db.query(
      "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE()");
  std::set<std::string> tables, columns;
  info.ip_binary = o.ipv6;
  for (auto& r : existing) {
    tables.insert(r.values[0]);
    columns.insert(r.values[0] + "." + r.values[1]);
    if (r.values[0] == "cdr" && r.values[1] == "sipcallerip")
      info.ip_binary = r.values[2] == "varbinary";  // an existing table keeps its IP type
  }
  if (tables.count("voxmon_schema")) {
    auto v = db.query("SELECT MAX(version) FROM voxmon_schema");
    info.version_before = v.empty() || v[0].is_null[0] ? 0 : std::stoi(v[0].values[0]);
  }
  if (info.version_before > o.target_version)
    return db.params().where() + " has voxmon schema version " +
           std::to_string(info.version_before) + ", this voxmon writes version " +
           std::to_string(o.target_version) + ": upgrade voxmon";
  const std::string first_day = utc_day(0);
  for (const auto& t : mysql_tables()) {
    if (t.since > o.target_version)
      continue;
    if (!tables.count(t.name)) {
      std::string sql = std::string("CREATE TABLE `") + t.name + "` (";
      bool first = true;
      for (const auto& c : mysql_columns()) {
        if (c.table != t.name || c.since > o.target_version)
          continue;
        sql += (first ? "" : ", ") + std::string("`") + c.name + "` " + column_type(c, info.ip_binary);
        first = false;
      }
      if (*t.keys)
        sql += std::string(", ") + t.keys;
      sql += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
      if (t.partitioned && o.partition)
        sql += " PARTITION BY RANGE COLUMNS(calldate) (PARTITION pold VALUES LESS THAN ('" +
               first_day + "'))";
      db.exec(sql);
      continue;
    }
    // Missing columns: one ALTER TABLE per table (MariaDB adds trailing columns instantly).
    std::string add;
    for (const auto& c : mysql_columns()) {
      if (c.table != t.name || c.since > o.target_version || columns.count(c.table + "." + c.name))
        continue;
      add += (add.empty() ? "" : ", ") + std::string("ADD COLUMN `") + c.name + "` " +
             column_type(c, info.ip_binary);
    }
    if (!add.empty())
      db.exec(std::string("ALTER TABLE `") + t.name + "` " + add);
  }
  info.partitioned = !partitions_of(db, "cdr").empty();
  if (info.partitioned)
    ensure_partitions_until(db, utc_day(partition_days_ahead));
  if (o.cleandatabase_days > 0)
    clean_before(db, utc_day(-static_cast<int>(o.cleandatabase_days)), info.partitioned);
  if (info.version_before != o.target_version)
    db.exec("INSERT INTO voxmon_schema (version, upgraded_at) VALUES (" +
            std::to_string(o.target_version) + ", UTC_TIMESTAMP())");
  info.version = o.target_version;
  return {};
}

void ensure_partitions_until(mysql_db& db, const std::string& day) {
  for (const auto& t : mysql_tables()) {
    if (!t.partitioned)
      continue;
    auto parts = partitions_of(db, t.name);
    if (parts.empty())
      continue;  // table not partitioned (or not created in this version)
    std::string upper = parts.back().second;  // everything below it is covered
    if (upper > day)
      continue;
    std::string sql = std::string("ALTER TABLE `") + t.name + "` ADD PARTITION (";
    bool first = true;
    // A long gap (a capture from months ago, then today) gets one partition, not one a day.
    if (days_between(upper, day) > 31) {
      sql += "PARTITION " + partition_name(upper) + " VALUES LESS THAN ('" + day + "')";
      upper = day;
      first = false;
    }
    while (upper <= day) {
      const std::string next = next_day(upper);
      sql += (first ? "" : ", ") + std::string("PARTITION ") + partition_name(upper) +
             " VALUES LESS THAN ('" + next + "')";
      first = false;
      upper = next;
    }
    db.exec(sql + ")");
  }
}

void clean_before(mysql_db& db, const std::string& cutoff_day, bool partitioned) {
  for (const auto& t : mysql_tables()) {
    if (!t.partitioned)
      continue;
    if (!partitioned) {
      db.exec(std::string("DELETE FROM `") + t.name + "` WHERE calldate < '" + cutoff_day + "'");
      continue;
    }
    auto parts = partitions_of(db, t.name);
    std::string drop;
    for (size_t i = 0; i + 1 < parts.size(); ++i)  // the newest partition always stays
      if (parts[i].second <= cutoff_day)
        drop += (drop.empty() ? "" : ",") + parts[i].first;
    if (!drop.empty())
      db.exec(std::string("ALTER TABLE `") + t.name + "` DROP PARTITION " + drop);
  }
}

}  // namespace voxmon::store
