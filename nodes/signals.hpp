#pragma once
// Signals without handlers: SIGTERM, SIGINT and SIGHUP are blocked in every thread (block them
// before any thread starts, so CAF's and libpcap's threads inherit the mask) and the node's
// main loop takes them with sigtimedwait. No work ever runs in signal context.
#include <chrono>
#include <optional>

namespace voxmon::nodes {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and the threads it starts later).
void block_daemon_signals();
// Waits up to `limit` for one of them; nullopt on timeout.
std::optional<int> wait_for_signal(std::chrono::milliseconds limit);

}  // namespace voxmon::nodes
