#include "actors/call_router.hpp"

#include "actors/call.hpp"
#include "actors/spool_writer.hpp"
#include "core/spool_path.hpp"

namespace voxmon {

namespace {

void send_packets(call_router_actor::stateful_pointer<call_router_state> self, uint64_t key,
                  core::pending_packets&& packets) {
  if (auto it = self->state.calls.find(key); it != self->state.calls.end())
    self->send(it->second, packets_atom::value, std::move(packets));
}

void execute(call_router_actor::stateful_pointer<call_router_state> self,
             const router_config& cfg, const cdr_writer_actor& writer,
             const core::batch_ptr& batch) {
  auto& st = self->state;
  for (auto& created : st.plan.created) {
    if (batch) {
      st.mark_of.emplace(created.call_key, batch->source_mark);
      st.open_marks.insert(batch->source_mark);
    }
    spool_link spool = st.spool;
    if (!cfg.spool_pool.empty())
      spool.writer = spool_pick(cfg.spool_pool, core::make_fbasename(created.call_id));
    st.calls.emplace(created.call_key,
                     self->spawn(call, std::move(created.call_id), cfg.id_sensor, cfg.source,
                                 writer, spool));
  }
  auto send = [&](uint64_t key, core::pending_packets&& p) { send_packets(self, key, std::move(p)); };
  if (batch)
    st.coalescer.add(batch, st.plan.deliveries, send);
  for (const auto& c : st.plan.closings)
    if (auto it = st.calls.find(c.call_key); it != st.calls.end()) {
      st.coalescer.flush_call(c.call_key, send);  // its last packets before the close
      self->send(it->second, close_atom::value, close_order{c.reason, c.close_seq});
      st.calls.erase(it);
      if (auto m = st.mark_of.find(c.call_key); m != st.mark_of.end()) {
        st.open_marks.erase(st.open_marks.find(m->second));
        st.mark_of.erase(m);
      }
    }
  st.plan.clear();
}

void flush_all(call_router_actor::stateful_pointer<call_router_state> self) {
  self->state.coalescer.flush_all(
    [&](uint64_t key, core::pending_packets&& p) { send_packets(self, key, std::move(p)); });
}

}  // namespace

call_router_actor::behavior_type
call_router(call_router_actor::stateful_pointer<call_router_state> self, router_config cfg,
            cdr_writer_actor writer) {
  self->state.directory = core::call_directory{cfg.timeouts};
  self->state.spool = cfg.spool;
  return {
    [=](batch_atom, const batch_msg& m) {
      auto& st = self->state;
      st.directory.route(*m.batch, st.plan, st.stats);
      st.routed_packets += m.batch->frames.size();
      st.last_mark = m.batch->source_mark;
      for (const auto& f : m.batch->frames)
        st.routed_bytes += f.wirelen;
      execute(self, cfg, writer, m.batch);
    },
    [=](tick_atom, core::timestamp_ns now) {
      // The wire is idle: packet time moves on, so calls time out without traffic.
      auto& st = self->state;
      st.directory.advance(now, st.plan);
      execute(self, cfg, writer, nullptr);
      flush_all(self);  // nothing more is coming soon: do not keep the calls waiting
    },
    [=](reload_atom, const router_reload& r) {
      auto& st = self->state;
      st.directory.set_timeouts(r.timeouts);
      if (!cfg.spool_pool.empty()) {
        st.spool.sip = r.savesip;
        st.spool.rtp = r.savertp;
        st.spool.rtcp = r.savertcp;
        st.spool.rtp_header_only = r.rtp_header_only;
      }
    },
    [=](status_atom) {
      const auto& st = self->state;
      router_status s;
      s.calls_open = st.directory.open_calls();
      s.calls_closed = st.directory.closed_calls();
      s.packets = st.routed_packets;
      s.bytes = st.routed_bytes;
      s.oldest_mark = st.open_marks.empty() ? st.last_mark : *st.open_marks.begin();
      return s;
    },
    [=](caploss_atom, const capture_loss& m) {
      // The capture lost packets: every call open now is flagged (which calls the lost packets
      // belonged to is unknown). Rare, so one message per open call is fine.
      auto& st = self->state;
      flush_all(self);  // the packets before the loss reach the calls before its flag
      for (uint64_t key : st.directory.open_call_keys())
        if (auto it = st.calls.find(key); it != st.calls.end())
          self->send(it->second, caploss_atom::value, m);
    },
    [=](eof_atom, const input_end& end) {
      auto& st = self->state;
      st.source_stats += end.stats;  // the capture's counters (frames, decoding, transports)
      if (!end.error.empty())
        st.source_error += (st.source_error.empty() ? "" : "; ") + end.error;
      st.sighup = st.sighup || end.sighup;
      if (++st.sources_ended < cfg.sources)
        return;  // other sources still feed this router
      st.directory.close_all(st.plan, st.sighup ? core::close_reason::sighup
                                                : core::close_reason::end_of_input);
      execute(self, cfg, writer, nullptr);
      core::run_stats stats = st.stats;
      stats += st.source_stats;
      self->send(writer, done_atom::value,
                 source_done{cfg.source, st.directory.closed_calls(), stats, st.source_error});
      self->quit();
    },
  };
}

}  // namespace voxmon
