#include "gui/session_store.hpp"

#include <openssl/sha.h>

#include "gui/password.hpp"

namespace voxmon::gui {

namespace {

// 64 hex digits of the token's SHA-256.
std::string key_of(std::string_view token) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d);
  return hex(std::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

bool well_formed(std::string_view token) {
  if (token.size() != 64)
    return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

}  // namespace

const std::vector<const char*>& session_table_sql(sql_dialect d) {
  static const std::vector<const char*> sqlite = {
      "CREATE TABLE IF NOT EXISTS voxmon_gui_sessions ("
      "token_sha256 TEXT PRIMARY KEY, user_name TEXT NOT NULL, role TEXT NOT NULL, "
      "csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS voxmon_gui_sessions_user ON voxmon_gui_sessions(user_name, created_ms)",
      "CREATE INDEX IF NOT EXISTS voxmon_gui_sessions_expires ON voxmon_gui_sessions(expires_ms)"};
  static const std::vector<const char*> mysql = {
      "CREATE TABLE IF NOT EXISTS voxmon_gui_sessions ("
      "token_sha256 CHAR(64) NOT NULL, user_name VARCHAR(64) NOT NULL, "
      "role ENUM('admin','viewer') NOT NULL, csrf CHAR(64) NOT NULL, created_ms BIGINT NOT NULL, "
      "expires_ms BIGINT NOT NULL, PRIMARY KEY (token_sha256), KEY user_created (user_name, created_ms), "
      "KEY expires (expires_ms)) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin"};
  return d == sql_dialect::mysql ? mysql : sqlite;
}

std::string session_store::create(gui_db& db, const std::string& user, user_role role, int64_t now_ms,
                                  session* out) const {
  const std::string token = hex(random_bytes(32));
  session s{user, role, hex(random_bytes(32)), now_ms, now_ms + lifetime_ms_};
  db.execute({"DELETE FROM voxmon_gui_sessions WHERE expires_ms <= ?", {sql_param::integer(now_ms)}});
  db.execute({"INSERT INTO voxmon_gui_sessions (token_sha256, user_name, role, csrf, created_ms, expires_ms) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              {sql_param::text(key_of(token)), sql_param::text(user), sql_param::text(to_string(role)),
               sql_param::text(s.csrf), sql_param::integer(s.created_ms), sql_param::integer(s.expires_ms)}});
  // The user's newest max_per_user sessions stay (the derived table lets MySQL read the table
  // it deletes from).
  db.execute({"DELETE FROM voxmon_gui_sessions WHERE user_name = ? AND token_sha256 NOT IN "
              "(SELECT token_sha256 FROM (SELECT token_sha256 FROM voxmon_gui_sessions WHERE user_name = ? "
              "ORDER BY created_ms DESC, token_sha256 LIMIT " + std::to_string(max_per_user_) + ") AS keep_newest)",
              {sql_param::text(user), sql_param::text(user)}});
  if (out)
    *out = s;
  return token;
}

std::optional<session> session_store::find(gui_db& db, std::string_view token, int64_t now_ms) const {
  if (!well_formed(token))
    return std::nullopt;
  const std::string key = key_of(token);
  auto r = db.query({"SELECT user_name, role, csrf, created_ms, expires_ms FROM voxmon_gui_sessions "
                     "WHERE token_sha256 = ?", {sql_param::text(key)}});
  if (r.rows.empty())
    return std::nullopt;
  const auto& row = r.rows[0];
  session s{row[0].as_text(), parse_role(row[1].as_text()).value_or(user_role::viewer), row[2].as_text(),
            row[3].as_int().value_or(0), row[4].as_int().value_or(0)};
  if (s.expires_ms <= now_ms) {
    db.execute({"DELETE FROM voxmon_gui_sessions WHERE token_sha256 = ?", {sql_param::text(key)}});
    return std::nullopt;
  }
  return s;
}

void session_store::erase(gui_db& db, std::string_view token) const {
  db.execute({"DELETE FROM voxmon_gui_sessions WHERE token_sha256 = ?", {sql_param::text(key_of(token))}});
}

void session_store::erase_user(gui_db& db, const std::string& user) const {
  db.execute({"DELETE FROM voxmon_gui_sessions WHERE user_name = ?", {sql_param::text(user)}});
}

size_t session_store::count(gui_db& db) const {
  return static_cast<size_t>(db.query({"SELECT COUNT(*) FROM voxmon_gui_sessions", {}}).first_int());
}

}  // namespace voxmon::gui
