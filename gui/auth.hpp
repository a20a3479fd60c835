#pragma once
// Users' roles and names, sessions' CSRF tokens and login rate limiting of the web GUI: plain
// logic with explicit clocks (milliseconds), thread-safe, testable without a server. Sessions
// themselves are kept in the store: gui/session_store.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace voxmon::gui {

enum class user_role : uint8_t { viewer, admin };
const char* to_string(user_role r);
std::optional<user_role> parse_role(std::string_view text);  // "admin" | "viewer"

// User names: 1..64 bytes of [A-Za-z0-9._@-]. Passwords: 8..1024 bytes.
bool valid_user_name(std::string_view name);
std::optional<std::string> password_problem(std::string_view password);  // nullopt when fine

struct session {
  std::string user;
  user_role role = user_role::viewer;
  std::string csrf;         // 64 hex digits, sent by the client in X-CSRF-Token
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

// Constant-time comparison of the session's CSRF token with the request's header.
bool csrf_matches(const session& s, std::string_view header_value);

// Failed logins per key ("ip:10.0.0.1", "user:alice"): after `max_failures` failures within
// `window_ms`, the key is blocked until the oldest of them leaves the window.
class rate_limiter {
 public:
  rate_limiter(size_t max_failures = 5, int64_t window_ms = 5 * 60 * 1000, size_t max_keys = 100000)
      : max_failures_(max_failures), window_ms_(window_ms), max_keys_(max_keys) {}
  // Milliseconds until `key` may try again; nullopt when it may try now.
  std::optional<int64_t> blocked_for(const std::string& key, int64_t now_ms);
  void record_failure(const std::string& key, int64_t now_ms);
  void clear(const std::string& key);

 private:
  void prune(std::deque<int64_t>& times, int64_t now_ms) const;
  std::mutex mutex_;
  size_t max_failures_;
  int64_t window_ms_;
  size_t max_keys_;
  std::unordered_map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace voxmon::gui
