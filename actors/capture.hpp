#pragma once
// capture: reads a pcap/pcapng file on its own thread (spawn it detached), decodes and
// classifies every frame into batches (core::batch_builder) and feeds the router, never more
// than `max_in_flight` batches alive anywhere in the pipeline. At the end it sends eof with its counters.
#include <chrono>
#include <memory>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/batch_builder.hpp"
#include "core/pcap_file_reader.hpp"
#include "messages/actors.hpp"

namespace voxmon {

struct capture_state {
  std::shared_ptr<core::pcap_file_reader> reader;
  std::unique_ptr<core::batch_builder> builder;
  uint32_t in_flight = 0;
  bool finished = false;
  bool stop_requested = false;  // `eof`: end at the next batch, as at the end of the file
  bool show_progress = false;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point last_progress;
  static inline const char* name = "capture";
};

struct capture_config {
  uint32_t id_sensor = 0;
  std::vector<std::pair<uint16_t, uint16_t>> sip_ports;
  uint32_t batch_packets = 4096;
  uint32_t max_in_flight = core::source_batches_in_flight;
  bool progress = false;    // draw a progress bar on stderr (only when it is a terminal)
  core::decoder_limits limits;  // tunnel ports, L2TPv3 cookie (config::decoder_limits_from)
  core::tcp_limits tcp;         // SIP over TCP bounds (config::tcp_limits_from)
};

capture_actor::behavior_type
file_capture(capture_actor::stateful_pointer<capture_state> self,
             std::shared_ptr<core::pcap_file_reader> reader, capture_config cfg,
             call_router_actor router);

}  // namespace voxmon
