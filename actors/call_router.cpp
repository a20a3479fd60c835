#include "actors/call_router.hpp"

#include "actors/call.hpp"
#include "actors/spool_writer.hpp"
#include "core/spool_path.hpp"

namespace voxmon {

namespace {

void execute(call_router_actor::stateful_pointer<call_router_state> self,
             const router_config& cfg, const cdr_writer_actor& writer,
             const core::batch_ptr& batch) {
  auto& st = self->state;
  for (auto& created : st.plan.created) {
    spool_link spool = cfg.spool;
    if (!cfg.spool_pool.empty())
      spool.writer = spool_pick(cfg.spool_pool, core::make_fbasename(created.call_id));
    st.calls.emplace(created.call_key,
                     self->spawn(call, std::move(created.call_id), cfg.id_sensor, cfg.source,
                                 writer, spool));
  }
  for (auto& d : st.plan.deliveries)
    if (auto it = st.calls.find(d.call_key); it != st.calls.end())
      self->send(it->second, packets_atom::value, call_packets{batch, std::move(d.packets)});
  for (const auto& c : st.plan.closings)
    if (auto it = st.calls.find(c.call_key); it != st.calls.end()) {
      self->send(it->second, close_atom::value, close_order{c.reason, c.close_seq});
      st.calls.erase(it);
    }
  st.plan.clear();
}

}  // namespace

call_router_actor::behavior_type
call_router(call_router_actor::stateful_pointer<call_router_state> self, router_config cfg,
            cdr_writer_actor writer) {
  self->state.directory = core::call_directory{cfg.timeouts};
  return {
    [=](batch_atom, const batch_msg& m) {
      auto& st = self->state;
      st.directory.route(*m.batch, st.plan, st.stats);
      execute(self, cfg, writer, m.batch);
    },
    [=](caploss_atom, const capture_loss& m) {
      // The capture lost packets: every call open now is flagged (which calls the lost packets
      // belonged to is unknown). Rare, so one message per open call is fine.
      auto& st = self->state;
      for (uint64_t key : st.directory.open_call_keys())
        if (auto it = st.calls.find(key); it != st.calls.end())
          self->send(it->second, caploss_atom::value, m);
    },
    [=](eof_atom, const input_end& end) {
      auto& st = self->state;
      st.directory.close_all(st.plan);
      execute(self, cfg, writer, nullptr);
      core::run_stats stats = st.stats;
      stats += end.stats;  // the capture's counters (frames, decoding, transports)
      self->send(writer, done_atom::value,
                 source_done{cfg.source, st.directory.closed_calls(), stats, end.error});
      self->quit();
    },
  };
}

}  // namespace voxmon
