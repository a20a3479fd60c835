#pragma once
// Packet mirroring's live counters, as snapshots, rendered for the 10-second status line and
// the Prometheus metrics endpoint, on the sender and on the receiver. Pure functions.
#include <cstdint>
#include <string>
#include <vector>

namespace voxmon::core {

struct mirror_sender_snapshot {
  bool connected = false;
  uint64_t frames = 0;          // counter: frames made
  uint64_t frames_compressed = 0;  // counter: frames sent as Snappy blocks
  uint64_t frames_acked = 0;    // counter: frames the receiver has processed
  uint64_t packets = 0;         // counter
  uint64_t raw_bytes = 0;       // counter: packet bytes before compression
  uint64_t wire_bytes = 0;      // counter: compressed frame bytes
  uint64_t reconnects = 0;      // counter: links made (the first one included)
  uint64_t lost_frames = 0;     // counter: frames dropped because the buffer was full
  uint64_t lost_packets = 0;
  uint64_t capture_dropped = 0; // counter: packets the capture lost (kernel, interface)
  uint64_t buffer_frames = 0;   // gauge: frames kept (unacknowledged or needed by open calls)
  uint64_t buffer_memory = 0;   // gauge: bytes in memory
  uint64_t buffer_disk = 0;     // gauge: bytes in the spill file
  uint64_t outstanding = 0;     // gauge: frames sent and not yet acknowledged
};

// One sender's stream as the receiver sees it.
struct mirror_stream_snapshot {
  uint32_t id_sensor = 0;
  uint64_t frames = 0;          // frames processed
  uint64_t packets = 0;
  uint64_t raw_bytes = 0;       // packet bytes before compression
  uint64_t wire_bytes = 0;      // compressed bytes received
  uint64_t duplicates = 0;      // frames received again and skipped
  uint64_t lost_frames = 0;     // frames the sender reported dropped (its buffer was full)
  uint64_t lost_packets = 0;    // in those frames, and packets its capture dropped (kernel, interface)
  uint64_t bad_frames = 0;      // frames that did not unpack (counted, skipped)
  uint64_t queued = 0;          // frames waiting for batch credit
  int64_t last_frame_ms = 0;    // Unix time of the last frame, ms
};

// "mirror: connected | 1200 frames (acked 1195) 3.1M packets | compression 0.35 (1180 frames) | wire 12.40
// Mbit/s | buffer 5 frames 1.2 MiB (disk 0.0 MiB) | outstanding 5 | reconnects 1 | lost 0
// frames 0 packets | capture drops 0"; the wire rate from the difference to `prev` over
// `seconds`.
std::string render_mirror_sender_status(const mirror_sender_snapshot& now,
                                        const mirror_sender_snapshot& prev, double seconds);
std::string render_mirror_sender_metrics(const mirror_sender_snapshot& s);

// "mirror senders: 1 | sensor 11 1200 frames 3.1M packets ratio 0.35 lost 0 dup 0 queued 0; ..."
std::string render_mirror_receiver_status(const std::vector<mirror_stream_snapshot>& streams);
// Per stream, labelled {id_sensor="N"}.
std::string render_mirror_receiver_metrics(const std::vector<mirror_stream_snapshot>& streams);

}  // namespace voxmon::core
