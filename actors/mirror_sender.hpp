#pragma once
// mirror_sender: the whole of a mirror sensor (packetbuffer_sender = yes). It reads packets from
// a packet_source (an interface, or a file with optional real-time pacing), packs them into
// frames (core/mirror_frame: up to mirror_frame_kb or mirror_frame_ms, Snappy-compressed),
// keeps every frame in core::mirror_buffer (memory, then the spill file) until the receiver
// has it, and sends frames to the receiver's mirror ingest with at most `window` of them
// unacknowledged: a slow receiver slows the send loop, and the buffer absorbs the difference.
// A file source stops reading while the window and a few frames more are waiting, so a file
// is never dropped; a live source (or a file at real-time speed) cannot wait: when the buffer
// is full the frame is dropped and counted, and the receiver flags the calls open then.
// The link is made with join_central_node (TLS tunnel + password proof), again after any
// failure with backoff and jitter; after a reconnect, every frame not acknowledged is sent
// again (the receiver skips what it already has). At the end of the input it tells the receiver
// and quits once that is acknowledged (or flush_timeout passes). Detached: it blocks on reads.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/central_join.hpp"
#include "core/mirror_buffer.hpp"
#include "core/mirror_frame.hpp"
#include "core/reconnect_backoff.hpp"

namespace voxmon {

// Where a mirror sender's packets come from.
class packet_source {
 public:
  enum class status { frame, idle, end, error };
  virtual ~packet_source() = default;
  // A packet (valid until the next call), idle (nothing now, after waiting a little), the end,
  // or an error (error() says what).
  virtual status next(core::timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen,
                      uint32_t& wirelen) = 0;
  virtual int link_type() const = 0;  // of the packet next() returned last
  virtual std::string error() const = 0;
  virtual bool can_wait() const = 0;  // a file read as fast as acknowledged: never drop
  // Packets the capture lost (the kernel's ring or the interface) since the last call; an
  // interface logs them. A file loses none.
  virtual uint64_t take_dropped() { return 0; }
};

// Live counters, read by the node's status line and metrics.
struct mirror_sender_counters {
  std::atomic<uint64_t> frames{0}, frames_compressed{0}, packets{0}, raw_bytes{0}, wire_bytes{0};
  std::atomic<uint64_t> frames_acked{0}, reconnects{0}, lost_frames{0}, lost_packets{0};
  std::atomic<uint64_t> capture_dropped{0};  // by the kernel or the interface, before packing
  std::atomic<uint64_t> buffer_memory{0}, buffer_disk{0}, buffer_frames{0}, outstanding{0};
  std::atomic<bool> connected{false};
  std::atomic<int> exit_code{0};
};

struct mirror_sender_config {
  join_options join;
  core::mirror_buffer_options buffer;
  size_t frame_bytes = 1 << 20;
  std::chrono::milliseconds frame_interval{100};
  uint32_t window = 8;
  core::mirror_compression compression;  // packetbuffer_compress, mirror_compress_min_saving
  std::chrono::seconds request_timeout{15};
  std::chrono::seconds flush_timeout{120};
};

using mirror_sender_actor = caf::typed_actor<caf::reacts_to<read_atom>, caf::reacts_to<eof_atom>>;

struct mirror_sender_state {
  std::shared_ptr<packet_source> source;
  std::shared_ptr<core::mirror_buffer> buffer;
  std::unique_ptr<core::mirror_frame_packer> packer;
  std::shared_ptr<mirror_sender_counters> counters;
  std::string epoch;
  std::chrono::steady_clock::time_point frame_started, last_packet_wall, flush_deadline;
  std::chrono::steady_clock::time_point drops_read;  // the capture's drop counters, once a second
  core::timestamp_ns last_packet_ts = 0;
  int frame_link_type = 1;  // of the frame being filled
  std::optional<mirror_ingest_actor> receiver;
  tunnel_map tunnels;
  uint64_t generation = 0;   // of the link; answers of an earlier link are ignored
  uint64_t send_cursor = 0;  // next sequence number to send
  uint32_t in_flight = 0;
  bool read_scheduled = false;
  bool input_done = false, stopped = false, end_sent = false;
  core::reconnect_backoff backoff;
  bool reported_unreachable = false;
  static inline const char* name = "mirror_sender";
};

mirror_sender_actor::behavior_type
mirror_sender(mirror_sender_actor::stateful_pointer<mirror_sender_state> self,
              mirror_sender_config cfg, std::shared_ptr<core::mirror_buffer> buffer,
              std::shared_ptr<packet_source> source, std::shared_ptr<mirror_sender_counters> counters);

}  // namespace voxmon
