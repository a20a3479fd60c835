#include "actors/call_router.hpp"

#include "actors/call.hpp"
#include "actors/spool_writer.hpp"
#include "core/log.hpp"
#include "core/spool_path.hpp"

namespace voxmon {

namespace {

void send_packets(call_router_actor::stateful_pointer<call_router_state> self, uint64_t key,
                  core::pending_packets&& packets) {
  if (auto it = self->state.calls.find(key); it != self->state.calls.end())
    self->send(it->second, packets_atom::value, std::move(packets));
}

// Creates, delivers and closes what the plan says. `batches` are those the plan's deliveries
// refer to (none for a tick or the end), the first packet routed at `first_ts`.
void execute(call_router_actor::stateful_pointer<call_router_state> self,
             const router_config& cfg, const cdr_writer_actor& writer,
             std::span<const core::batch_ptr> batches, core::timestamp_ns first_ts) {
  auto& st = self->state;
  for (auto& created : st.plan.created) {
    if (!batches.empty()) {
      st.mark_of.emplace(created.call_key, batches.front()->source_mark);
      st.open_marks.insert(batches.front()->source_mark);
    }
    spool_link spool = st.spool;
    if (!cfg.spool_pool.empty())
      spool.writer = spool_pick(cfg.spool_pool, core::make_fbasename(created.call_id));
    st.calls.emplace(created.call_key,
                     self->spawn(call, std::move(created.call_id), cfg.id_sensor, cfg.source,
                                 writer, spool));
  }
  auto send = [&](uint64_t key, core::pending_packets&& p) { send_packets(self, key, std::move(p)); };
  if (!batches.empty())
    st.coalescer.add(batches, first_ts, st.plan.deliveries, send);
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

void execute(call_router_actor::stateful_pointer<call_router_state> self,
             const router_config& cfg, const cdr_writer_actor& writer) {
  execute(self, cfg, writer, {}, 0);
}

// Routes what the merge of several interfaces can release now (everything with `all`).
void route_merged(call_router_actor::stateful_pointer<call_router_state> self,
                  const router_config& cfg, const cdr_writer_actor& writer, bool all = false) {
  auto& st = self->state;
  auto& round = st.round;
  while (st.merge->take(round, all)) {
    st.directory.route(round, st.plan, st.stats);
    const auto& first = round.order.front();
    execute(self, cfg, writer, round.batches, round.batches[first.slot]->packets[first.index].ts);
  }
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
  if (cfg.merged_sources > 1)
    self->state.merge.emplace(cfg.merged_sources);
  return {
    [=](batch_atom, const batch_msg& m) {
      auto& st = self->state;
      st.routed_packets += m.batch->frames.size();
      st.last_mark = m.batch->source_mark;
      for (const auto& f : m.batch->frames)
        st.routed_bytes += f.wirelen;
      if (st.merge && m.merge_slot < cfg.merged_sources) {
        st.merge->add(m.merge_slot, m.batch);
        route_merged(self, cfg, writer);
        return;
      }
      st.directory.route(*m.batch, st.plan, st.stats);
      const auto first_ts = m.batch->packets.empty() ? 0 : m.batch->packets.front().ts;
      execute(self, cfg, writer, std::span<const core::batch_ptr>(&m.batch, 1), first_ts);
    },
    [=](progress_atom, uint32_t slot, core::timestamp_ns floor) {
      auto& st = self->state;
      if (!st.merge || slot >= cfg.merged_sources)
        return;
      st.merge->progress(slot, floor);
      route_merged(self, cfg, writer);
    },
    [=](tick_atom, core::timestamp_ns now) {
      // The wire is idle: packet time moves on, so calls time out without traffic (not past
      // packets an interface still has to bring: they would find their calls closed).
      auto& st = self->state;
      if (st.merge)
        now = std::min(now, st.merge->released_up_to());
      st.directory.advance(now, st.plan);
      execute(self, cfg, writer);
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
      s.merged_early = st.merge ? st.merge->forced() : 0;
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
      if (st.merge && end.merge_slot < cfg.merged_sources) {
        st.merge->end(end.merge_slot);
        route_merged(self, cfg, writer);
      }
      st.source_stats += end.stats;  // the capture's counters (frames, decoding, transports)
      if (!end.error.empty())
        st.source_error += (st.source_error.empty() ? "" : "; ") + end.error;
      st.sighup = st.sighup || end.sighup;
      if (++st.sources_ended < cfg.sources)
        return;  // other sources still feed this router
      if (st.merge) {
        route_merged(self, cfg, writer, /*all=*/true);
        if (st.merge->forced() > 0)
          core::log::info(std::to_string(st.merge->forced()) +
                          " packets were routed before every interface had caught up with them");
      }
      st.directory.close_all(st.plan, st.sighup ? core::close_reason::sighup
                                                : core::close_reason::end_of_input);
      execute(self, cfg, writer);
      core::run_stats stats = st.stats;
      stats += st.source_stats;
      self->send(writer, done_atom::value,
                 source_done{cfg.source, st.directory.closed_calls(), stats, st.source_error});
      self->quit();
    },
  };
}

}  // namespace voxmon
