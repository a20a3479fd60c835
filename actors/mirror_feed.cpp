#include "actors/mirror_feed.hpp"

#include <caf/send.hpp>

#include <iostream>
#include <limits>

#include "actors/batch_credit.hpp"
#include "messages/errors.hpp"

namespace voxmon {

namespace {

using feed_ptr = mirror_feed_actor::stateful_pointer<mirror_feed_state>;

void hand_out(feed_ptr self, const call_router_actor& router) {
  auto& st = self->state;
  if (!st.builder || st.builder->empty())
    return;
  ++st.in_flight;
  self->send(router, batch_atom::value,
             batch_msg{credit_on_release(st.builder->take(), caf::actor_cast<mirror_feed_actor>(self))});
}

mirror_ack ack_of(const mirror_feed_state& st) {
  return {st.next_seq, std::min(st.durable, st.next_seq), st.status.duplicates};
}

// Moves `durable` on: the router names the oldest frame an open call needs (and how many calls
// it has closed); once the writer has stored those calls' CDRs, frames before that one are no
// longer needed by anything, even if this receiver restarts.
void check_durable(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router,
                   const cdr_writer_actor& writer) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  if (st.durable_pending || st.ending || now - st.durable_checked < cfg.durable_interval)
    return;
  st.durable_pending = true;
  st.durable_checked = now;
  const uint64_t source = cfg.source;
  self->request(router, std::chrono::seconds(10), status_atom::value)
    .then(
      [=](const router_status& rs) {
        const uint64_t mark = rs.oldest_mark;
        self->request(writer, std::chrono::seconds(60), sync_atom::value, source, rs.calls_closed)
          .then(
            [=](uint64_t) {
              auto& s = self->state;
              s.durable = std::max(s.durable, mark);
              s.durable_pending = false;
            },
            [=](caf::error&) { self->state.durable_pending = false; });
      },
      [=](caf::error&) { self->state.durable_pending = false; });
}

// The sender's loss totals went up (frames its buffer could not keep, packets its capture
// dropped): the calls open now are flagged (which calls the lost packets belonged to is
// unknown), and the loss is counted and logged.
void note_loss(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router,
               uint64_t lost_frames, uint64_t lost_packets, core::timestamp_ns tick) {
  auto& st = self->state;
  if (lost_packets <= st.lost_packets_seen && lost_frames <= st.lost_frames_seen)
    return;
  const uint64_t dropped = lost_packets - std::min(lost_packets, st.lost_packets_seen);
  st.status.lost_frames += lost_frames - std::min(lost_frames, st.lost_frames_seen);
  st.status.lost_packets += dropped;
  st.lost_frames_seen = std::max(st.lost_frames_seen, lost_frames);
  st.lost_packets_seen = std::max(st.lost_packets_seen, lost_packets);
  hand_out(self, router);  // the loss happened after what was received so far
  const core::timestamp_ns at = st.builder ? st.builder->last_ts() : tick;
  self->send(router, caploss_atom::value, capture_loss{at, dropped});
  std::cerr << "voxmon: mirror sensor " << cfg.capture.id_sensor << " lost " << dropped
            << " packets (its capture dropped them, or its buffer was full)\n";
}

void take_frame(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router,
                mirror_frame_msg& f) {
  auto& st = self->state;
  if (!st.started || st.epoch != f.epoch) {
    st.started = true;
    st.epoch = f.epoch;
    st.next_seq = f.seq;
  }
  if (f.seq < st.next_seq) {
    ++st.status.duplicates;
    return;
  }
  st.next_seq = f.seq + 1;
  note_loss(self, cfg, router, f.lost_frames, f.lost_packets, f.tick);
  if (f.packets == 0) {
    if (f.tick > 0) {
      self->send(router, tick_atom::value, core::timestamp_ns{f.tick});
      st.last_packet_ts = std::max(st.last_packet_ts, core::timestamp_ns{f.tick});
    }
    return;
  }
  if (auto err = st.unpacker.open(f.payload.view(), cfg.max_frame_bytes, f.compressed); !err.empty()) {
    ++st.status.bad_frames;
    std::cerr << "voxmon: mirror sensor " << cfg.capture.id_sensor << ": frame " << f.seq
              << " skipped: " << err << '\n';
    return;
  }
  if (!st.builder || st.link_type != f.link_type) {
    hand_out(self, router);
    if (st.builder)
      st.builder->add_counters(st.retired);
    const auto& c = cfg.capture;
    st.builder = std::make_unique<core::batch_builder>(f.link_type, c.id_sensor, c.sip_ports,
                                                       c.batch_packets, c.limits, c.tcp);
    st.link_type = f.link_type;
  }
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  st.builder->mark_source(f.seq);
  while (st.unpacker.next(ts, data, caplen, wirelen))
    if (st.builder->add(ts, data, caplen, wirelen)) {
      hand_out(self, router);
      st.builder->mark_source(f.seq);  // the next batch starts in this frame too
    }
  hand_out(self, router);
  st.last_packet_ts = std::max(st.last_packet_ts, st.builder->last_ts());
  ++st.status.frames;
  st.status.last_frame_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  st.status.packets += st.unpacker.packets();
  st.status.raw_bytes += st.unpacker.raw_bytes();
  st.status.wire_bytes += f.payload.size();
}

void finish(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router,
            const cdr_writer_actor& writer, const mirror_end& end,
            caf::typed_response_promise<mirror_ack> promise) {
  auto& st = self->state;
  st.ending = true;
  note_loss(self, cfg, router, end.lost_frames, end.lost_packets, 0);
  hand_out(self, router);
  input_end done;
  if (st.builder)
    st.builder->add_counters(done.stats);
  done.stats += st.retired;
  done.sighup = end.sighup;
  self->send(router, eof_atom::value, std::move(done));
  const uint64_t end_seq = std::max(end.end_seq, st.next_seq);
  const uint64_t duplicates = st.status.duplicates;
  self->request(writer, caf::infinite, sync_atom::value, cfg.source,
                std::numeric_limits<uint64_t>::max())
    .then(
      [=](uint64_t) mutable {
        promise.deliver(mirror_ack{end_seq, end_seq, duplicates});
        if (cfg.report_to)
          caf::anon_send(cfg.report_to, done_atom::value, self->state.status);
        self->quit();
      },
      [=](caf::error& e) mutable {
        promise.deliver(std::move(e));
        self->quit();
      });
}

// Once a second: after `silence_after` without a frame, the stream's packet time is its last
// packet's time plus the silence, handed to the router as a live capture's idle tick is.
void check_silence(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router) {
  auto& st = self->state;
  if (st.ending)
    return;
  const auto quiet = std::chrono::steady_clock::now() - st.last_heard;
  if (st.last_packet_ts > 0 && quiet >= cfg.silence_after) {
    if (!st.silent)
      std::cerr << "voxmon: mirror sensor " << cfg.capture.id_sensor << ": no frame for "
                << std::chrono::duration_cast<std::chrono::seconds>(quiet).count()
                << " s: its open calls now time out on this node's clock\n";
    st.silent = true;
    self->send(router, tick_atom::value,
               st.last_packet_ts + std::chrono::duration_cast<std::chrono::nanoseconds>(quiet).count());
  } else {
    st.silent = false;
  }
  self->delayed_send(caf::actor_cast<mirror_feed_actor>(self), std::chrono::seconds(1), tick_atom::value);
}

void work(feed_ptr self, const mirror_feed_config& cfg, const call_router_actor& router,
          const cdr_writer_actor& writer) {
  auto& st = self->state;
  while (!st.queue.empty() && !st.ending && st.in_flight < cfg.capture.max_in_flight) {
    auto q = std::move(st.queue.front());
    st.queue.pop_front();
    if (auto* f = std::get_if<mirror_frame_msg>(&q.what)) {
      take_frame(self, cfg, router, *f);
      q.promise.deliver(ack_of(st));
    } else {
      finish(self, cfg, router, writer, std::get<mirror_end>(q.what), q.promise);
    }
  }
  st.status.queued = st.queue.size();
  check_durable(self, cfg, router, writer);
}

}  // namespace

