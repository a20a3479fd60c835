#pragma once
// cdr_writer: the sink end of the pipeline. Puts the CDRs of each source back into close order
// (calls finish on many threads), writes them in batches to every configured sink, and
// answers the node's `done` request with the run report when every source has finished, and
// `status` with live counters for the status line and metrics.
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "messages/actors.hpp"
#include "store/cdr_sink.hpp"

namespace voxmon {

using sink_list = std::vector<std::shared_ptr<store::cdr_sink>>;

struct cdr_writer_state {
  struct source_state {
    uint64_t next_seq = 0;
    std::map<uint64_t, core::cdr> waiting;  // arrived ahead of their turn
    std::optional<uint64_t> total;
    bool finished = false;
  };
  sink_list sinks;
  uint32_t table_rows = 0;
  size_t write_batch = 512;
  std::map<uint64_t, source_state> sources;
  std::vector<core::cdr> ready;
  bool flush_scheduled = false;
  bool retry_scheduled = false;  // a journal retry tick is pending (MySQL away)
  uint32_t expected_sources = 0;
  uint32_t finished_sources = 0;
  run_report report;
  uint64_t written = 0;       // CDRs every sink accepted (stored, or kept in a journal)
  uint64_t write_errors = 0;  // sink writes that failed (CDRs lost for that sink)
  std::optional<caf::typed_response_promise<run_report>> done_promise;
  struct pending_sync {
    uint64_t source = 0;
    uint64_t closes = 0;
    caf::typed_response_promise<uint64_t> promise;
  };
  std::vector<pending_sync> syncs;
  static inline const char* name = "cdr_writer";
};

cdr_writer_actor::behavior_type
cdr_writer(cdr_writer_actor::stateful_pointer<cdr_writer_state> self, sink_list sinks,
           uint32_t table_rows);

}  // namespace voxmon
