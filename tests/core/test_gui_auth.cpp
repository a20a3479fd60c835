// The web GUI's password hashing, sessions, CSRF tokens and login rate limiting (gui/).
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "config/gui_settings.hpp"
#include "config/settings.hpp"
#include "gui/auth.hpp"
#include "gui/password.hpp"
#include "gui/session_store.hpp"

using namespace voxmon;
using namespace voxmon::gui;

TEST_CASE("gui password hashes are salted PBKDF2-SHA256 and verify", "[gui]") {
  const std::string h = hash_password("correct horse");
  CHECK(h.rfind("pbkdf2-sha256$310000$", 0) == 0);
  // scheme $ iterations $ 16-byte salt (24 base64 chars) $ 32-byte hash (44 chars)
  const auto a = h.find('$', 14), b = h.find('$', a + 1);
  CHECK(b - a - 1 == 24);
  CHECK(h.size() - b - 1 == 44);
  CHECK(verify_password("correct horse", h));
  CHECK_FALSE(verify_password("correct horsE", h));
  CHECK_FALSE(verify_password("", h));
  // Same password, other salt: another hash, both verify.
  const std::string h2 = hash_password("correct horse");
  CHECK(h2 != h);
  CHECK(verify_password("correct horse", h2));
}

TEST_CASE("gui password hashing never goes below 200000 iterations", "[gui]") {
  CHECK(hash_password("x", 1000).rfind("pbkdf2-sha256$200000$", 0) == 0);
}

TEST_CASE("gui password verification refuses malformed stored hashes", "[gui]") {
  const std::string h = hash_password("secret-pass");
  const std::string rest = h.substr(h.find('$', 14));
  CHECK_FALSE(verify_password("secret-pass", ""));
  CHECK_FALSE(verify_password("secret-pass", "plain-text"));
  CHECK_FALSE(verify_password("secret-pass", "md5$200000" + rest));
  CHECK_FALSE(verify_password("secret-pass", "pbkdf2-sha256$999999999" + rest));  // would spin
  CHECK_FALSE(verify_password("secret-pass", "pbkdf2-sha256$12" + rest));
  CHECK_FALSE(verify_password("secret-pass", "pbkdf2-sha256$abc" + rest));
  CHECK_FALSE(verify_password("secret-pass", h + "$extra"));
  CHECK_FALSE(verify_password("secret-pass", h.substr(0, h.size() - 4)));  // short hash
  CHECK_FALSE(verify_password(std::string(2000, 'a'), h));
}

TEST_CASE("gui base64 round-trips and refuses bad text", "[gui]") {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    std::string back;
    REQUIRE(base64_decode(base64_encode(s), back));
    CHECK(back == s);
  }
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("fo") == "Zm8=");
  std::string out;
  CHECK_FALSE(base64_decode("Zm8", out));
  CHECK_FALSE(base64_decode("Zm=8", out));
  CHECK_FALSE(base64_decode("Z!8=", out));
}