mirror_feed_actor::behavior_type
mirror_feed(mirror_feed_actor::stateful_pointer<mirror_feed_state> self, mirror_feed_config cfg,
            call_router_actor router, cdr_writer_actor writer) {
  self->state.status.id_sensor = cfg.capture.id_sensor;
  return {
    [=](mirror_atom, mirror_frame_msg& f) -> caf::typed_response_promise<mirror_ack> {
      auto promise = self->make_response_promise<mirror_ack>();
      if (self->state.ending)
        return promise.deliver(make_failure("the stream has ended"));
      auto& st = self->state;
      st.last_heard = std::chrono::steady_clock::now();
      if (!st.silence_timer) {
        st.silence_timer = true;
        self->delayed_send(caf::actor_cast<mirror_feed_actor>(self), std::chrono::seconds(1),
                           tick_atom::value);
      }
      st.queue.push_back({std::move(f), promise});
      work(self, cfg, router, writer);
      return promise;
    },
    [=](eof_atom, mirror_end& end) -> caf::typed_response_promise<mirror_ack> {
      auto promise = self->make_response_promise<mirror_ack>();
      if (self->state.ending)
        return promise.deliver(make_failure("the stream has ended"));
      self->state.queue.push_back({std::move(end), promise});
      work(self, cfg, router, writer);
      return promise;
    },
    [=](credit_atom) {
      --self->state.in_flight;
      work(self, cfg, router, writer);
    },
    [=](tick_atom) { check_silence(self, cfg, router); },
    [=](status_atom) { return self->state.status; },
  };
}

}  // namespace voxmon
