#pragma once
// Where and how to reach a MySQL server (a plain struct: the settings layer fills it from the
// mysql* keys, config::mysql_params_of; store::mysql_db and the GUI connect with it).
#include <cstdint>
#include <string>

namespace voxmon::store {

struct mysql_params {
  std::string host;
  uint32_t port = 3306;
  std::string user;
  std::string password;
  std::string database;
  uint32_t connect_timeout_s = 5;
  uint32_t io_timeout_s = 60;
  std::string where() const;  // "MySQL server 'host:port' (database 'db')" for messages
};

}  // namespace voxmon::store
