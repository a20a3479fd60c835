#pragma once
// pcap_relay: the central node's way to the pcaps its CDR sensors keep in their own spools.
// The registry tells it of every joined sensor and its spool_server (a mirror sender has none:
// its calls' pcaps are saved by the central node itself); it monitors each spool_server, so a
// sensor whose link is gone is forgotten at once. A fetch for a sensor is delegated to that
// sensor's spool_server, which answers the asker directly; a sensor not joined now gets
// `not_connected` at once. Local to the central node: never published, so nothing on the
// network can ask it for another sensor's files.
#include <cstdint>
#include <map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/remote_messages.hpp"

namespace voxmon {

using pcap_relay_actor = caf::typed_actor<
  caf::reacts_to<accept_atom, uint32_t, spool_server_actor>,  // registry: sensor joined
  caf::replies_to<fetch_atom, uint32_t, core::pcap_piece_request>::with<core::pcap_piece>>;

struct pcap_relay_state {
  std::map<uint32_t, spool_server_actor> sensors;  // joined; an invalid handle: no spool of its own
  static inline const char* name = "pcap_relay";
};

pcap_relay_actor::behavior_type pcap_relay(pcap_relay_actor::stateful_pointer<pcap_relay_state> self);

}  // namespace voxmon
