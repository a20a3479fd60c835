#pragma once
// cdr_ingest: the central node's CDR door for local-processing sensors. Each upload is decoded,
// stamped with the joined sensor's id and handed to the node's cdr_writer (the one owner of the
// stores) as its own source; the upload is acknowledged when the writer answers `sync`, i.e.
// once the CDRs are written (MySQL: committed or in its journal; files: flushed). An
// acknowledged CDR is durable on the server.
// Duplicates (a sensor resending after a lost acknowledgement) are dropped by sequence number
// within an outbox epoch; across a server restart MySQL's unique key on cdr_next drops them.
#include <map>
#include <set>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/actors.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon {

struct cdr_ingest_state {
  struct sensor_stream {
    std::string epoch;
    uint64_t next_seq = 0;     // acknowledged: every CDR before it is stored
    uint64_t handed_seq = 0;   // handed to the writer (>= next_seq)
  };
  std::set<uint32_t> joined;
  caf::actor registry;
  std::map<uint32_t, sensor_stream> streams;
  std::map<uint32_t, uint64_t> writer_seq;  // per sensor: CDRs handed to the writer so far
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  static inline const char* name = "cdr_ingest";
};

// The writer source of a sensor's uploaded CDRs (mirror streams use other source numbers).
constexpr uint64_t upload_source(uint32_t id_sensor) { return (uint64_t{1} << 40) | id_sensor; }

// After each upload it tells the registry (the sender of `accept`) how many CDRs it stored.
cdr_ingest_actor::behavior_type
cdr_ingest(cdr_ingest_actor::stateful_pointer<cdr_ingest_state> self, cdr_writer_actor writer);

}  // namespace voxmon