namespace {

// A prepared SQLite store in a fresh directory: the table sessions live in.
std::unique_ptr<gui_db> session_db(const std::string& name) {
  const auto dir = std::filesystem::path(VOXMON_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  db_target t;
  t.sqlite_path = (dir / "cdr.db").string();
  db_features f;
  REQUIRE(prepare_store(t, f).empty());
  std::string error;
  auto db = open_db(t, f, error);
  REQUIRE(db);
  return db;
}

}  // namespace

TEST_CASE("gui sessions have random tokens and expire", "[gui]") {
  auto db = session_db("sessions_expire");
  session_store store(1000);
  session s;
  const std::string t = store.create(*db, "alice", user_role::admin, 5000, &s);
  CHECK(t.size() == 64);
  CHECK(s.csrf.size() == 64);
  CHECK(s.csrf != t);
  CHECK(s.expires_ms == 6000);
  auto found = store.find(*db, t, 5999);
  REQUIRE(found);
  CHECK(found->user == "alice");
  CHECK(found->role == user_role::admin);
  CHECK(found->csrf == s.csrf);
  CHECK(found->created_ms == 5000);
  CHECK_FALSE(store.find(*db, t, 6000));   // expired, and removed
  CHECK(store.count(*db) == 0);
  CHECK_FALSE(store.find(*db, "", 0));
  CHECK_FALSE(store.find(*db, std::string(64, '0'), 0));
  CHECK_FALSE(store.find(*db, "' OR '1'='1", 0));
  std::set<std::string> tokens;
  for (int i = 0; i < 100; ++i)
    tokens.insert(store.create(*db, "bob", user_role::viewer, 0));
  CHECK(tokens.size() == 100);
  // The table holds the tokens' SHA-256, not the tokens.
  auto rows = db->query({"SELECT token_sha256 FROM voxmon_gui_sessions", {}});
  REQUIRE(rows.rows.size() == 100);
  for (const auto& r : rows.rows) {
    CHECK(r[0].as_text().size() == 64);
    CHECK_FALSE(tokens.count(r[0].as_text()));
  }
}

TEST_CASE("gui sessions end on logout and when their user is deleted", "[gui]") {
  auto db = session_db("sessions_logout");
  session_store store(60000);
  const std::string a1 = store.create(*db, "alice", user_role::admin, 0);
  const std::string a2 = store.create(*db, "alice", user_role::admin, 0);
  const std::string b = store.create(*db, "bob", user_role::viewer, 0);
  store.erase(*db, a1);
  CHECK_FALSE(store.find(*db, a1, 1));
  CHECK(store.find(*db, a2, 1));
  store.erase_user(*db, "alice");
  CHECK_FALSE(store.find(*db, a2, 1));
  CHECK(store.find(*db, b, 1));
}

TEST_CASE("gui sessions outlive the process that made them", "[gui]") {
  // Another store object on another connection (a restarted or a second GUI) finds them.
  auto db = session_db("sessions_shared");
  const std::string t = session_store(60000).create(*db, "alice", user_role::viewer, 10);
  db_target other;
  other.sqlite_path = (std::filesystem::path(VOXMON_TEST_TMP) / "sessions_shared" / "cdr.db").string();
  db_features f;
  std::string error;
  auto db2 = open_db(other, f, error);
  REQUIRE(db2);
  const session_store second(60000);
  auto s = second.find(*db2, t, 20);
  REQUIRE(s);
  CHECK(s->user == "alice");
  second.erase(*db2, t);
  CHECK_FALSE(session_store(60000).find(*db, t, 30));
}

TEST_CASE("gui sessions: each user keeps at most its newest sessions, expired rows go", "[gui]") {
  auto db = session_db("sessions_bounded");
  session_store store(60000, 3);
  const std::string t1 = store.create(*db, "a", user_role::viewer, 1);
  const std::string t2 = store.create(*db, "a", user_role::viewer, 2);
  const std::string t3 = store.create(*db, "a", user_role::viewer, 3);
  const std::string other = store.create(*db, "b", user_role::viewer, 3);
  const std::string t4 = store.create(*db, "a", user_role::viewer, 4);
  CHECK(store.count(*db) == 4);
  CHECK_FALSE(store.find(*db, t1, 5));
  CHECK(store.find(*db, t2, 5));
  CHECK(store.find(*db, t4, 5));
  CHECK(store.find(*db, other, 5));
  // A new session deletes every expired one.
  store.create(*db, "c", user_role::viewer, 60003);  // t2 (expires 60002) and t3, other (60003)
  CHECK(store.count(*db) == 2);                      // t4 and the new one
  CHECK(store.find(*db, t4, 60003));
}

TEST_CASE("gui CSRF tokens must match exactly", "[gui]") {
  auto db = session_db("sessions_csrf");
  session_store store(60000);
  session s;
  store.create(*db, "alice", user_role::admin, 0, &s);
  CHECK(csrf_matches(s, s.csrf));
  CHECK_FALSE(csrf_matches(s, ""));
  CHECK_FALSE(csrf_matches(s, s.csrf.substr(1)));
  std::string wrong = s.csrf;
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  CHECK_FALSE(csrf_matches(s, wrong));
  session none;
  CHECK_FALSE(csrf_matches(none, ""));
}

TEST_CASE("gui login rate limit blocks after 5 failures in 5 minutes", "[gui]") {
  rate_limiter rl;  // 5 failures, 300 s
  const std::string k = "user:alice";
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(rl.blocked_for(k, 1000 + i * 1000));
    rl.record_failure(k, 1000 + i * 1000);
  }
  auto wait = rl.blocked_for(k, 6000);
  REQUIRE(wait);
  CHECK(*wait == 1000 + 300000 - 6000);  // until the first failure leaves the window
  CHECK(rl.blocked_for(k, 300999));
  CHECK_FALSE(rl.blocked_for(k, 301000));
  CHECK_FALSE(rl.blocked_for("user:bob", 6000));  // other keys are free
  rl.clear(k);
  CHECK_FALSE(rl.blocked_for(k, 6000));
}

