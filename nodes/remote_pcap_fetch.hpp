#pragma once
// The central node's side of remote pcaps, for its GUI (gui_hooks::remote_pcap): the parts of
// a call asked of the pcap_relay (which hands each request to the sensor's spool_server) piece
// by piece, each answer checked by core::remote_part_download and written into a private
// temporary directory. Blocking (a scoped_actor per fetch): called on the GUI's worker threads.
#include <caf/actor_system.hpp>

#include <chrono>
#include <cstdint>

#include "actors/pcap_relay.hpp"
#include "gui/gui_server.hpp"

namespace voxmon::nodes {

struct remote_fetch_limits {
  std::chrono::seconds timeout{5};  // per piece (remote_pcap_timeout)
  uint64_t max_bytes = core::remote_pcap_default_max_bytes;  // per query (remote_pcap_max_mb)
};

gui::remote_call_files fetch_remote_call_files(caf::actor_system& sys, const pcap_relay_actor& relay,
                                               const gui::remote_pcap_query& q,
                                               const remote_fetch_limits& limits);

}  // namespace voxmon::nodes
