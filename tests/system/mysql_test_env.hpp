#pragma once
// The MariaDB the MySQL tests use: VOXMON_TEST_MYSQL=mysql://user:pass@host:port/db (set by
// tools/scripts/test.sh). Without it the tests skip with a message, except in CI (CI=true).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "config/settings.hpp"
#include "config/store_settings.hpp"
#include "process.hpp"
#include "store/mysql_db.hpp"

namespace voxmon::test {

inline std::optional<config::settings> mysql_test_settings() {
  const char* url = std::getenv("VOXMON_TEST_MYSQL");
  if (!url || !*url) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true")
      FAIL("CI=true but VOXMON_TEST_MYSQL is not set: tools/scripts/test.sh starts the server");
    WARN("skipped: set VOXMON_TEST_MYSQL=mysql://user:pass@host:port/db "
         "(tools/scripts/mariadb.sh start DIR PORT prints one)");
    return std::nullopt;
  }
  config::settings s;
  REQUIRE_FALSE(config::parse_mysql_url(url, s));
  return s;
}

inline store::mysql_params params_of(const config::settings& s, const std::string& database) {
  store::mysql_params p;
  p.host = s.mysqlhost;
  p.port = s.mysqlport;
  p.user = s.mysqlusername;
  p.password = s.mysqlpassword;
  p.database = database;
  p.connect_timeout_s = 2;
  p.io_timeout_s = 10;
  return p;
}

inline std::string url_of(const store::mysql_params& p) {
  return "mysql://" + p.user + ":" + p.password + "@" + p.host + ":" + std::to_string(p.port) +
         "/" + p.database;
}

// A fresh (dropped and re-created on first connect) database on the test server.
inline std::unique_ptr<store::mysql_db> fresh_database(const store::mysql_params& p) {
  store::mysql_params admin = p;
  admin.database = "mysql";
  store::db_error e;
  auto db = store::mysql_db::connect(admin, e);
  INFO(e.text);
  REQUIRE(db);
  db->exec("DROP DATABASE IF EXISTS `" + p.database + "`");
  return db;
}

// A private server for the tests that stop it: tools/scripts/mariadb.sh in DIR on PORT.
struct private_server {
  std::string dir;
  uint32_t port;
  // A start can fail for reasons outside the test (the port briefly held by a client socket of
  // another test, the machine busy): mariadb.sh prints why, and a second try usually works.
  bool start() {
    const std::string cmd = "bash " + shell_quote(VOXMON_MARIADB_SH) + " start " +
                            shell_quote(dir) + " " + std::to_string(port) + " >/dev/null";
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (std::system(cmd.c_str()) == 0)
        return true;
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    return false;
  }
  void stop() {
    std::system(("bash " + shell_quote(VOXMON_MARIADB_SH) + " stop " + shell_quote(dir)).c_str());
  }
  ~private_server() { stop(); }
};

}  // namespace voxmon::test
