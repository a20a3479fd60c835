#pragma once
// Where finished CDRs go. cdr_writer (an actor) owns a list of sinks and calls them in order.
#include <memory>
#include <span>
#include <string>

#include "core/cdr.hpp"

namespace voxmon::store {

// cdr_next.fbasename: the Call-ID made a file name (as VoIPmonitor), the Call-ID when unset.
// With id_sensor and calldate, the key both database stores skip replays by.
inline const std::string& fbasename_of(const core::cdr& c) {
  return c.fbasename.empty() ? c.callid : c.fbasename;
}

class cdr_sink {
 public:
  virtual ~cdr_sink() = default;
  // Writes a batch of CDRs (in the order calls ended). Returns an error text on failure.
  virtual std::string write(std::span<const core::cdr> batch) = 0;
  virtual std::string flush() = 0;
  virtual std::string name() const = 0;
  // A sink that keeps CDRs back while its destination is away (a database, a central node)
  // retries when the writer ticks: true once nothing waits any more.
  virtual bool retry() { return true; }
  virtual bool has_backlog() const { return false; }
  // The writer ticks (once a second) while this is true: while CDRs wait, or, for a sink that
  // keeps a link up (a sensor's uplink), always.
  virtual bool wants_ticks() const { return has_backlog(); }
};

}  // namespace voxmon::store
