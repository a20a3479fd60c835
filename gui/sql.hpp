#pragma once
// SQL text with its bound parameters, as the GUI's query builders produce it and both
// database back ends (gui/gui_db.hpp) execute it: every value is a parameter (`?`), never text
// pasted into the statement.
#include <cstdint>
#include <string>
#include <vector>

namespace voxmon::gui {

enum class sql_dialect : uint8_t { sqlite, mysql };

// On a MySQL store with the GUI's indexes (gui/mysql_gui_indexes.hpp): the VIRTUAL column
// holding the list's loss (the larger direction's packet_loss_perc_mult1000).
inline constexpr const char* mysql_loss_column = "voxmon_loss_mult1000";
// Its index on calldate, id, the numbers and every filtered column (the SQLite store's narrower
// one is cdr_gui_calldate_numbers).
inline constexpr const char* mysql_calldate_index = "cdr_gui_calldate_filters";

// What the queries must know about the store they run on.
struct db_features {
  sql_dialect dialect = sql_dialect::sqlite;
  bool ip_binary = false;        // MySQL: addresses are VARBINARY(16) (ipv6 = yes), else INT UNSIGNED
  bool reverse_columns = false;  // cdr has caller_reverse / called_reverse (VoIPmonitor's on MySQL)
  bool gui_indexes = false;      // prepare_store made the GUI's cdr_gui_* indexes (and on MySQL its columns)
};

struct sql_param {
  enum class kind : uint8_t { null, integer, real, text } k = kind::null;
  int64_t i = 0;
  double d = 0;
  std::string s;  // text or raw bytes
  static sql_param integer(int64_t v) { return {kind::integer, v, 0, {}}; }
  static sql_param real(double v) { return {kind::real, 0, v, {}}; }
  static sql_param text(std::string v) { return {kind::text, 0, 0, std::move(v)}; }
};

struct sql_query {
  std::string sql;
  std::vector<sql_param> params;
};

}  // namespace voxmon::gui
