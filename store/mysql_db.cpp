#include "store/mysql_db.hpp"

#include <cppconn/driver.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <mutex>

namespace voxmon::store {
namespace {

// Client error codes: the server could not be reached or the link broke.
bool is_transient(int code) {
  switch (code) {
    case 1040:  // too many connections
    case 1044:  // access denied to database
    case 1045:  // access denied (wrong user or password): fixable, keep the CDRs
    case 1053:  // server shutdown in progress
    case 1205:  // lock wait timeout
    case 1213:  // deadlock
    case 1927:  // connection killed
    case 2002: case 2003: case 2005: case 2006: case 2013: case 2055:
    case 0:     // connector-side error without a server code
      return true;
    default:
      return code >= 2000 && code < 3000;  // every other client-side (link) error
  }
}

std::unique_ptr<sql::Statement> statement(sql::Connection& c) {
  return std::unique_ptr<sql::Statement>(c.createStatement());
}

}  // namespace

std::string mysql_params::where() const {
  return "MySQL server '" + host + ":" + std::to_string(port) + "' (database '" + database + "')";
}

db_error classify(const sql::SQLException& e, const std::string& context) {
  db_error out;
  out.code = e.getErrorCode();
  out.kind = is_transient(out.code) ? db_error_kind::transient : db_error_kind::permanent;
  out.text = context + ": " + e.what() + " (error " + std::to_string(out.code) + ")";
  return out;
}

mysql_db::mysql_db(mysql_params p, sql::Connection* c) : params_(std::move(p)), conn_(c) {}
mysql_db::~mysql_db() {
  prepared_.clear();  // statements before their connection
}

std::unique_ptr<sql::Connection> open_mysql_connection(const mysql_params& p) {
  static std::mutex driver_mutex;  // the first get_mysql_driver_instance() is not thread-safe
  sql::mysql::MySQL_Driver* driver;
  {
    std::lock_guard<std::mutex> lock(driver_mutex);
    driver = sql::mysql::get_mysql_driver_instance();
  }
  sql::ConnectOptionsMap opts;
  opts["hostName"] = sql::SQLString("tcp://" + p.host + ":" + std::to_string(p.port));
  opts["userName"] = sql::SQLString(p.user);
  opts["password"] = sql::SQLString(p.password);
  opts["OPT_CONNECT_TIMEOUT"] = static_cast<int>(p.connect_timeout_s);
  opts["OPT_READ_TIMEOUT"] = static_cast<int>(p.io_timeout_s);
  opts["OPT_WRITE_TIMEOUT"] = static_cast<int>(p.io_timeout_s);
  opts["OPT_RECONNECT"] = false;
  opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  return std::unique_ptr<sql::Connection>(driver->connect(opts));
}

std::unique_ptr<mysql_db> mysql_db::connect(const mysql_params& p, db_error& error) {
  try {
    std::unique_ptr<mysql_db> db(new mysql_db(p, open_mysql_connection(p).release()));
    db->exec("CREATE DATABASE IF NOT EXISTS `" + p.database +
             "` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    db->conn_->setSchema(sql::SQLString(p.database));
    db->exec("SET time_zone = '+00:00'");
    db->exec("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
    db->conn_->setAutoCommit(true);
    return db;
  } catch (const sql::SQLException& e) {
    error = classify(e, "cannot connect to " + p.where());
    if (error.code == 0 || error.code >= 2000)
      error.kind = db_error_kind::transient;
    return nullptr;
  }
}

void mysql_db::exec(const std::string& sql) { statement(*conn_)->execute(sql::SQLString(sql)); }

uint64_t mysql_db::update(const std::string& sql) {
  return static_cast<uint64_t>(statement(*conn_)->executeUpdate(sql::SQLString(sql)));
}

std::vector<mysql_db::row> mysql_db::query(const std::string& sql) {
  auto st = statement(*conn_);
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql::SQLString(sql)));
  const unsigned cols = rs->getMetaData()->getColumnCount();
  std::vector<row> out;
  while (rs->next()) {
    row r;
    for (unsigned i = 1; i <= cols; ++i) {
      r.values.push_back(std::string(rs->getString(i)));
      r.is_null.push_back(rs->isNull(i));
    }
    out.push_back(std::move(r));
  }
  return out;
}

uint64_t mysql_db::last_insert_id() {
  auto rows = query("SELECT LAST_INSERT_ID()");
  return rows.empty() ? 0 : std::stoull(rows[0].values[0]);
}

sql::PreparedStatement& mysql_db::prepared(const std::string& head, size_t columns,
                                           size_t rows) {
  auto& st = prepared_[{head, rows}];
  if (!st) {
    std::string one = "(";
    for (size_t c = 0; c < columns; ++c)
      one += c ? ",?" : "?";
    one += ')';
    std::string sql = head;
    sql.reserve(head.size() + rows * (one.size() + 1));
    for (size_t r = 0; r < rows; ++r)
      sql += (r ? "," : "") + one;
    st.reset(conn_->prepareStatement(sql::SQLString(sql)));
  }
  return *st;
}

void mysql_db::insert_rows(const std::string& head, size_t columns,
                           const std::vector<sql_value>& values,
                           const std::function<void(size_t, size_t)>& after_chunk) {
  if (columns == 0)
    return;
  const size_t total = values.size() / columns;
  // Chunks of 256, 128, ... 1 rows (within the 65,535 placeholders of a statement), so a few
  // cached statements serve every batch size.
  size_t max_rows = 256;
  while (max_rows > 1 && max_rows * columns > 65535)
    max_rows /= 2;
  size_t row = 0;
  while (row < total) {
    size_t n = max_rows;
    while (n > total - row)
      n /= 2;
    auto& st = prepared(head, columns, n);
    const sql_value* v = values.data() + row * columns;
    for (unsigned i = 1; i <= n * columns; ++i, ++v) {
      switch (v->k) {
        case sql_value::kind::null: st.setNull(i, sql::DataType::SQLNULL); break;
        case sql_value::kind::integer: st.setInt64(i, v->i); break;
        case sql_value::kind::text: st.setString(i, sql::SQLString(v->s)); break;
      }
    }
    st.executeUpdate();
    if (after_chunk)
      after_chunk(row, n);
    row += n;
  }
}

std::string mysql_db::quote(const std::string& text) {
  auto* c = dynamic_cast<sql::mysql::MySQL_Connection*>(conn_.get());
  return "'" + std::string(c->escapeString(sql::SQLString(text))) + "'";
}

}  // namespace voxmon::store
