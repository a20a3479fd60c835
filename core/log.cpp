#include "core/log.hpp"

#include <syslog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace voxmon::core::log {

namespace {

std::atomic<int> max_level{static_cast<int>(level::info)};
std::atomic<bool> use_syslog{false};
std::mutex out_mutex;

const char* name(level l) {
  switch (l) {
    case level::error: return "error";
    case level::warn: return "warn";
    case level::info: return "info";
    case level::debug: return "debug";
  }
  return "?";
}

int priority(level l) {
  switch (l) {
    case level::error: return LOG_ERR;
    case level::warn: return LOG_WARNING;
    case level::info: return LOG_INFO;
    case level::debug: return LOG_DEBUG;
  }
  return LOG_INFO;
}

}  // namespace

void init(level verbosity, bool to_syslog) {
  max_level = static_cast<int>(verbosity);
  if (to_syslog && !use_syslog)
    ::openlog("voxmon", LOG_PID, LOG_DAEMON);
  use_syslog = to_syslog;
}

bool enabled(level l) { return static_cast<int>(l) <= max_level; }

void write(level l, const std::string& text) {
  if (!enabled(l))
    return;
  if (use_syslog) {
    ::syslog(priority(l), "%s", text.c_str());
    return;
  }
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::lock_guard lock(out_mutex);
  std::fprintf(stderr, "%s voxmon: [%s] %s\n", stamp, name(l), text.c_str());
  std::fflush(stderr);
}

}  // namespace voxmon::core::log
