#pragma once
// The SQLite schema of the embedded store: VoIPmonitor's MySQL table and column names
// (docs/CDR.md maps each JSON field to its column), plus voxmon_schema(version).
#include <string>
#include <string_view>
#include <vector>

namespace voxmon::store {

// 2: voice quality columns, cdr_dtmf. 3: per-stream quality in cdr_rtp, SRTP, capture loss.
// 4: cdr_rtp.intervals (the per-10-s series as JSON text). 5: cdr.caller_reverse and
// called_reverse (the numbers reversed, as VoIPmonitor's MySQL columns: suffix searches).
inline constexpr int sqlite_schema_version = 5;

// CREATE TABLE / CREATE INDEX statements, all "IF NOT EXISTS", separated by ';', for
// sqlite3_exec. Running them on a database that already has the schema changes nothing.
std::string_view sqlite_schema_sql();

// The voice quality columns of `cdr` (schema versions 2 and 3), all INTEGER NULL, in insert
// order. open() adds the ones a table lacks (ALTER TABLE ADD COLUMN), so older files upgrade.
const std::vector<std::string>& sqlite_quality_columns();
// The per-stream quality columns of `cdr_rtp` (schema versions 3 and 4), in insert order; added
// the same way. INTEGER NULL except `codec` and `intervals` (sqlite_column_type).
const std::vector<std::string>& sqlite_rtp_quality_columns();
// "TEXT NULL" for codec and intervals, else "INTEGER NULL".
std::string_view sqlite_column_type(std::string_view column);

}  // namespace voxmon::store
