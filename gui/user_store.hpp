#pragma once
// GUI users in the voxmon_users table of the CDR store (SQLite or MySQL): add, find, list,
// delete. Used by the GUI's /api/users and by `voxmon user ...`.
#include <optional>
#include <string>
#include <vector>

#include "gui/auth.hpp"
#include "gui/gui_db.hpp"

namespace voxmon::gui {

struct user_record {
  int64_t id = 0;
  std::string name;
  user_role role = user_role::viewer;
  std::string password_hash;
  std::string created;  // "YYYY-MM-DD HH:MM:SS" UTC
};

std::optional<user_record> find_user(gui_db& db, const std::string& name);
std::vector<user_record> list_users(gui_db& db);  // by name
// false when the name is taken.
bool add_user(gui_db& db, const std::string& name, user_role role, const std::string& password_hash,
              int64_t now_ms);
bool delete_user(gui_db& db, const std::string& name);  // false when there was none
size_t count_admins(gui_db& db);

}  // namespace voxmon::gui
