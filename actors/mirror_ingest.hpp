#pragma once
// mirror_ingest: the receiver's door for mirror senders (packetbuffer_sender = yes), handed to
// them by the registry when they join. Each joined sensor gets its own mirror_feed and
// call_router (made by `make_router`, so the node decides timeouts and saving); frames are
// delegated to the sensor's feed, which answers the sender directly. A feed lives until its
// stream ends, so a sender that reconnects after a cut link carries on with the same calls.
#include <functional>
#include <map>
#include <set>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/mirror_feed.hpp"

namespace voxmon {

// `status` lists the counters of every mirror sensor since the node started (streams that
// ended and the one in progress, summed); `done` ends every stream as a stopped capture does
// (calls closed with the sighup mark) and answers, with the number of streams, once their CDRs
// are written. A feed reports its final counters with (done, mirror_feed_status).
using mirror_ingest_local_actor = mirror_ingest_actor::extend<
  caf::replies_to<status_atom>::with<std::vector<mirror_feed_status>>,
  caf::replies_to<done_atom>::with<uint64_t>,
  caf::reacts_to<done_atom, mirror_feed_status>>;

struct mirror_ingest_config {
  mirror_feed_config feed;  // capture settings for every stream (source and id_sensor set per stream)
  // A router for a new stream: its CDRs go to the writer under `source` with `id_sensor`.
  std::function<call_router_actor(uint32_t id_sensor, uint64_t source)> make_router;
};

struct mirror_ingest_state {
  std::set<uint32_t> joined;
  std::map<uint32_t, mirror_feed_actor> feeds;
  std::map<uint32_t, mirror_feed_status> ended;  // per sensor: the counters of its ended streams
  uint64_t streams = 0;
  static inline const char* name = "mirror_ingest";
};

// The writer source of the n-th mirror stream (uploads use upload_source()).
constexpr uint64_t mirror_source(uint64_t n) { return (uint64_t{2} << 40) | n; }

mirror_ingest_local_actor::behavior_type
mirror_ingest(mirror_ingest_local_actor::stateful_pointer<mirror_ingest_state> self,
              mirror_ingest_config cfg, cdr_writer_actor writer);

}  // namespace voxmon
