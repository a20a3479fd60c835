#include "nodes/signals.hpp"

#include <signal.h>

#include <cerrno>
#include <ctime>

namespace voxmon::nodes {

namespace {

sigset_t daemon_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_daemon_signals() {
  const sigset_t set = daemon_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::optional<int> wait_for_signal(std::chrono::milliseconds limit) {
  const sigset_t set = daemon_set();
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(limit.count() / 1000);
  ts.tv_nsec = static_cast<long>(limit.count() % 1000) * 1'000'000;
  const int sig = sigtimedwait(&set, nullptr, &ts);
  if (sig < 0)
    return std::nullopt;  // EAGAIN (timeout) or EINTR
  return sig;
}

}  // namespace voxmon::nodes
