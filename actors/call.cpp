#include "actors/call.hpp"

#include "actors/spool_writer.hpp"
#include "core/spool_path.hpp"

namespace voxmon {

namespace {

// Sends the packets selected for the call's files (of one call message) to its spool writer.
void spool_send(call_actor::stateful_pointer<call_state> self, const spool_link& spool,
                const std::vector<core::batch_ptr>& batches, spool_packets& saved) {
  if (saved.sip.empty() && saved.rtp.empty())
    return;
  saved.batches = batches;
  saved.call_uid = self->id();
  if (!self->state.spooled) {  // the writer keeps the names from the first message
    saved.fbasename = core::make_fbasename(self->state.call->call_id());
    saved.calldate = self->state.first_ts;
  }
  self->send(spool.writer, spool_atom::value, std::move(saved));
  self->state.spooled = true;
}

}  // namespace

call_actor::behavior_type call(call_actor::stateful_pointer<call_state> self, std::string call_id,
                               uint32_t id_sensor, uint64_t source, cdr_writer_actor writer,
                               spool_link spool) {
  self->state.call = std::make_unique<core::call>(std::move(call_id), id_sensor);
  return {
    [=](packets_atom, const call_packets& m) {
      core::call& c = *self->state.call;
      spool_packets saved;  // one spool message per call message, whatever its batches
      if (spool.writer)
        saved.rtp.reserve(m.packets.size());
      core::visit_packets(m, [&](const core::packet_batch& b, const core::routed_packet& rp,
                                 const core::decoded_packet& p) {
        if (self->state.first_ts < 0)
          self->state.first_ts = p.ts;
        if (spool.writer)
          spool_select(spool, b, rp, saved);
        const auto payload = b.payload(p);
        if (rp.role == core::packet_role::media) {
          c.on_media(payload, p);
          return;
        }
        std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
        auto parsed = core::parse_sip(text.substr(rp.sip_offset));
        if (parsed.message)
          c.on_sip(*parsed.message, p);
      });
      spool_send(self, spool, m.batches, saved);
    },
    [=](caploss_atom, const capture_loss& m) {
      self->state.call->on_capture_loss(m.at, m.dropped);
    },
    [=](close_atom, const close_order& order) {
      if (self->state.spooled)  // before the CDR: the node waits for the writer, then the spool
        self->send(spool.writer, close_atom::value, spool_close{self->id()});
      auto record = self->state.call->finish(order.reason);
      record.fbasename = core::make_fbasename(record.callid);
      self->send(writer, cdr_atom::value, cdr_msg{source, order.close_seq, std::move(record)});
      self->quit();
    },
  };
}

}  // namespace voxmon
