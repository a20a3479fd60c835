#include "gui/user_store.hpp"

#include "gui/cdr_query.hpp"

namespace voxmon::gui {

namespace {

user_record record_of(const db_row& r) {
  user_record u;
  u.id = r[0].as_int().value_or(0);
  u.name = r[1].as_text();
  u.role = parse_role(r[2].as_text()).value_or(user_role::viewer);
  u.password_hash = r[3].as_text();
  u.created = r[4].as_text().substr(0, 19);
  return u;
}

constexpr const char* select_users = "SELECT id, name, role, password_hash, created FROM voxmon_users";

}  // namespace

std::optional<user_record> find_user(gui_db& db, const std::string& name) {
  auto r = db.query({std::string(select_users) + " WHERE name = ?", {sql_param::text(name)}});
  if (r.rows.empty())
    return std::nullopt;
  return record_of(r.rows[0]);
}

std::vector<user_record> list_users(gui_db& db) {
  auto r = db.query({std::string(select_users) + " ORDER BY name", {}});
  std::vector<user_record> out;
  for (const auto& row : r.rows)
    out.push_back(record_of(row));
  return out;
}

bool add_user(gui_db& db, const std::string& name, user_role role, const std::string& password_hash,
              int64_t now_ms) {
  if (find_user(db, name))
    return false;
  try {
    db.execute({"INSERT INTO voxmon_users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                {sql_param::text(name), sql_param::text(to_string(role)), sql_param::text(password_hash),
                 sql_param::text(format_utc_ms(now_ms).substr(0, 19))}});
  } catch (const db_failure&) {
    if (find_user(db, name))  // added by someone else at the same moment (unique key)
      return false;
    throw;
  }
  return true;
}

bool delete_user(gui_db& db, const std::string& name) {
  return db.execute({"DELETE FROM voxmon_users WHERE name = ?", {sql_param::text(name)}}) > 0;
}

size_t count_admins(gui_db& db) {
  return static_cast<size_t>(
      db.query({"SELECT COUNT(*) FROM voxmon_users WHERE role = ?", {sql_param::text("admin")}}).first_int());
}

}  // namespace voxmon::gui
