#include "gui/auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "gui/password.hpp"

namespace voxmon::gui {

const char* to_string(user_role r) { return r == user_role::admin ? "admin" : "viewer"; }

std::optional<user_role> parse_role(std::string_view text) {
  if (text == "admin")
    return user_role::admin;
  if (text == "viewer")
    return user_role::viewer;
  return std::nullopt;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
  });
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() < 8)
    return std::string("the password is too short (at least 8 characters)");
  if (password.size() > max_password_bytes)
    return "the password is too long (at most " + std::to_string(max_password_bytes) + " bytes)";
  return std::nullopt;
}

bool csrf_matches(const session& s, std::string_view header_value) {
  if (s.csrf.empty() || header_value.size() != s.csrf.size())
    return false;
  return CRYPTO_memcmp(s.csrf.data(), header_value.data(), s.csrf.size()) == 0;
}

void rate_limiter::prune(std::deque<int64_t>& times, int64_t now_ms) const {
  while (!times.empty() && times.front() <= now_ms - window_ms_)
    times.pop_front();
}

std::optional<int64_t> rate_limiter::blocked_for(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end())
    return std::nullopt;
  prune(it->second, now_ms);
  if (it->second.size() < max_failures_) {
    if (it->second.empty())
      failures_.erase(it);
    return std::nullopt;
  }
  // Free again when enough failures have left the window.
  const int64_t until = it->second[it->second.size() - max_failures_] + window_ms_;
  return std::max<int64_t>(1, until - now_ms);
}

void rate_limiter::record_failure(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_keys_ && !failures_.count(key)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now_ms);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= max_keys_)
      failures_.erase(failures_.begin());  // bounded memory under a flood of distinct keys
  }
  auto& times = failures_[key];
  prune(times, now_ms);
  times.push_back(now_ms);
  while (times.size() > max_failures_ * 2)
    times.pop_front();
}

void rate_limiter::clear(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace voxmon::gui
