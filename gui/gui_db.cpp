#include "gui/gui_db.hpp"
#include "gui/mysql_gui_indexes.hpp"
#include "gui/session_store.hpp"

#include <sqlite3.h>

#include <cppconn/datatype.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>

#include "config/store_settings.hpp"
#include "store/mysql_db.hpp"
#include "store/mysql_schema.hpp"
#include "store/sqlite_sink.hpp"

namespace voxmon::gui {

namespace {

constexpr const char* sqlite_users_sql =
    "CREATE TABLE IF NOT EXISTS voxmon_users ("
    "id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
    "role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')), "
    "password_hash TEXT NOT NULL, created TEXT NOT NULL)";
constexpr const char* mysql_users_sql =
    "CREATE TABLE IF NOT EXISTS voxmon_users ("
    "id INT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(64) NOT NULL, "
    "role ENUM('admin','viewer') NOT NULL, password_hash VARCHAR(255) NOT NULL, "
    "created DATETIME NOT NULL, PRIMARY KEY (id), UNIQUE KEY name (name)) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

// ---- SQLite ----

class sqlite_db final : public gui_db {
 public:
  sqlite_db(sqlite3* h, db_features f) : h_(h), features_(f) {}
  ~sqlite_db() override {
    for (auto& [sql, st] : cache_)
      sqlite3_finalize(st);
    sqlite3_close(h_);
  }
  const db_features& features() const override { return features_; }

  db_result query(const sql_query& q) override {
    sqlite3_stmt* st = prepare(q);
    db_result out;
    const int n = sqlite3_column_count(st);
    for (int i = 0; i < n; ++i)
      out.columns.push_back(sqlite3_column_name(st, i));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      db_row row(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_INTEGER: row[i].k = db_value::kind::integer; row[i].i = sqlite3_column_int64(st, i); break;
          case SQLITE_FLOAT: row[i].k = db_value::kind::real; row[i].d = sqlite3_column_double(st, i); break;
          case SQLITE_NULL: break;
          default: {
            row[i].k = db_value::kind::text;
            const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
            row[i].s.assign(p ? p : "", sqlite3_column_bytes(st, i));
          }
        }
      }
      out.rows.push_back(std::move(row));
    }
    finish(st, rc);
    return out;
  }

  uint64_t execute(const sql_query& q) override {
    sqlite3_stmt* st = prepare(q);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    finish(st, rc);
    return static_cast<uint64_t>(sqlite3_changes(h_));
  }

