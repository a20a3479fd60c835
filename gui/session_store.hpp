#pragma once
// The web GUI's sessions, kept in the CDR store's voxmon_gui_sessions table (SQLite or MySQL),
// so a restart logs nobody out and several GUI processes over one store share their logins.
// The client holds a random 32-byte token (64 hex digits, the cookie); the table holds only its
// SHA-256, so reading the table gives no usable token. Expired rows are deleted as new sessions
// are made; each user keeps at most `max_per_user` sessions (the oldest go first).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gui/auth.hpp"
#include "gui/gui_db.hpp"

namespace voxmon::gui {

// CREATE TABLE IF NOT EXISTS statements for prepare_store, per dialect.
const std::vector<const char*>& session_table_sql(sql_dialect d);

class session_store {
 public:
  explicit session_store(int64_t lifetime_ms, size_t max_per_user = 100)
      : lifetime_ms_(lifetime_ms), max_per_user_(max_per_user) {}
  // A new session; returns its token.
  std::string create(gui_db& db, const std::string& user, user_role role, int64_t now_ms,
                     session* out = nullptr) const;
  // The live session of `token` (the role it was made with); an expired one is deleted and not
  // returned.
  std::optional<session> find(gui_db& db, std::string_view token, int64_t now_ms) const;
  void erase(gui_db& db, std::string_view token) const;
  void erase_user(gui_db& db, const std::string& user) const;  // logged out everywhere
  size_t count(gui_db& db) const;

 private:
  int64_t lifetime_ms_;
  size_t max_per_user_;
};

}  // namespace voxmon::gui
