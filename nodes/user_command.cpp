#include "nodes/user_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "gui/auth.hpp"
#include "gui/gui_db.hpp"
#include "gui/password.hpp"
#include "gui/user_store.hpp"

namespace voxmon::nodes {

namespace {

constexpr const char* usage =
    "Usage: voxmon [--config-file FILE] [--db URL] user add NAME --role admin|viewer\n"
    "       voxmon [--config-file FILE] [--db URL] user list\n"
    "       voxmon [--config-file FILE] [--db URL] user del NAME\n"
    "Manages the web GUI's users, kept in the voxmon_users table of the CDR store (db = sqlite:PATH\n"
    "or the MySQL store). `add` reads the password from standard input (first line) when it is not\n"
    "a terminal; on a terminal it asks twice without echo. Passwords: 8 to 1024 bytes.\n";

// A line from the terminal without echo.
std::optional<std::string> prompt_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty)
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << '\n';
  if (!ok)
    return std::nullopt;
  return line;
}

std::optional<std::string> read_password(const std::string& name) {
  if (!::isatty(STDIN_FILENO)) {
    std::string line;
    if (!std::getline(std::cin, line))
      return std::nullopt;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
      line.pop_back();
    return line;
  }
  auto first = prompt_hidden("Password for " + name + ": ");
  if (!first)
    return std::nullopt;
  auto again = prompt_hidden("Again: ");
  if (!again)
    return std::nullopt;
  if (*first != *again) {
    std::cerr << "voxmon: the two passwords differ\n";
    return std::nullopt;
  }
  return first;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

int fail(const std::string& message, int code = 1) {
  std::cerr << "voxmon: " << message << '\n';
  return code;
}

int run(const config::settings& s, const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout) << usage;
    return args.empty() ? 2 : 0;
  }
  const std::string& action = args[0];
  std::string name, role_text;
  bool has_role = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--role" && i + 1 < args.size()) {
      role_text = args[++i];
      has_role = true;
    } else if (args[i].rfind("--role=", 0) == 0) {
      role_text = args[i].substr(7);
      has_role = true;
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::cerr << "voxmon user: unknown option '" << args[i] << "'\n" << usage;
      return 2;
    } else if (name.empty()) {
      name = args[i];
    } else {
      std::cerr << "voxmon user: unexpected '" << args[i] << "'\n" << usage;
      return 2;
    }
  }
  const bool needs_name = action == "add" || action == "del";
  if ((action != "add" && action != "del" && action != "list") || needs_name == name.empty() ||
      (action == "add") != has_role) {
    std::cerr << usage;
    return 2;
  }
  if (needs_name && !gui::valid_user_name(name))
    return fail("a user name is 1 to 64 characters among A-Z a-z 0-9 . _ @ -", 2);
  std::optional<gui::user_role> role;
  if (action == "add" && !(role = gui::parse_role(role_text)))
    return fail("--role must be admin or viewer, got '" + role_text + "'", 2);

  std::string error;
  auto target = gui::db_target_of(s, error);
  if (!target)
    return fail(error, 2);
  gui::db_features features;
  if (auto e = gui::prepare_store(*target, features); !e.empty())
    return fail(e);
  auto db = gui::open_db(*target, features, error);
  if (!db)
    return fail(error);
  try {
    if (action == "list") {
      for (const auto& u : gui::list_users(*db))
        std::cout << u.name << '\t' << gui::to_string(u.role) << '\t' << u.created << '\n';
      return 0;
    }
    if (action == "del") {
      if (!gui::delete_user(*db, name))
        return fail("no user '" + name + "' in " + target->describe());
      std::cerr << "voxmon: user '" << name << "' deleted from " << target->describe()
                << " (a running GUI logs it out at its next request)\n";
      return 0;
    }
    if (gui::find_user(*db, name))
      return fail("user '" + name + "' already exists in " + target->describe());
    auto password = read_password(name);
    if (!password)
      return fail("no password given");
    if (auto problem = gui::password_problem(*password))
      return fail(*problem);
    if (!gui::add_user(*db, name, *role, gui::hash_password(*password), now_ms()))
      return fail("user '" + name + "' already exists in " + target->describe());
    std::cerr << "voxmon: user '" << name << "' (" << gui::to_string(*role) << ") added to "
              << target->describe() << '\n';
    return 0;
  } catch (const gui::db_failure& e) {
    return fail(e.what());
  }
}

}  // namespace

std::optional<int> run_user_subcommand(int argc, const char* const* argv) {
  // Only --config-file/-c FILE and --db URL may come before the word `user`.
  config::settings s;
  std::string config_file, db;
  bool has_db = false;
  int at = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--config-file" || a == "-c" || a == "--db") && i + 1 < argc) {
      (a == "--db" ? db : config_file) = argv[++i];
      has_db |= a == "--db";
    } else if (a.rfind("--config-file=", 0) == 0) {
      config_file = a.substr(14);
    } else if (a.rfind("--db=", 0) == 0) {
      db = a.substr(5);
      has_db = true;
    } else {
      if (a == "user")
        at = i;
      break;
    }
  }
  if (at < 0)
    return std::nullopt;
  std::vector<std::string> args;
  for (int i = at + 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) {
      db = argv[++i];
      has_db = true;
    } else if (a.rfind("--db=", 0) == 0) {
      db = a.substr(5);
      has_db = true;
    } else {
      args.push_back(a);
    }
  }
  if (!config_file.empty()) {
    auto loaded = config::load_config_file(config_file, s);
    for (const auto& w : loaded.warnings)
      std::cerr << "voxmon: warning: " << w << '\n';
    if (loaded.error)
      return fail(loaded.error->to_string(), 2);
  }
  if (has_db) {
    bool known = false;
    if (auto e = config::apply_setting(s, "db", db, known))
      return fail("--db: " + *e, 2);
  }
  return run(s, args);
}

}  // namespace voxmon::nodes
