// config/: the voipmonitor.conf-style reader, apply_setting, port lists.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "config/settings.hpp"

using namespace voxmon::config;

namespace {
using ranges = std::vector<port_range>;

load_result load(const std::string& text, settings& s) {
  return load_config_text(text, "voxmon.conf", s);
}
}  // namespace

TEST_CASE("a good config file sets every supported key", "[config]") {
  const std::string text =
      "# voxmon test config\n"
      "[general]\n"
      "sipport = 5060,5070-5080\n"
      "id_sensor = 65535\n"
      "rtptimeout = 30\n"
      "sipwithoutrtptimeout = 60\n"
      "absolute_timeout = 7200\n"
      "bye_timeout = 5\n"
      "auth_retry_timeout = 3\n"
      "cdr_jsonl = /tmp/cdr.jsonl\n"
      "db = sqlite:/var/lib/voxmon/cdr.db\n"
      "threads = 2\n"
      "scheduler = Stealing\n"
      "batch_packets = 64\n"
      "table_rows = 0\n"
      "progress = no\n";
  settings s;
  auto r = load(text, s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings.empty());
  CHECK(s.sipport == ranges{{5060, 5060}, {5070, 5080}});
  CHECK(s.id_sensor == 65535);
  CHECK(s.rtptimeout == 30);
  CHECK(s.sipwithoutrtptimeout == 60);
  CHECK(s.absolute_timeout == 7200);
  CHECK(s.bye_timeout == 5);
  CHECK(s.auth_retry_timeout == 3);
  CHECK(s.cdr_jsonl == "/tmp/cdr.jsonl");
  CHECK(s.db == "sqlite:/var/lib/voxmon/cdr.db");
  CHECK(s.threads == 2);
  CHECK(s.scheduler == "stealing");
  CHECK(s.batch_packets == 64);
  CHECK(s.table_rows == 0);
  CHECK_FALSE(s.progress);
}

TEST_CASE("scheduler takes sharing or stealing only", "[config]") {
  settings s;
  CHECK(s.scheduler == "sharing");
  auto r = load("scheduler = fifo\n", s);
  REQUIRE(r.error);
  CHECK(r.error->reason == "expected sharing or stealing, got 'fifo'");
  CHECK(s.scheduler == "sharing");
}

TEST_CASE("defaults stay when a file is empty", "[config]") {
  settings s;
  auto r = load("", s);
  CHECK_FALSE(r.error);
  CHECK(r.warnings.empty());
  CHECK(s.sipport == ranges{{5060, 5060}});
  CHECK(s.db == "sqlite:voxmon.db");
  CHECK(s.rtptimeout == 300);
  CHECK(s.progress);
}

TEST_CASE("comments of both kinds, blank lines, spaces and CRLF", "[config]") {
  const std::string text =
      "\xEF\xBB\xBF; a semicolon comment\r\n"
      "   # an indented hash comment\r\n"
      "\r\n"
      "\t\r\n"
      "  rtptimeout=45   # trailing hash comment\r\n"
      "bye_timeout =\t7 ; trailing semicolon comment\r\n"
      "cdr_jsonl = /data/a#b;c.jsonl\r\n"
      "progress = YES\r\n"
      "RTPTIMEOUT = 46\r\n";
  settings s;
  auto r = load(text, s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings.empty());
  CHECK(s.rtptimeout == 46);  // keys match case-insensitively; the last one wins
  CHECK(s.bye_timeout == 7);
  CHECK(s.cdr_jsonl == "/data/a#b;c.jsonl");  // no whitespace before '#': part of the value
  CHECK(s.progress);
}

TEST_CASE("sections other than [general] are warned about and skipped", "[config]") {
  const std::string text =
      "[general]\n"
      "rtptimeout = 10\n"
      "[mirror]\n"
      "rtptimeout = 99\n"
      "bogus = also skipped\n"
      "[ General ]\n"
      "bye_timeout = 9\n";
  settings s;
  auto r = load(text, s);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0] == "voxmon.conf:3: section [mirror] is not supported; its keys are skipped");
  CHECK(s.rtptimeout == 10);
  CHECK(s.bye_timeout == 9);
}