TEST_CASE("gui login rate limit forgets failures older than the window", "[gui]") {
  rate_limiter rl(3, 1000);
  rl.record_failure("ip:1", 0);
  rl.record_failure("ip:1", 100);
  rl.record_failure("ip:1", 1500);  // the first two are out of the window by now
  CHECK_FALSE(rl.blocked_for("ip:1", 1500));
  rl.record_failure("ip:1", 1600);
  rl.record_failure("ip:1", 1700);
  CHECK(rl.blocked_for("ip:1", 1700));
}

TEST_CASE("gui rate limiter memory is bounded", "[gui]") {
  rate_limiter rl(5, 1000, 100);
  for (int i = 0; i < 1000; ++i)
    rl.record_failure("ip:" + std::to_string(i), 0);
  for (int i = 0; i < 5; ++i)
    rl.record_failure("ip:x", 10);
  CHECK(rl.blocked_for("ip:x", 10));
}

TEST_CASE("gui user names, roles and password rules", "[gui]") {
  CHECK(valid_user_name("alice"));
  CHECK(valid_user_name("a.b-c_d@example.com"));
  CHECK_FALSE(valid_user_name(""));
  CHECK_FALSE(valid_user_name(std::string(65, 'a')));
  CHECK_FALSE(valid_user_name("alice'; DROP TABLE voxmon_users; --"));
  CHECK_FALSE(valid_user_name("al ice"));
  CHECK_FALSE(valid_user_name("../etc"));
  CHECK(parse_role("admin") == user_role::admin);
  CHECK(parse_role("viewer") == user_role::viewer);
  CHECK_FALSE(parse_role("root"));
  CHECK_FALSE(parse_role("Admin"));
  CHECK(password_problem("12345678") == std::nullopt);
  CHECK(password_problem("1234567"));
  CHECK(password_problem(std::string(1025, 'x')));
}

TEST_CASE("gui settings keys", "[gui][config]") {
  config::settings s;
  bool known = false;
  CHECK_FALSE(config::is_gui(s));
  CHECK(s.gui_bind_port == 8080);
  CHECK(s.gui_session_hours == 12);
  CHECK_FALSE(config::apply_setting(s, "gui_bind", "127.0.0.1", known));
  CHECK(known);
  CHECK(config::is_gui(s));
  CHECK_FALSE(config::apply_setting(s, "GUI_BIND", "::", known));
  CHECK(s.gui_bind == "::");
  CHECK(config::apply_setting(s, "gui_bind", "example.com", known));
  CHECK(config::apply_setting(s, "gui_bind_port", "0", known));
  CHECK(config::apply_setting(s, "gui_bind_port", "70000", known));
  CHECK_FALSE(config::apply_setting(s, "gui_bind_port", "8443", known));
  CHECK(s.gui_bind_port == 8443);
  CHECK(config::apply_setting(s, "gui_session_hours", "0", known));
  CHECK_FALSE(config::apply_setting(s, "gui_session_hours", "24", known));
  CHECK(s.gui_session_hours == 24);
  CHECK(s.gui_number_index_calls == 2000000);
  CHECK(config::apply_setting(s, "gui_number_index_calls", "-1", known));
  CHECK_FALSE(config::apply_setting(s, "gui_number_index_calls", "0", known));
  CHECK(s.gui_number_index_calls == 0);
  CHECK(config::classify_key("gui_tls_cert") == config::key_kind::supported);
  CHECK_FALSE(config::apply_setting(s, "gui_tls_cert", "/etc/voxmon/gui.pem", known));
  CHECK(config::check_gui_settings(s).find("go together") != std::string::npos);
  CHECK_FALSE(config::apply_setting(s, "gui_tls_key", "/etc/voxmon/gui.key", known));
  CHECK(config::check_gui_settings(s).empty());
}