 private:
  sqlite3_stmt* prepare(const sql_query& q) {
    auto& st = cache_[q.sql];
    if (!st && sqlite3_prepare_v2(h_, q.sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      const std::string e = sqlite3_errmsg(h_);
      cache_.erase(q.sql);
      throw db_failure("SQLite: " + e, false);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    int i = 1;
    for (const auto& p : q.params) {
      switch (p.k) {
        case sql_param::kind::null: sqlite3_bind_null(st, i); break;
        case sql_param::kind::integer: sqlite3_bind_int64(st, i, p.i); break;
        case sql_param::kind::real: sqlite3_bind_double(st, i, p.d); break;
        case sql_param::kind::text:
          sqlite3_bind_text(st, i, p.s.data(), static_cast<int>(p.s.size()), SQLITE_TRANSIENT);
          break;
      }
      ++i;
    }
    return st;
  }
  void finish(sqlite3_stmt* st, int rc) {
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      throw db_failure(std::string("SQLite: ") + sqlite3_errstr(rc),
                       rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_IOERR);
  }
  sqlite3* h_;
  db_features features_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

// ---- MySQL (Connector/C++ 1.1) ----

bool transient_mysql(int code) { return code == 0 || (code >= 2000 && code < 3000) || code == 1053 || code == 1927; }

class mysql_conn final : public gui_db {
 public:
  mysql_conn(sql::Connection* c, db_features f) : conn_(c), features_(f) {}
  ~mysql_conn() override { cache_.clear(); }
  const db_features& features() const override { return features_; }

  db_result query(const sql_query& q) override {
    try {
      auto& st = prepare(q);
      std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
      db_result out;
      auto* meta = rs->getMetaData();
      const unsigned n = meta->getColumnCount();
      std::vector<int> types(n + 1);
      std::vector<bool> is_signed(n + 1);
      for (unsigned i = 1; i <= n; ++i) {
        out.columns.push_back(std::string(meta->getColumnLabel(i)));
        types[i] = meta->getColumnType(i);
        is_signed[i] = meta->isSigned(i);
      }
      while (rs->next()) {
        db_row row(n);
        for (unsigned i = 1; i <= n; ++i) {
          auto& v = row[i - 1];
          if (rs->isNull(i))
            continue;
          switch (types[i]) {
            case sql::DataType::BIT: case sql::DataType::TINYINT: case sql::DataType::SMALLINT:
            case sql::DataType::MEDIUMINT: case sql::DataType::INTEGER: case sql::DataType::BIGINT:
            case sql::DataType::YEAR:
              v.k = db_value::kind::integer;
              v.i = is_signed[i] ? rs->getInt64(i) : static_cast<int64_t>(rs->getUInt64(i));
              break;
            case sql::DataType::REAL: case sql::DataType::DOUBLE: case sql::DataType::DECIMAL:
            case sql::DataType::NUMERIC:
              v.k = db_value::kind::real;
              v.d = static_cast<double>(rs->getDouble(i));
              break;
            default:
              v.k = db_value::kind::text;
              v.s = std::string(rs->getString(i));
          }
        }
        out.rows.push_back(std::move(row));
      }
      return out;
    } catch (const sql::SQLException& e) {
      throw db_failure(std::string("MySQL: ") + e.what(), transient_mysql(e.getErrorCode()));
    }
  }

  uint64_t execute(const sql_query& q) override {
    try {
      return static_cast<uint64_t>(prepare(q).executeUpdate());
    } catch (const sql::SQLException& e) {
      throw db_failure(std::string("MySQL: ") + e.what(), transient_mysql(e.getErrorCode()));
    }
  }

 private:
  sql::PreparedStatement& prepare(const sql_query& q) {
    auto& st = cache_[q.sql];
    if (!st) {
      if (cache_.size() > 128) {  // the filters make many shapes: keep the cache bounded
        cache_.clear();
        return prepare(q);
      }
      st.reset(conn_->prepareStatement(sql::SQLString(q.sql)));
    }
    st->clearParameters();
    unsigned i = 1;
    for (const auto& p : q.params) {
      switch (p.k) {
        case sql_param::kind::null: st->setNull(i, sql::DataType::SQLNULL); break;
        case sql_param::kind::integer: st->setInt64(i, p.i); break;
        case sql_param::kind::real: st->setDouble(i, p.d); break;
        case sql_param::kind::text: st->setString(i, sql::SQLString(p.s)); break;
      }
      ++i;
    }
    return *st;
  }
  std::unique_ptr<sql::Connection> conn_;
  db_features features_;
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> cache_;
};

store::mysql_params params_of(const db_target& t) {
  store::mysql_params p = t.mysql_params;
  p.connect_timeout_s = 5;
  p.io_timeout_s = 30;
  return p;
}

}  // namespace

const std::vector<const char*>& gui_sqlite_indexes() {
  static const std::vector<const char*> v = {
      "CREATE INDEX IF NOT EXISTS cdr_gui_calldate_numbers ON cdr(calldate, ID, caller, called)",
      "CREATE INDEX IF NOT EXISTS cdr_gui_duration ON cdr(duration, ID, calldate)",
      "CREATE INDEX IF NOT EXISTS cdr_gui_mos ON cdr(mos_min_mult10, ID, calldate)",
      // The expression must stay loss_expression(sqlite) (the planner matches it).
      "CREATE INDEX IF NOT EXISTS cdr_gui_loss ON cdr(MAX(COALESCE(a_packet_loss_perc_mult1000, 0), "
      "COALESCE(b_packet_loss_perc_mult1000, 0)), ID, calldate)",
      "CREATE INDEX IF NOT EXISTS cdr_gui_caller ON cdr(caller, ID, calldate)",
      "CREATE INDEX IF NOT EXISTS cdr_gui_called ON cdr(called, ID, calldate)",
      // Suffix searches as prefix ranges of the reversed numbers (written by the store).
      "CREATE INDEX IF NOT EXISTS cdr_gui_caller_reverse ON cdr(caller_reverse)",
      "CREATE INDEX IF NOT EXISTS cdr_gui_called_reverse ON cdr(called_reverse)",
      // The dashboard's aggregates read only these columns: an index-only scan instead of
      // reading every wide row (31 days of 1M calls: 3.45 s -> 1.84 s).
      "CREATE INDEX IF NOT EXISTS cdr_gui_dashboard ON cdr(calldate, connect_duration, mos_min_mult10, "
      "a_packet_loss_perc_mult1000, b_packet_loss_perc_mult1000, sipcalledip, id_sensor)"};
  return v;
}

std::string db_value::as_text() const {
  switch (k) {
    case kind::null: return {};
    case kind::integer: return std::to_string(i);
    case kind::real: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", d);
      std::string s = buf;
      while (s.back() == '0')
        s.pop_back();
      if (s.back() == '.')
        s.pop_back();
      return s;
    }
    case kind::text: return s;
  }
  return {};
}

std::optional<int64_t> db_value::as_int() const {
  if (k == kind::integer)
    return i;
  if (k == kind::real)
    return static_cast<int64_t>(d);
  if (k == kind::text) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && p == s.data() + s.size())
      return v;
  }
  return std::nullopt;
}