TEST_CASE("unknown and not-yet-supported keys are warnings naming file and line", "[config]") {
  const std::string text =
      "dscp = yes\n"
      "frobnicate = 1\n"
      "\n"
      "mysqlsocket = /tmp/m.sock\n"
      "rtptimeout = 20\n";
  settings s;
  auto r = load(text, s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings == std::vector<std::string>{
                          "voxmon.conf:1: key 'dscp' is not supported yet and is ignored",
                          "voxmon.conf:2: unknown key 'frobnicate'",
                          "voxmon.conf:4: key 'mysqlsocket' is not supported yet and is ignored"});
  CHECK(s.rtptimeout == 20);
  CHECK(classify_key("SpoolDir") == key_kind::supported);
  CHECK(classify_key("sipport") == key_kind::supported);
  CHECK(classify_key("nope") == key_kind::unknown);
}

TEST_CASE("a bad value is an error with the exact line and the reason", "[config]") {
  settings s;
  auto r = load("# header\n\nrtptimeout = 30\n[general]\nbye_timeout = abc\nthreads = 1\n", s);
  REQUIRE(r.error);
  CHECK(r.error->file == "voxmon.conf");
  CHECK(r.error->line == 5);
  CHECK(r.error->key == "bye_timeout");
  CHECK(r.error->reason == "expected a number of seconds, got 'abc'");
  CHECK(r.error->to_string() ==
        "voxmon.conf:5: key 'bye_timeout': expected a number of seconds, got 'abc'");
  CHECK(s.rtptimeout == 30);  // lines before the error were applied
  CHECK(s.threads == 0);      // lines after it were not

  auto reason = [](const std::string& line) {
    settings s2;
    auto r2 = load(line, s2);
    REQUIRE(r2.error);
    CHECK(r2.error->line == 1);
    return r2.error->reason;
  };
  CHECK(reason("rtptimeout = 0") == "value 0 is out of range 1..2592000");
  CHECK(reason("rtptimeout = -5") == "expected a number of seconds, got '-5'");
  CHECK(reason("rtptimeout = 99999999999999999999999") ==
        "value '99999999999999999999999' is too large (at most 2592000)");
  CHECK(reason("rtptimeout =") == "expected a number of seconds, got ''");
  CHECK(reason("id_sensor = -1") == "expected a sensor id (a non-negative integer), got '-1'");
  CHECK(reason("id_sensor = 4294967296") == "value 4294967296 is out of range 0..4294967295");
  CHECK(reason("batch_packets = 10") == "value 10 is out of range 64..1000000");
  CHECK(reason("progress = maybe") == "expected yes or no, got 'maybe'");
  CHECK(reason("db = mysql://user@host") ==
        "expected mysql://user[:password]@host[:port]/database, got 'mysql://user@host'");
  CHECK(reason("db = postgres") ==
        "expected 'none', 'sqlite:PATH' or 'mysql://...', got 'postgres'");
  CHECK(reason("sipport = 5080-5070") ==
        "range '5080-5070' is reversed (first port > last port)");
  CHECK(reason("just some words") == "expected 'key = value'");
  CHECK(reason("= 5") == "missing key before '='");
  CHECK(reason("[general") == "section header [general has no ']'");
}

TEST_CASE("repeated sipport lines add up within a file", "[config]") {
  settings s;
  auto r = load("sipport = 5060\nsipport = 5070-5071\n", s);
  REQUIRE_FALSE(r.error);
  CHECK(s.sipport == ranges{{5060, 5060}, {5070, 5071}});
  CHECK(is_sip_port(s, 5071));

  bool known = false;
  CHECK_FALSE(apply_setting(s, "sipport", "6000", known));  // apply_setting replaces
  CHECK(known);
  CHECK(s.sipport == ranges{{6000, 6000}});
  CHECK_FALSE(apply_setting(s, "dscp", "yes", known));
  CHECK_FALSE(known);
}

TEST_CASE("port lists: ranges, spaces and errors", "[config]") {
  std::string reason;
  auto ok = parse_port_list(" 5060 , 5070-5080,1-1 ,65535", reason);
  REQUIRE(ok);
  CHECK(*ok == ranges{{5060, 5060}, {5070, 5080}, {1, 1}, {65535, 65535}});

  auto bad = [](const std::string& text) {
    std::string why;
    auto r = parse_port_list(text, why);
    CHECK_FALSE(r);
    return why;
  };
  CHECK(bad("") == "empty port list");
  CHECK(bad("   ") == "empty port list");
  CHECK(bad("5060-") == "missing port number in '5060-'");
  CHECK(bad("-5060") == "missing port number in '-5060'");
  CHECK(bad("70000") == "port 70000 is out of range 1..65535");
  CHECK(bad("0") == "port 0 is out of range 1..65535");
  CHECK(bad("5060-99999999999999999999") == "port 99999999999999999999 is out of range 1..65535");
  CHECK(bad("5080-5070") == "range '5080-5070' is reversed (first port > last port)");
  CHECK(bad("5060,") == "empty item in port list '5060,'");
  CHECK(bad("5060,,5070") == "empty item in port list '5060,,5070'");
  CHECK(bad("sip") == "expected a port number, got 'sip'");
  CHECK(bad("5060-50x") == "expected a port number, got '50x'");
}

