#include "store/sqlite_schema.hpp"

namespace voxmon::store {

std::string_view sqlite_schema_sql() {
  return R"SQL(
CREATE TABLE IF NOT EXISTS voxmon_schema (
  version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cdr_sip_response (
  id INTEGER PRIMARY KEY,
  lastSIPresponse TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS cdr_ua (
  id INTEGER PRIMARY KEY,
  ua TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS cdr (
  ID INTEGER PRIMARY KEY,
  calldate TEXT NOT NULL,
  callend TEXT NOT NULL,
  duration REAL NOT NULL,
  connect_duration REAL NULL,
  progress_time REAL NULL,
  first_rtp_time REAL NULL,
  caller TEXT,
  callername TEXT,
  caller_domain TEXT,
  called TEXT,
  called_domain TEXT,
  sipcallerip TEXT,
  sipcallerport INTEGER,
  sipcalledip TEXT,
  sipcalledport INTEGER,
  lastSIPresponseNum INTEGER,
  lastSIPresponse_id INTEGER NULL REFERENCES cdr_sip_response(id),
  bye INTEGER,
  whohanged INTEGER NULL,
  a_ua_id INTEGER NULL REFERENCES cdr_ua(id),
  b_ua_id INTEGER NULL REFERENCES cdr_ua(id),
  id_sensor INTEGER,
  vlan INTEGER NULL,
  a_payload INTEGER NULL,
  b_payload INTEGER NULL,
  a_received INTEGER,
  b_received INTEGER,
  a_lost INTEGER,
  b_lost INTEGER,
  a_avgjitter_mult10 INTEGER NULL,
  b_avgjitter_mult10 INTEGER NULL,
  a_maxjitter INTEGER NULL,
  b_maxjitter INTEGER NULL,
  caller_reverse TEXT,
  called_reverse TEXT
);
CREATE INDEX IF NOT EXISTS cdr_calldate ON cdr(calldate);
CREATE INDEX IF NOT EXISTS cdr_caller ON cdr(caller);
CREATE INDEX IF NOT EXISTS cdr_called ON cdr(called);
CREATE TABLE IF NOT EXISTS cdr_next (
  cdr_ID INTEGER PRIMARY KEY REFERENCES cdr(ID),
  calldate TEXT NOT NULL,
  fbasename TEXT
);
CREATE INDEX IF NOT EXISTS cdr_next_fbasename ON cdr_next(fbasename);
CREATE TABLE IF NOT EXISTS cdr_rtp (
  ID INTEGER PRIMARY KEY,
  cdr_ID INTEGER NOT NULL REFERENCES cdr(ID),
  saddr TEXT,
  sport INTEGER,
  daddr TEXT,
  dport INTEGER,
  ssrc INTEGER,
  payload INTEGER NULL,
  received INTEGER,
  loss INTEGER,
  firsttime REAL,
  avgjitter_mult10 INTEGER,
  maxjitter_mult10 INTEGER
);
CREATE INDEX IF NOT EXISTS cdr_rtp_cdr_ID ON cdr_rtp(cdr_ID);
CREATE TABLE IF NOT EXISTS cdr_dtmf (
  ID INTEGER PRIMARY KEY,
  cdr_ID INTEGER NOT NULL REFERENCES cdr(ID),
  saddr TEXT,
  daddr TEXT,
  firsttime REAL,
  dtmf TEXT,
  type INTEGER,
  duration REAL NULL,
  sender INTEGER NULL
);
CREATE INDEX IF NOT EXISTS cdr_dtmf_cdr_ID ON cdr_dtmf(cdr_ID);
)SQL";
}

const std::vector<std::string>& sqlite_quality_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> v;
    for (const char* side : {"a_", "b_"}) {
      const std::string x = side;
      for (const char* m : {"mos_f1", "mos_f2", "mos_adapt"}) {
        v.push_back(x + m + "_mult10");
        v.push_back(x + m + "_min_mult10");
      }
      for (int i = 1; i <= 10; ++i)
        v.push_back(x + "sl" + std::to_string(i));
      for (const char* d : {"d50", "d70", "d90", "d120", "d150", "d200", "d300"})
        v.push_back(x + d);
      v.push_back(x + "packet_loss_perc_mult1000");
      for (const char* r : {"rtcp_loss", "rtcp_maxfr", "rtcp_avgfr_mult10", "rtcp_maxjitter",
                            "rtcp_avgjitter_mult10"})
        v.push_back(x + r);
    }
    v.push_back("mos_min_mult10");
    // schema 3
    v.push_back("a_srtp");
    v.push_back("b_srtp");
    v.push_back("capture_loss");
    v.push_back("capture_dropped");
    v.push_back("sighup");  // VoIPmonitor's cdr.sighup: closed because the sensor stopped
    return v;
  }();
  return columns;
}

const std::vector<std::string>& sqlite_rtp_quality_columns() {
  // The names of the MySQL store's cdr_rtp (store/mysql_quality.cpp) where it has the figure.
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> v;
    for (const char* m : {"mos_f1", "mos_f2", "mos_adapt"}) {
      v.push_back(std::string(m) + "_mult10");
      v.push_back(std::string(m) + "_min_mult10");
    }
    v.push_back("mos_min_mult10");
    for (const char* b : {"f1", "f2", "adapt"})
      v.push_back(std::string(b) + "_late");
    for (int i = 1; i <= 10; ++i)
      v.push_back("sl" + std::to_string(i));
    for (const char* d : {"d50", "d70", "d90", "d120", "d150", "d200", "d300"})
      v.push_back(d);
    for (const char* c : {"packet_loss_perc_mult1000", "reordered", "duplicates", "codec",
                          "rtp_ptime", "cn", "srtp", "rtcp_reports", "rtcp_loss", "rtcp_maxfr",
                          "rtcp_avgfr_mult10", "rtcp_maxjitter", "rtcp_avgjitter_mult10",
                          "rtcp_avgrtd_mult10", "rtcp_maxrtd_mult10", "rtcp_xr_mos_lq_mult10",
                          "rtcp_xr_mos_cq_mult10", "rtcp_xr_r_factor"})
      v.push_back(c);
    // schema 4: the per-10-s series as JSON text (docs/CDR.md), read whole by the GUI
    v.push_back("intervals");
    return v;
  }();
  return columns;
}

std::string_view sqlite_column_type(std::string_view column) {
  return column == "codec" || column == "intervals" ? "TEXT NULL" : "INTEGER NULL";
}

}  // namespace voxmon::store