std::optional<double> db_value::as_real() const {
  if (k == kind::integer)
    return static_cast<double>(i);
  if (k == kind::real)
    return d;
  if (k == kind::text && !s.empty()) {
    try {
      return std::stod(s);
    } catch (...) {
    }
  }
  return std::nullopt;
}

int db_result::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name)
      return static_cast<int>(i);
  return -1;
}

int64_t db_result::first_int() const {
  return rows.empty() || rows[0].empty() ? 0 : rows[0][0].as_int().value_or(0);
}

std::string db_target::describe() const {
  return mysql ? params_of(*this).where() : "sqlite:" + sqlite_path;
}

std::optional<db_target> db_target_of(const config::settings& s, std::string& error) {
  db_target t;
  if (config::uses_mysql(s)) {
    auto params = config::mysql_params_of(s, error);
    if (!params)
      return std::nullopt;
    t.mysql = true;
    t.mysql_params = std::move(*params);
    t.ipv6 = s.ipv6;
    t.partition = s.cdr_partition;
    return t;
  }
  if (s.db.rfind("sqlite:", 0) == 0 && s.db.size() > 7) {
    t.sqlite_path = s.db.substr(7);
    return t;
  }
  error = "the web GUI needs a CDR store: db = sqlite:PATH or a MySQL store (mysqlhost or "
          "db = mysql://...), not '" + s.db + "'";
  return std::nullopt;
}

