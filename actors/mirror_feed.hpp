#pragma once
// mirror_feed: one mirror sender's stream on the receiver. It unpacks each frame
// (core/mirror_frame) into its own core::batch_builder and hands the batches to the sender's
// own call_router, exactly as a file capture would: calls stay per sensor and carry its
// id_sensor. Flow control: batches carry the capture's credit-on-release contract (at most
// `max_in_flight` alive); while they are all out, frames wait in the feed's queue and are not
// acknowledged, so the sender's window stops it (and its buffer fills) instead of the
// receiver's memory growing. Frames seen again after a reconnect are skipped by sequence
// number; the sender's counts of frames it had to drop reach the router as capture loss, so the
// calls open at that moment carry the flag. The end of the stream closes the sensor's calls as
// the end of a file does, and is acknowledged once their CDRs are written (writer `sync`). A
// sender that falls silent (`silence_after`) has its calls timed out on the receiver's clock.
#include <chrono>
#include <deque>
#include <memory>
#include <variant>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/capture.hpp"
#include "core/batch_builder.hpp"
#include "core/mirror_frame.hpp"
#include "core/run_stats.hpp"
#include "messages/actors.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon {

using mirror_feed_actor = caf::typed_actor<
  caf::replies_to<mirror_atom, mirror_frame_msg>::with<mirror_ack>,
  caf::replies_to<eof_atom, mirror_end>::with<mirror_ack>,
  caf::reacts_to<credit_atom>,
  caf::reacts_to<tick_atom>,
  caf::replies_to<status_atom>::with<mirror_feed_status>>;

struct mirror_feed_config {
  uint64_t source = 0;          // the writer's key for this stream's CDRs
  capture_config capture;       // id_sensor, SIP ports, batch size, decoder and TCP limits
  size_t max_frame_bytes = 64 << 20;  // a frame that unpacks to more is refused
  std::chrono::milliseconds durable_interval{500};  // how often `durable` is brought up to date
  // No frame (not even an idle tick) for this long: the sender is gone or cut off. Its packet
  // time then moves on with the receiver's clock, so its open calls time out (rtptimeout ...)
  // as a sensor's calls do when its wire goes quiet, instead of staying open until the stream
  // ends. Live senders send idle ticks every second, so only a lost sender is silent this long.
  std::chrono::milliseconds silence_after{5000};
  caf::actor report_to;  // gets (done, mirror_feed_status) with the final counters at the end
};

struct mirror_feed_state {
  struct queued {
    std::variant<mirror_frame_msg, mirror_end> what;
    caf::typed_response_promise<mirror_ack> promise;
  };
  std::deque<queued> queue;
  std::unique_ptr<core::batch_builder> builder;
  int link_type = -1;
  core::run_stats retired;  // counters of builders replaced after a link type change
  core::mirror_frame_unpacker unpacker;
  size_t in_flight = 0;
  bool started = false;
  bool ending = false;
  std::string epoch;
  uint64_t next_seq = 0;
  uint64_t lost_frames_seen = 0, lost_packets_seen = 0;
  uint64_t durable = 0;  // frames below it are needed by no open call, and their CDRs are stored
  bool durable_pending = false;
  std::chrono::steady_clock::time_point durable_checked{};
  std::chrono::steady_clock::time_point last_heard{};  // the last frame's arrival
  core::timestamp_ns last_packet_ts = 0;               // packet time of the stream so far
  bool silence_timer = false;                          // the 1 s self tick runs
  bool silent = false;                                 // logged for this silence
  mirror_feed_status status;
  static inline const char* name = "mirror_feed";
};

mirror_feed_actor::behavior_type
mirror_feed(mirror_feed_actor::stateful_pointer<mirror_feed_state> self, mirror_feed_config cfg,
            call_router_actor router, cdr_writer_actor writer);

}  // namespace voxmon
