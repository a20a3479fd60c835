#pragma once
// The MySQL schema as data: VoIPmonitor's tables and column names (cdr, cdr_next, cdr_rtp,
// cdr_dtmf, cdr_sip_response, cdr_ua, sensors) plus voxmon_schema (version). Each column says
// in which schema version it appeared, so an upgrade adds exactly what is missing (version 3
// added the voice quality columns of mysql_quality.hpp and cdr_dtmf's type/duration/sender,
// version 4 cdr_rtp.intervals).
#include <cstdint>
#include <string>
#include <vector>

#include "store/mysql_db.hpp"

namespace voxmon::store {

constexpr int mysql_schema_version = 4;

struct mysql_column {
  std::string table;
  std::string name;
  std::string type;  // "@IP" = INT UNSIGNED, or VARBINARY(16) when ipv6 = yes
  int since;         // schema version that added the column
};

struct mysql_table {
  const char* name;
  const char* keys;  // PRIMARY KEY / KEY clauses
  bool partitioned;  // by calldate, daily, when cdr_partition = yes
  int since;
};

const std::vector<mysql_column>& mysql_columns();
const std::vector<mysql_table>& mysql_tables();

struct mysql_schema_options {
  bool partition = true;
  bool ipv6 = false;
  uint32_t cleandatabase_days = 0;  // 0 = keep everything
  int target_version = mysql_schema_version;  // tests create older versions
};

// What the database holds after ensure_mysql_schema.
struct mysql_schema_info {
  int version_before = 0;   // 0 = the schema was created now
  int version = 0;
  bool ip_binary = false;   // sipcallerip & co are VARBINARY(16) (ipv6)
  bool partitioned = false;
};

// Creates missing tables, adds missing columns, stamps the version, creates partitions for
// today and the next days, drops partitions older than cleandatabase. Throws sql::SQLException.
// Refuses (error text) a database stamped by a newer voxmon.
std::string ensure_mysql_schema(mysql_db& db, const mysql_schema_options& o,
                                mysql_schema_info& info);

// Daily partitions: makes sure every calldate up to `day` (a "YYYY-MM-DD" UTC) has a partition.
void ensure_partitions_until(mysql_db& db, const std::string& day);
// Drops day partitions that end before `cutoff_day` (or deletes rows when not partitioned).
void clean_before(mysql_db& db, const std::string& cutoff_day, bool partitioned);

// "YYYY-MM-DD" of the UTC day `offset_days` from now.
std::string utc_day(int offset_days);

}  // namespace voxmon::store
