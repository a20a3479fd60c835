#pragma once
// The SQLite schema of the embedded store: VoIPmonitor's MySQL table and column names
// (docs/CDR.md maps each JSON field to its column), plus voxmon_schema(version).
#include <string_view>

namespace voxmon::store {

inline constexpr int sqlite_schema_version = 1;

// CREATE TABLE / CREATE INDEX statements, all "IF NOT EXISTS", separated by ';', for
// sqlite3_exec. Running them on a database that already has the schema changes nothing.
std::string_view sqlite_schema_sql();

}  // namespace voxmon::store
