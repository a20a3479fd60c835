#include "actors/cdr_ingest.hpp"

#include <caf/send.hpp>

#include <iostream>

#include "messages/errors.hpp"
#include "store/cdr_decode.hpp"
#include "store/mysql_store.hpp"

namespace voxmon {

cdr_ingest_actor::behavior_type
cdr_ingest(cdr_ingest_actor::stateful_pointer<cdr_ingest_state> self, sink_list sinks) {
  self->state.sinks = std::move(sinks);
  // On the way out, everything the stores hold back is pushed out (file buffers, MySQL journal).
  self->attach_functor([sinks = self->state.sinks] {
    for (auto& sink : sinks)
      sink->flush();
  });
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
        stream.next_seq = up.first_seq;
      }
      if (up.first_seq > stream.next_seq)  // the sensor skipped ahead: accept from there on
        stream.next_seq = up.first_seq;
      const uint64_t skip = stream.next_seq - up.first_seq;
      std::vector<core::cdr> batch;
      batch.reserve(up.records.size());
      for (size_t i = skip; i < up.records.size(); ++i) {
        std::string error;
        auto c = store::decode_cdr(up.records[i], error);
        if (!c)
          return make_failure("CDR " + std::to_string(up.first_seq + i) + " of sensor " +
                        std::to_string(up.id_sensor) + " is not readable: " + error);
        c->id_sensor = up.id_sensor;  // the id the sensor proved, whatever its CDRs say
        batch.push_back(std::move(*c));
      }
      st.duplicates += std::min<uint64_t>(skip, up.records.size());
      if (!batch.empty()) {
        for (auto& sink : st.sinks) {
          auto err = sink->write(batch);
          // MySQL's write is durable when it returns (database or journal); a file sink is
          // durable once flushed.
          if (err.empty() && !dynamic_cast<store::mysql_store*>(sink.get()))
            err = sink->flush();
          if (!err.empty())
            return make_failure("the server could not store the CDRs: " + sink->name() + ": " + err);
        }
        st.stored += batch.size();
        stream.next_seq = up.first_seq + up.records.size();
        if (st.registry)
          caf::anon_send(st.registry, heard_atom::value, up.id_sensor, uint64_t{batch.size()});
      }
      for (auto& sink : st.sinks)
        if (auto* m = dynamic_cast<store::mysql_store*>(sink.get()))
          m->retry();
      return stream.next_seq;
    },
  };
}

}  // namespace voxmon
