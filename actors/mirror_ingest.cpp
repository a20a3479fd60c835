#include "actors/mirror_ingest.hpp"

#include <caf/event_based_actor.hpp>

#include "messages/errors.hpp"

namespace voxmon {

namespace {

using ingest_ptr = mirror_ingest_local_actor::stateful_pointer<mirror_ingest_state>;

mirror_feed_actor feed_of(ingest_ptr self, const mirror_ingest_config& cfg,
                          const cdr_writer_actor& writer, uint32_t id) {
  auto& st = self->state;
  if (auto i = st.feeds.find(id); i != st.feeds.end())
    return i->second;
  mirror_feed_config fc = cfg.feed;
  fc.source = mirror_source(++st.streams);
  fc.capture.id_sensor = id;
  fc.report_to = caf::actor_cast<caf::actor>(self);
  auto router = cfg.make_router(id, fc.source);
  auto feed = self->spawn(mirror_feed, std::move(fc), router, writer);
  self->monitor(feed);
  st.feeds.emplace(id, feed);
  return feed;
}

// The counters of two streams of one sensor, summed (the last frame time: the later one).
mirror_feed_status add_counters(mirror_feed_status a, const mirror_feed_status& b) {
  a.id_sensor = b.id_sensor;
  a.frames += b.frames;
  a.packets += b.packets;
  a.raw_bytes += b.raw_bytes;
  a.wire_bytes += b.wire_bytes;
  a.duplicates += b.duplicates;
  a.lost_frames += b.lost_frames;
  a.lost_packets += b.lost_packets;
  a.bad_frames += b.bad_frames;
  a.queued = b.queued;  // a gauge: the stream in progress says how many wait now
  a.last_frame_ms = std::max(a.last_frame_ms, b.last_frame_ms);
  return a;
}

}  // namespace

mirror_ingest_local_actor::behavior_type
mirror_ingest(mirror_ingest_local_actor::stateful_pointer<mirror_ingest_state> self,
              mirror_ingest_config cfg, cdr_writer_actor writer) {
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& feeds = self->state.feeds;
    for (auto i = feeds.begin(); i != feeds.end(); ++i)
      if (i->second.address() == down.source) {
        feeds.erase(i);
        return;
      }
  });
  return {
    [=](accept_atom, uint32_t id) { self->state.joined.insert(id); },
    [=](mirror_atom, mirror_frame_msg& f) -> caf::result<mirror_ack> {
      if (!self->state.joined.count(f.id_sensor))
        return make_failure("sensor " + std::to_string(f.id_sensor) + " has not joined");
      return self->delegate(feed_of(self, cfg, writer, f.id_sensor), mirror_atom::value,
                            std::move(f));
    },
    [=](eof_atom, mirror_end& end) -> caf::result<mirror_ack> {
      if (!self->state.joined.count(end.id_sensor))
        return make_failure("sensor " + std::to_string(end.id_sensor) + " has not joined");
      return self->delegate(feed_of(self, cfg, writer, end.id_sensor), eof_atom::value,
                            std::move(end));
    },
    [=](done_atom) -> caf::result<uint64_t> {
      const uint64_t n = self->state.feeds.size();
      if (n == 0)
        return uint64_t{0};
      auto promise = self->make_response_promise<uint64_t>();
      auto remaining = std::make_shared<uint64_t>(n);
      for (auto& [id, feed] : self->state.feeds)
        self->request(feed, caf::infinite, eof_atom::value, mirror_end{id, {}, 0, true})
          .then([=](const mirror_ack&) mutable { if (--*remaining == 0) promise.deliver(n); },
                [=](caf::error&) mutable { if (--*remaining == 0) promise.deliver(n); });
      return promise;
    },
    [=](done_atom, const mirror_feed_status& s) {
      auto& total = self->state.ended[s.id_sensor];
      total = add_counters(total, s);
    },
    [=](status_atom) -> caf::result<std::vector<mirror_feed_status>> {
      auto promise = self->make_response_promise<std::vector<mirror_feed_status>>();
      auto out = std::make_shared<std::map<uint32_t, mirror_feed_status>>(self->state.ended);
      auto remaining = std::make_shared<size_t>(self->state.feeds.size());
      auto deliver = [out](caf::typed_response_promise<std::vector<mirror_feed_status>>& p) {
        std::vector<mirror_feed_status> v;
        for (auto& [id, s] : *out)
          v.push_back(s);
        p.deliver(std::move(v));
      };
      if (*remaining == 0) {
        deliver(promise);
        return promise;
      }
      for (auto& [id, feed] : self->state.feeds)
        self->request(feed, std::chrono::seconds(1), status_atom::value)
          .then(
            [=](const mirror_feed_status& s) mutable {
              auto& total = (*out)[s.id_sensor];
              total = add_counters(total, s);
              if (--*remaining == 0)
                deliver(promise);
            },
            [=](caf::error&) mutable {
              if (--*remaining == 0)
                deliver(promise);
            });
      return promise;
    },
  };
}

}  // namespace voxmon
