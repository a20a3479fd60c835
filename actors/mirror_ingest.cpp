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
  auto router = cfg.make_router(id, fc.source);
  auto feed = self->spawn(mirror_feed, std::move(fc), router, writer);
  self->monitor(feed);
  st.feeds.emplace(id, feed);
  st.feed_ids.emplace(feed.address(), id);
  return feed;
}

}  // namespace

mirror_ingest_local_actor::behavior_type
mirror_ingest(mirror_ingest_local_actor::stateful_pointer<mirror_ingest_state> self,
              mirror_ingest_config cfg, cdr_writer_actor writer) {
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& st = self->state;
    if (auto i = st.feed_ids.find(down.source); i != st.feed_ids.end()) {
      st.feeds.erase(i->second);
      st.feed_ids.erase(i);
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
    [=](status_atom) -> caf::result<std::vector<mirror_feed_status>> {
      auto promise = self->make_response_promise<std::vector<mirror_feed_status>>();
      auto out = std::make_shared<std::vector<mirror_feed_status>>();
      auto remaining = std::make_shared<size_t>(self->state.feeds.size());
      if (*remaining == 0)
        return std::vector<mirror_feed_status>{};
      for (auto& [id, feed] : self->state.feeds)
        self->request(feed, std::chrono::seconds(1), status_atom::value)
          .then(
            [=](const mirror_feed_status& s) mutable {
              out->push_back(s);
              if (--*remaining == 0)
                promise.deliver(std::move(*out));
            },
            [=](caf::error&) mutable {
              if (--*remaining == 0)
                promise.deliver(std::move(*out));
            });
      return promise;
    },
  };
}

}  // namespace voxmon
