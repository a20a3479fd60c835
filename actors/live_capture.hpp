#pragma once
// live_capture: one network interface (core::pcap_live_source) read on its own thread (spawn it
// detached), decoded into batches by core::batch_builder and fed to the router with the file
// capture's contract (at most `max_in_flight` batches alive, credit on release). On top:
// - a batch is handed over when full, when the wire goes idle, or at most `flush_ms` after its
//   first packet, so calls see their packets promptly;
// - while the wire is idle it sends `tick` with packet time moved on by the wall clock, so call
//   timeouts fire without traffic;
// - every `stats_interval_ms` it reads libpcap's drop counters; new drops go to the router as
//   `caploss` (the open calls get the capture-loss flag) and into the shared counters;
// - with `deduplicate`, packets whose IP packet was seen within 100 ms (on any interface
//   sharing the window) are dropped and counted;
// - with several interfaces (`merge_slot` set), its batches and eof carry the slot and, while
//   the wire is idle, it promises the router (`progress`) that nothing earlier than the packet
//   time now minus `progress_margin_ms` is still coming, so the router can merge the
//   interfaces' packets in time order (core::source_merge) without waiting for this one;
// - `eof` stops it: the last batch, then eof (sighup set) go to the router.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/capture.hpp"
#include "core/batch_builder.hpp"
#include "core/dedup.hpp"
#include "core/pcap_live_source.hpp"
#include "messages/actors.hpp"

namespace voxmon {

// Totals of one interface, read by the node for the status line and the metrics endpoint.
struct live_counters {
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> kernel_dropped{0};
  std::atomic<uint64_t> interface_dropped{0};
  std::atomic<uint64_t> duplicates{0};
  // Control from the node, checked between reads: a capture that always has its next `read`
  // queued does not get to other messages promptly in CAF 0.17, so stop and reload also come
  // this way (the eof / reload messages remain for other senders).
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
  std::mutex filter_mutex;
  std::string new_filter;  // under filter_mutex
};

struct live_capture_config {
  capture_config capture;                      // sensor id, SIP ports, batch size, decoder limits
  std::shared_ptr<core::shared_dedup> dedup;   // null = deduplicate off
  std::shared_ptr<live_counters> counters;
  uint32_t flush_ms = 200;
  uint32_t tick_ms = 1000;
  uint32_t stats_interval_ms = 2000;
  uint32_t merge_slot = unmerged_source;  // several interfaces: this one's slot in the merge
  uint32_t progress_margin_ms = 50;       // kernel time stamp to read: at most this late
};

struct live_capture_state {
  std::shared_ptr<core::pcap_live_source> source;
  std::unique_ptr<core::batch_builder> builder;
  core::drop_counter drops;
  uint32_t in_flight = 0;
  bool finished = false;
  core::timestamp_ns last_ts = 0;                       // packet time of the newest frame
  std::chrono::steady_clock::time_point last_frame_at;  // when it was read
  std::chrono::steady_clock::time_point batch_started;  // first frame of the current batch
  std::chrono::steady_clock::time_point last_tick;
  std::chrono::steady_clock::time_point last_stats;
  static inline const char* name = "live_capture";
};

live_capture_actor::behavior_type
live_capture(live_capture_actor::stateful_pointer<live_capture_state> self,
             std::shared_ptr<core::pcap_live_source> source, live_capture_config cfg,
             call_router_actor router);

}  // namespace voxmon
