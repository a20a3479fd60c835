#pragma once
// The CDR store keys (MySQL, journal): parsing helpers used by apply_setting.
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "store/mysql_params.hpp"

namespace voxmon::config {

bool is_store_key(std::string_view lower_key);
// Applies a store key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_store_setting(settings& s, std::string_view lower_key,
                                               std::string_view value, bool& known_key);
// "mysql://user[:pass]@host[:port]/db" into mysqlhost/port/username/password/db; db = "mysql".
std::optional<std::string> parse_mysql_url(std::string_view url, settings& s);
// The MySQL server of the settings (host "localhost" when empty; the password from its file or
// VOXMON_MYSQL_PASSWORD as mysql_password reads it). nullopt + reason when it cannot be read.
std::optional<store::mysql_params> mysql_params_of(const settings& s, std::string& reason);

}  // namespace voxmon::config
