#include "actors/call.hpp"

namespace voxmon {

call_actor::behavior_type call(call_actor::stateful_pointer<call_state> self, std::string call_id,
                               uint32_t id_sensor, uint64_t source, cdr_writer_actor writer) {
  self->state.call = std::make_unique<core::call>(std::move(call_id), id_sensor);
  return {
    [=](packets_atom, const call_packets& m) {
      core::call& c = *self->state.call;
      const core::packet_batch& b = *m.batch;
      for (const auto& rp : m.packets) {
        const core::decoded_packet& p = b.packets[rp.index];
        const auto payload = b.payload(p);
        if (rp.role == core::packet_role::media) {
          c.on_media(payload, p);
          continue;
        }
        std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
        auto parsed = core::parse_sip(text.substr(rp.sip_offset));
        if (parsed.message)
          c.on_sip(*parsed.message, p);
      }
    },
    [=](close_atom, const close_order& order) {
      self->send(writer, cdr_atom::value,
                 cdr_msg{source, order.close_seq, self->state.call->finish(order.reason)});
      self->quit();
    },
  };
}

}  // namespace voxmon
