#pragma once
// A MySQL/MariaDB connection through Connector/C++ 1.1 (legacy sql::mysql API): connect with
// timeouts, run statements, classify errors as transient (retry later, keep CDRs in the
// journal) or permanent (the data itself is refused: dead-letter file).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/mysql_params.hpp"

namespace sql {
class Connection;
class PreparedStatement;
class SQLException;
}  // namespace sql

namespace voxmon::store {


enum class db_error_kind { none, transient, permanent };

struct db_error {
  db_error_kind kind = db_error_kind::none;
  int code = 0;
  std::string text;
  explicit operator bool() const { return kind != db_error_kind::none; }
};

db_error classify(const sql::SQLException& e, const std::string& context);

// A Connector/C++ connection with voxmon's options (timeouts, no auto-reconnect, utf8mb4) to
// the server of `p`; no schema selected. Throws sql::SQLException. The one place that reaches
// the driver (whose first use is not thread-safe: guarded here).
std::unique_ptr<sql::Connection> open_mysql_connection(const mysql_params& p);

// One value of a row bound to a prepared statement: NULL, an integer, or text (also dates,
// decimals as "1.234" and raw bytes; the server converts to the column type).
struct sql_value {
  enum class kind : uint8_t { null, integer, text };
  kind k = kind::null;
  int64_t i = 0;
  std::string s;
  static sql_value null() { return {}; }
  static sql_value integer(int64_t v) { return {kind::integer, v, {}}; }
  static sql_value text(std::string v) { return {kind::text, 0, std::move(v)}; }
};

class mysql_db {
 public:
  // Connects, creates the database when missing and selects it. nullptr + error on failure.
  static std::unique_ptr<mysql_db> connect(const mysql_params& p, db_error& error);
  ~mysql_db();
  mysql_db(const mysql_db&) = delete;
  mysql_db& operator=(const mysql_db&) = delete;

  // These throw sql::SQLException on failure.
  void exec(const std::string& sql);
  uint64_t update(const std::string& sql);  // affected rows
  // Every row of a query, every column as text ("" for NULL; is_null tells them apart).
  struct row {
    std::vector<std::string> values;
    std::vector<bool> is_null;
  };
  std::vector<row> query(const std::string& sql);
  uint64_t last_insert_id();
  // Inserts `values.size() / columns` rows through server-side prepared multi-row statements
  // (binary protocol: the server parses no values; statements are cached), in chunks of at
  // most 256 rows. `head` is "INSERT INTO t (a, b, ...) VALUES ". `after_chunk(first_row, rows)`
  // runs after each chunk's INSERT (LAST_INSERT_ID() is the chunk's first id then).
  void insert_rows(const std::string& head, size_t columns, const std::vector<sql_value>& values,
                   const std::function<void(size_t, size_t)>& after_chunk = {});
  // A quoted, escaped SQL string literal ('...').
  std::string quote(const std::string& text);
  const mysql_params& params() const { return params_; }

 private:
  mysql_db(mysql_params p, sql::Connection* c);
  sql::PreparedStatement& prepared(const std::string& head, size_t columns, size_t rows);
  mysql_params params_;
  std::unique_ptr<sql::Connection> conn_;
  std::map<std::pair<std::string, size_t>, std::unique_ptr<sql::PreparedStatement>> prepared_;
};

}  // namespace voxmon::store