TEST_CASE("is_sip_port checks every range, inclusive", "[config]") {
  settings s;
  CHECK(is_sip_port(s, 5060));
  CHECK_FALSE(is_sip_port(s, 5061));
  s.sipport = {{5060, 5060}, {5070, 5080}};
  CHECK(is_sip_port(s, 5070));
  CHECK(is_sip_port(s, 5075));
  CHECK(is_sip_port(s, 5080));
  CHECK_FALSE(is_sip_port(s, 5069));
  CHECK_FALSE(is_sip_port(s, 5081));
  CHECK_FALSE(is_sip_port(s, 0));
}

TEST_CASE("load_config_file reads a file and names it in errors", "[config]") {
  const std::filesystem::path dir = VOXMON_TEST_TMP;
  std::filesystem::create_directories(dir);
  const auto path = (dir / "test_config.conf").string();
  std::ofstream(path, std::ios::binary) << "[general]\r\nrtptimeout = 12\r\ndscp = yes\r\n";
  settings s;
  auto r = load_config_file(path, s);
  REQUIRE_FALSE(r.error);
  CHECK(s.rtptimeout == 12);
  CHECK(r.warnings ==
        std::vector<std::string>{path + ":3: key 'dscp' is not supported yet and is ignored"});

  auto missing = load_config_file((dir / "no_such.conf").string(), s);
  REQUIRE(missing.error);
  CHECK(missing.error->line == 0);
  CHECK(missing.error->to_string() ==
        (dir / "no_such.conf").string() + ": cannot open: No such file or directory");
  auto directory = load_config_file(dir.string(), s);
  REQUIRE(directory.error);
  CHECK(directory.error->reason == "is a directory, not a config file");
}

TEST_CASE("the shipped example config loads without warnings", "[config]") {
  const std::filesystem::path example =
      std::filesystem::path(__FILE__).parent_path() / "../../config/voxmon.conf.example";
  settings s;
  auto r = load_config_file(example.string(), s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings.empty());
  const settings defaults;
  CHECK(s.sipport == defaults.sipport);
  CHECK(s.db == defaults.db);
  CHECK(s.rtptimeout == defaults.rtptimeout);
  CHECK(s.batch_packets == defaults.batch_packets);
}

TEST_CASE("MySQL keys and --db mysql:// select the MySQL store", "[config]") {
  settings s;
  CHECK_FALSE(uses_mysql(s));
  auto r = load("mysqlhost = db.example.com\nmysqlport = 3307\nmysqlusername = vm\n"
                "mysqldb = cdrs\ncdr_partition = no\ncleandatabase = 30\nipv6 = yes\n", s);
  REQUIRE_FALSE(r.error);
  CHECK(r.warnings.empty());
  CHECK(uses_mysql(s));
  CHECK(s.mysqlport == 3307);
  CHECK_FALSE(s.cdr_partition);
  CHECK(s.cleandatabase == 30);
  CHECK(s.ipv6);
  settings u;
  bool known = false;
  CHECK_FALSE(apply_setting(u, "db", "mysql://us%40r:p%3Ass@[::1]:3310/vx", known));
  CHECK(uses_mysql(u));
  CHECK(u.mysqlusername == "us@r");
  CHECK(u.mysqlpassword == "p:ss");
  CHECK(u.mysqlhost == "::1");
  CHECK(u.mysqlport == 3310);
  CHECK(u.mysqldb == "vx");
  settings e;
  CHECK(apply_setting(e, "mysqlport", "0", known) == "expected a port number 1..65535, got '0'");
  settings d;
  load("mysqlhost = h\ndb = sqlite:x.db\n", d);
  CHECK_FALSE(uses_mysql(d));  // an explicit db wins
}
