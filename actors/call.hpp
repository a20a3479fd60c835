#pragma once
// call: one actor per call. A thin shell around core::call: feeds it its packets and, when the
// router closes the call, sends the CDR to the writer and quits.
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/call.hpp"
#include "messages/actors.hpp"

namespace voxmon {

struct call_state {
  std::unique_ptr<core::call> call;
  core::timestamp_ns first_ts = -1;  // calldate of the spool files
  bool spooled = false;               // a spool_writer has files of this call open
  static inline const char* name = "call";
};

call_actor::behavior_type call(call_actor::stateful_pointer<call_state> self, std::string call_id,
                               uint32_t id_sensor, uint64_t source, cdr_writer_actor writer,
                               spool_link spool = {});

}  // namespace voxmon
