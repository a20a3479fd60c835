#pragma once
// The GUI's connection to the CDR store the node writes: SQLite (`db = sqlite:PATH`) or MySQL
// (`mysqlhost` / `db = mysql://...`), with prepared statements only (sqlite3_bind, Connector/C++
// PreparedStatement). A small pool hands connections to request handlers.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "store/mysql_params.hpp"
#include "gui/sql.hpp"

namespace voxmon::gui {

struct db_value {
  enum class kind : uint8_t { null, integer, real, text } k = kind::null;
  int64_t i = 0;
  double d = 0;
  std::string s;
  bool is_null() const { return k == kind::null; }
  std::string as_text() const;  // "" for NULL, numbers printed
  std::optional<int64_t> as_int() const;
  std::optional<double> as_real() const;
};
using db_row = std::vector<db_value>;

struct db_result {
  std::vector<std::string> columns;
  std::vector<db_row> rows;
  int column(const std::string& name) const;  // -1 when absent
  int64_t first_int() const;  // the first row's first value (COUNT, MAX): 0 without rows or for NULL
};

// A query failed; `transient` when the connection is gone (the pool drops it).
struct db_failure : std::runtime_error {
  db_failure(const std::string& what, bool transient_) : std::runtime_error(what), transient(transient_) {}
  bool transient;
};

class gui_db {
 public:
  virtual ~gui_db() = default;
  virtual db_result query(const sql_query& q) = 0;      // throws db_failure
  virtual uint64_t execute(const sql_query& q) = 0;     // affected rows; throws db_failure
  virtual const db_features& features() const = 0;
};

// What the GUI needs of the settings to reach the store.
struct db_target {
  bool mysql = false;
  std::string sqlite_path;
  store::mysql_params mysql_params;  // when `mysql`
  bool ipv6 = false, partition = true;
  std::string describe() const;  // "sqlite:/path" or "MySQL server 'h:p' (database 'db')"
};
// From the settings (the MySQL password file or VOXMON_MYSQL_PASSWORD are read here).
std::optional<db_target> db_target_of(const config::settings& s, std::string& error);

// Makes sure the store has the CDR schema and the voxmon_users and voxmon_gui_sessions tables,
// and finds its features (MySQL: IP column type, VoIPmonitor's _reverse columns). Returns an error text on failure.
std::string prepare_store(const db_target& t, db_features& features);
// The indexes prepare_store adds to a SQLite store for the list's plans (CREATE INDEX IF NOT
// EXISTS statements; gui/cdr_query.cpp uses them when features.gui_indexes).
const std::vector<const char*>& gui_sqlite_indexes();

std::unique_ptr<gui_db> open_db(const db_target& t, const db_features& features, std::string& error);

class db_pool {
 public:
  db_pool(db_target t, db_features f, size_t max_connections = 8)
      : target_(std::move(t)), features_(f), max_(max_connections) {}
  class lease {
   public:
    lease(db_pool* p, std::unique_ptr<gui_db> db) : pool_(p), db_(std::move(db)) {}
    lease(lease&&) = default;
    ~lease() { if (db_ && pool_) pool_->give_back(std::move(db_), healthy_); }
    gui_db* operator->() { return db_.get(); }
    gui_db& operator*() { return *db_; }
    void broken() { healthy_ = false; }
   private:
    db_pool* pool_;
    std::unique_ptr<gui_db> db_;
    bool healthy_ = true;
  };
  // A connection (waits up to 10 s for a free one); throws db_failure when none can be opened.
  lease acquire();
  const db_features& features() const { return features_; }

 private:
  void give_back(std::unique_ptr<gui_db> db, bool healthy);
  db_target target_;
  db_features features_;
  size_t max_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<gui_db>> idle_;
  size_t out_ = 0;
};

// Runs `fn(db)`; a transient failure marks the connection broken (not reused).
template <class F>
auto with_db(db_pool& pool, F&& fn) {
  auto l = pool.acquire();
  try {
    return fn(*l);
  } catch (const db_failure& e) {
    if (e.transient)
      l.broken();
    throw;
  }
}

}  // namespace voxmon::gui
