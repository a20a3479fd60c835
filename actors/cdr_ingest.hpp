#pragma once
// cdr_ingest: the central node's CDR sink for local-processing sensors. Each upload is decoded,
// stamped with the joined sensor's id, written to the server's stores (MySQL with its journal,
// JSON Lines), and only then acknowledged: an acknowledged CDR is durable on the server.
// Duplicates (a sensor resending after a lost acknowledgement) are dropped by sequence number
// within an outbox epoch; across a server restart MySQL's unique key on cdr_next drops them.
// Spawn it detached: a store write may block for seconds.
#include <map>
#include <set>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/cdr_writer.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon {

struct cdr_ingest_state {
  struct sensor_stream {
    std::string epoch;
    uint64_t next_seq = 0;
  };
  sink_list sinks;
  std::set<uint32_t> joined;
  caf::actor registry;
  std::map<uint32_t, sensor_stream> streams;
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  static inline const char* name = "cdr_ingest";
};

// After each upload it tells the registry (the sender of `accept`) how many CDRs it stored.
cdr_ingest_actor::behavior_type
cdr_ingest(cdr_ingest_actor::stateful_pointer<cdr_ingest_state> self, sink_list sinks);

}  // namespace voxmon
