#pragma once
// call_router: owns the Call-ID -> call and endpoint -> call maps (a core::call_directory),
// spawns one call actor per call, and sends each call its packets once per batch.
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/call_directory.hpp"
#include "core/delivery_coalescer.hpp"
#include "core/source_merge.hpp"
#include "messages/actors.hpp"

namespace voxmon {

struct call_router_state {
  call_router_state() : directory(core::call_timeouts{}) {}
  core::call_directory directory;
  core::routing_plan plan;
  core::delivery_coalescer coalescer;  // each call's packets gathered over several batches
  std::optional<core::source_merge> merge;  // several interfaces: their packets in time order
  core::merge_round round;                  // scratch for the merge
  std::unordered_map<uint64_t, call_actor> calls;
  core::run_stats stats;
  spool_link spool;               // what to save (SIGHUP may change it)
  uint32_t sources_ended = 0;     // eofs received
  bool sighup = false;            // a source ended because the daemon stops
  core::run_stats source_stats;   // the sources' counters, summed
  std::string source_error;
  uint64_t routed_packets = 0, routed_bytes = 0;
  std::unordered_map<uint64_t, uint64_t> mark_of;  // open call -> source mark of its first batch
  std::multiset<uint64_t> open_marks;
  uint64_t last_mark = 0;
  static inline const char* name = "call_router";
};

struct router_config {
  uint64_t source = 0;        // key of this router's CDR sequence at the writer
  uint32_t id_sensor = 0;
  core::call_timeouts timeouts;
  std::vector<spool_writer_actor> spool_pool;  // empty = no per-call pcap files
  spool_link spool;                            // what to save (its writer is picked per call)
  uint32_t sources = 1;                        // eofs to wait for before closing every call
  // Of those, the live interfaces whose packets are merged in packet-time order (their
  // batches and eof carry merge slots 0 .. merged_sources-1); 0 or 1: no merge.
  uint32_t merged_sources = 0;
};

call_router_actor::behavior_type
call_router(call_router_actor::stateful_pointer<call_router_state> self, router_config cfg,
            cdr_writer_actor writer);

}  // namespace voxmon
