// The CDR store keys: mysqlhost & co (VoIPmonitor names), the journal, the mysql:// URL.
#include "config/store_settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>

namespace voxmon::config {
namespace {

constexpr std::string_view store_keys[] = {
    "cdr_journal", "cdr_journal_fsync", "cdr_partition", "cleandatabase", "ipv6",
    "mysql_batch", "mysqldb", "mysqlhost", "mysqlpassword", "mysqlpassword_file",
    "mysqlport", "mysqlusername"};

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

std::optional<uint32_t> number(std::string_view v, uint32_t min, uint32_t max) {
  uint32_t out = 0;
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0])))
    return std::nullopt;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size() || out < min || out > max)
    return std::nullopt;
  return out;
}

std::optional<std::string> yes_no(std::string_view v, bool& out) {
  std::string l(v);
  for (auto& c : l)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "yes" || l == "true" || l == "1" || l == "on")
    out = true;
  else if (l == "no" || l == "false" || l == "0" || l == "off")
    out = false;
  else
    return "expected yes or no, got " + quoted(v);
  return std::nullopt;
}

// %XX decoding for the user and password parts of a URL.
std::optional<std::string> unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    unsigned x = 0;
    if (i + 2 >= v.size())
      return std::nullopt;
    auto [p, ec] = std::from_chars(v.data() + i + 1, v.data() + i + 3, x, 16);
    if (ec != std::errc{} || p != v.data() + i + 3)
      return std::nullopt;
    out += static_cast<char>(x);
    i += 2;
  }
  return out;
}

}  // namespace

bool is_store_key(std::string_view k) {
  return std::find(std::begin(store_keys), std::end(store_keys), k) != std::end(store_keys);
}

std::optional<std::string> parse_mysql_url(std::string_view url, settings& s) {
  const std::string_view form = "expected mysql://user[:password]@host[:port]/database, got ";
  std::string_view rest = url.substr(8);  // after "mysql://"
  const size_t at = rest.rfind('@');
  const size_t slash = rest.find('/', at == std::string_view::npos ? 0 : at);
  if (at == std::string_view::npos || slash == std::string_view::npos || slash + 1 >= rest.size())
    return std::string(form) + quoted(url);
  const std::string_view cred = rest.substr(0, at);
  std::string_view hostport = rest.substr(at + 1, slash - at - 1);
  const std::string_view db = rest.substr(slash + 1);
  const size_t colon = cred.find(':');
  auto user = unescape(cred.substr(0, colon));
  auto pass = colon == std::string_view::npos ? std::optional<std::string>("")
                                              : unescape(cred.substr(colon + 1));
  if (!user || !pass || user->empty())
    return std::string(form) + quoted(url);
  std::string host(hostport);
  uint32_t port = 3306;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos)
      return std::string(form) + quoted(url);
    host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty() && hostport.front() != ':')
      return std::string(form) + quoted(url);
    hostport = hostport.empty() ? hostport : hostport.substr(1);
    if (!hostport.empty()) {
      auto p = number(hostport, 1, 65535);
      if (!p)
        return "port " + quoted(hostport) + " in the MySQL URL is not a number 1..65535";
      port = *p;
    }
  } else if (const size_t pc = hostport.rfind(':'); pc != std::string_view::npos) {
    host = std::string(hostport.substr(0, pc));
    auto p = number(hostport.substr(pc + 1), 1, 65535);
    if (!p)
      return "port " + quoted(hostport.substr(pc + 1)) + " in the MySQL URL is not a number 1..65535";
    port = *p;
  }
  if (host.empty())
    return std::string(form) + quoted(url);
  s.mysqlhost = host;
  s.mysqlport = port;
  s.mysqlusername = *user;
  if (colon != std::string_view::npos)
    s.mysqlpassword = *pass;
  s.mysqldb = std::string(db);
  s.db = "mysql";
  return std::nullopt;
}

std::optional<std::string> apply_store_setting(settings& s, std::string_view k,
                                               std::string_view v, bool& known_key) {
  known_key = true;
  if (k == "mysqlhost") {
    s.mysqlhost = std::string(v);
  } else if (k == "mysqlport") {
    auto p = number(v, 1, 65535);
    if (!p)
      return "expected a port number 1..65535, got " + quoted(v);
    s.mysqlport = *p;
  } else if (k == "mysqlusername") {
    s.mysqlusername = std::string(v);
  } else if (k == "mysqlpassword") {
    s.mysqlpassword = std::string(v);
  } else if (k == "mysqlpassword_file") {
    s.mysqlpassword_file = std::string(v);
  } else if (k == "mysqldb") {
    if (v.empty() || v.find('`') != std::string_view::npos)
      return "expected a database name, got " + quoted(v);
    s.mysqldb = std::string(v);
  } else if (k == "cdr_partition") {
    return yes_no(v, s.cdr_partition);
  } else if (k == "ipv6") {
    return yes_no(v, s.ipv6);
  } else if (k == "cleandatabase") {
    auto d = number(v, 0, 36500);
    if (!d)
      return "expected a number of days 0..36500 (0 = keep all), got " + quoted(v);
    s.cleandatabase = *d;
  } else if (k == "cdr_journal") {
    if (v.empty())
      return std::string("expected a file path for the CDR journal");
    s.cdr_journal = std::string(v);
  } else if (k == "cdr_journal_fsync") {
    if (v != "always" && v != "batch" && v != "none")
      return "expected always, batch or none, got " + quoted(v);
    s.cdr_journal_fsync = std::string(v);
  } else if (k == "mysql_batch") {
    auto n = number(v, 1, 100000);
    if (!n)
      return "expected a number of CDRs 1..100000, got " + quoted(v);
    s.mysql_batch = *n;
  } else {
    known_key = false;
  }
  return std::nullopt;
}

bool uses_mysql(const settings& s) {
  if (s.db == "mysql")
    return true;
  return !s.db_explicit && !s.mysqlhost.empty();
}

std::optional<std::string> mysql_password(const settings& s, std::string& reason) {
  if (!s.mysqlpassword_file.empty()) {
    std::ifstream in(s.mysqlpassword_file);
    std::string line;
    if (!in || (!std::getline(in, line) && !in.eof())) {
      reason = "cannot read mysqlpassword_file '" + s.mysqlpassword_file + "'";
      return std::nullopt;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
      line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("VOXMON_MYSQL_PASSWORD"))
    return std::string(env);
  return s.mysqlpassword;
}

std::optional<store::mysql_params> mysql_params_of(const settings& s, std::string& reason) {
  auto password = mysql_password(s, reason);
  if (!password)
    return std::nullopt;
  store::mysql_params p;
  p.host = s.mysqlhost.empty() ? "localhost" : s.mysqlhost;
  p.port = s.mysqlport;
  p.user = s.mysqlusername;
  p.password = *password;
  p.database = s.mysqldb;
  return p;
}

}  // namespace voxmon::config
