#include "actors/cdr_ingest.hpp"

#include <caf/send.hpp>

#include "messages/errors.hpp"
#include "store/cdr_decode.hpp"

namespace voxmon {

cdr_ingest_actor::behavior_type
cdr_ingest(cdr_ingest_actor::stateful_pointer<cdr_ingest_state> self, cdr_writer_actor writer) {
  return {
    [=](accept_atom, uint32_t id) {
      self->state.joined.insert(id);
      self->state.registry = caf::actor_cast<caf::actor>(self->current_sender());
    },
    [=](upload_atom, cdr_upload& up) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!st.joined.count(up.id_sensor))
        return make_failure("sensor " + std::to_string(up.id_sensor) + " has not joined");
      auto& stream = st.streams[up.id_sensor];
      if (stream.epoch != up.epoch) {  // a new outbox, or the first upload since the server started
        stream.epoch = up.epoch;
        stream.next_seq = stream.handed_seq = up.first_seq;
      }
      if (up.first_seq > stream.handed_seq)  // the sensor skipped ahead: accept from there on
        stream.next_seq = stream.handed_seq = up.first_seq;
      const uint64_t end = up.first_seq + up.records.size();
      // Records below handed_seq are stored or on their way (an earlier upload of them is still
      // being written): they are not handed over twice.
      const uint64_t skip = std::min<uint64_t>(stream.handed_seq - up.first_seq, up.records.size());
      std::vector<core::cdr> batch;
      batch.reserve(up.records.size() - skip);
      for (size_t i = skip; i < up.records.size(); ++i) {
        std::string error;
        auto c = store::decode_cdr(up.records[i], error);
        if (!c)
          return make_failure("CDR " + std::to_string(up.first_seq + i) + " of sensor " +
                              std::to_string(up.id_sensor) + " is not readable: " + error);
        c->id_sensor = up.id_sensor;  // the id the sensor proved, whatever its CDRs say
        batch.push_back(std::move(*c));
      }
      st.duplicates += std::min<uint64_t>(stream.next_seq - std::min(stream.next_seq, up.first_seq),
                                          up.records.size());
      const uint64_t source = upload_source(up.id_sensor);
      auto& handed = st.writer_seq[up.id_sensor];
      for (auto& c : batch)
        self->send(writer, cdr_atom::value, cdr_msg{source, handed++, std::move(c)});
      stream.handed_seq = std::max(stream.handed_seq, end);
      const uint64_t fresh = batch.size();
      auto promise = self->make_response_promise<uint64_t>();
      const uint32_t id = up.id_sensor;
      const uint64_t dropped = up.capture_dropped;
      const std::string epoch = up.epoch;
      self->request(writer, caf::infinite, sync_atom::value, source, handed)
        .then(
          [=](uint64_t) mutable {
            auto& s = self->state;
            auto& str = s.streams[id];
            if (str.epoch == epoch)
              str.next_seq = std::max(str.next_seq, end);
            s.stored += fresh;
            if (s.registry)
              caf::anon_send(s.registry, heard_atom::value, id, fresh, dropped);
            promise.deliver(str.epoch == epoch ? str.next_seq : end);
          },
          [=](caf::error& e) mutable { promise.deliver(std::move(e)); });
      return promise;
    },
  };
}

}  // namespace voxmon