std::string prepare_store(const db_target& t, db_features& f) {
  f = db_features{};
  if (!t.mysql) {
    std::string error;
    auto sink = store::sqlite_sink::open(t.sqlite_path, error);  // creates / upgrades the schema
    if (!sink)
      return error;
    sink.reset();
    auto db = open_db(t, f, error);
    if (!db)
      return error;
    try {
      db->execute({sqlite_users_sql, {}});
      for (const char* sql : session_table_sql(sql_dialect::sqlite))
        db->execute({sql, {}});
      // The MySQL schema's address keys, which the SQLite schema lacks: the GUI's ip filter.
      // The first start on a big store builds them once (about 1 s per million calls).
      db->execute({"CREATE INDEX IF NOT EXISTS cdr_sipcallerip ON cdr(sipcallerip)", {}});
      db->execute({"CREATE INDEX IF NOT EXISTS cdr_sipcalledip ON cdr(sipcalledip)", {}});
      // The list's plans on a big store (gui/cdr_query.cpp, docs/GUI.md "Extra indexes"): each
      // sort key with the id (the tie-break) and calldate, so a page in that order walks one
      // index and checks the time range without reading the row; calldate with the id and the
      // numbers, so suffix and substring searches read the index, not the rows. About 6 s on
      // the first start with a million calls.
      for (const char* sql : gui_sqlite_indexes())
        db->execute({sql, {}});
      f.gui_indexes = true;
      f.reverse_columns = true;  // the store's schema (version 5) has them
    } catch (const db_failure& e) {
      return "cannot create the voxmon_users and voxmon_gui_sessions tables or the GUI's indexes in " + t.describe() + ": " + e.what();
    }
    return {};
  }
  f.dialect = sql_dialect::mysql;
  store::db_error err;
  auto db = store::mysql_db::connect(params_of(t), err);
  if (!db)
    return err.text;
  try {
    store::mysql_schema_options o;
    o.partition = t.partition;
    o.ipv6 = t.ipv6;
    store::mysql_schema_info info;
    if (auto e = store::ensure_mysql_schema(*db, o, info); !e.empty())
      return e;
    f.ip_binary = info.ip_binary;
    // The list's indexes and generated columns (gui/mysql_gui_indexes.hpp): about 40 s on the
    // first start with a million calls, nothing later.
    add_mysql_gui_indexes(*db, f);
    db->exec(mysql_users_sql);
    for (const char* sql : session_table_sql(sql_dialect::mysql))
      db->exec(sql);
  } catch (const sql::SQLException& e) {
    return store::classify(e, "preparing " + t.describe() + " for the GUI").text;
  }
  return {};
}

std::unique_ptr<gui_db> open_db(const db_target& t, const db_features& f, std::string& error) {
  if (!t.mysql) {
    sqlite3* h = nullptr;
    if (sqlite3_open_v2(t.sqlite_path.c_str(), &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      error = "cannot open SQLite database '" + t.sqlite_path + "': " + (h ? sqlite3_errmsg(h) : "out of memory");
      sqlite3_close(h);
      return nullptr;
    }
    sqlite3_busy_timeout(h, 5000);
    return std::make_unique<sqlite_db>(h, f);
  }
  try {
    const auto p = params_of(t);
    std::unique_ptr<sql::Connection> c = store::open_mysql_connection(p);
    c->setSchema(sql::SQLString(p.database));
    std::unique_ptr<sql::Statement> st(c->createStatement());
    st->execute("SET time_zone = '+00:00'");
    c->setAutoCommit(true);
    return std::make_unique<mysql_conn>(c.release(), f);
  } catch (const sql::SQLException& e) {
    error = store::classify(e, "cannot connect to " + t.describe()).text;
    return nullptr;
  }
}

db_pool::lease db_pool::acquire() {
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, std::chrono::seconds(10), [&] { return !idle_.empty() || out_ < max_; }))
    throw db_failure("all database connections are busy; try again", true);
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    ++out_;
    return lease(this, std::move(db));
  }
  ++out_;
  lock.unlock();
  std::string error;
  auto db = open_db(target_, features_, error);
  if (!db) {
    lock.lock();
    --out_;
    freed_.notify_one();
    throw db_failure(error, true);
  }
  return lease(this, std::move(db));
}

void db_pool::give_back(std::unique_ptr<gui_db> db, bool healthy) {
  std::lock_guard lock(mutex_);
  --out_;
  if (healthy)
    idle_.push_back(std::move(db));
  freed_.notify_one();
}

}  // namespace voxmon::gui
