#pragma once
// The SQLite schema of the embedded store: VoIPmonitor's MySQL table and column names
// (docs/CDR.md maps each JSON field to its column), plus voxmon_schema(version).
#include <string>
#include <string_view>
#include <vector>

namespace voxmon::store {

inline constexpr int sqlite_schema_version = 2;  // 2: voice quality columns, cdr_dtmf

// CREATE TABLE / CREATE INDEX statements, all "IF NOT EXISTS", separated by ';', for
// sqlite3_exec. Running them on a database that already has the schema changes nothing.
std::string_view sqlite_schema_sql();

// The voice quality columns of `cdr` (schema version 2), all INTEGER NULL, in insert order.
// open() adds the ones a table lacks (ALTER TABLE ADD COLUMN), so a version 1 file upgrades.
const std::vector<std::string>& sqlite_quality_columns();

}  // namespace voxmon::store
