#include "actors/pcap_relay.hpp"

namespace voxmon {

pcap_relay_actor::behavior_type pcap_relay(pcap_relay_actor::stateful_pointer<pcap_relay_state> self) {
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& sensors = self->state.sensors;
    for (auto i = sensors.begin(); i != sensors.end();)
      i = i->second && i->second.address() == down.source ? sensors.erase(i) : std::next(i);
  });
  return {
    [=](accept_atom, uint32_t id, const spool_server_actor& spool) {
      self->state.sensors[id] = spool;  // a sensor that joins again replaces its old link
      if (spool)
        self->monitor(spool);
    },
    [=](fetch_atom, uint32_t id, const core::pcap_piece_request& r) -> caf::result<core::pcap_piece> {
      const std::string who = "sensor " + std::to_string(id);
      auto i = self->state.sensors.find(id);
      if (i == self->state.sensors.end())
        return core::pcap_piece_failure(core::remote_pcap_outcome::not_connected,
                                        who + " is not connected: its pcaps cannot be fetched");
      if (!i->second)
        return core::pcap_piece_failure(core::remote_pcap_outcome::not_found,
                                        who + " keeps no pcaps of its own (a mirror sender: this node "
                                              "saves its calls' pcaps, and has none of this call)");
      return self->delegate(i->second, fetch_atom::value, r);
    },
  };
}

}  // namespace voxmon
