// The mirror status lines and metrics: exact text for known counters.
#include <catch2/catch.hpp>

#include "core/mirror_metrics.hpp"

using namespace voxmon::core;

TEST_CASE("mirror sender status line and metrics show every counter", "[mirror][metrics]") {
  mirror_sender_snapshot prev, now;
  now.connected = true;
  now.frames = 120;
  now.frames_compressed = 101;
  now.frames_acked = 118;
  now.packets = 50000;
  now.raw_bytes = 10'000'000;
  now.wire_bytes = 3'500'000;
  prev.wire_bytes = 1'000'000;
  now.reconnects = 2;
  now.lost_frames = 3;
  now.lost_packets = 1200;
  now.capture_dropped = 77;
  now.buffer_frames = 7;
  now.buffer_memory = 2 * 1048576;
  now.buffer_disk = 1048576 / 2;
  now.outstanding = 2;
  CHECK(render_mirror_sender_status(now, prev, 10.0) ==
        "mirror: connected | 120 frames (acked 118) 50000 packets | compression 0.35 (101 frames) | "
        "wire 2.00 "
        "Mbit/s | buffer 7 frames 2.0 MiB (disk 0.5 MiB) | outstanding 2 | reconnects 2 | lost 3 "
        "frames 1200 packets | capture drops 77");
  const std::string m = render_mirror_sender_metrics(now);
  CHECK(m.find("# TYPE voxmon_mirror_frames_total counter\nvoxmon_mirror_frames_total 120\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_connected 1\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_frames_compressed_total 101\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_lost_frames_total 3\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_capture_dropped_total 77\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_buffer_disk_bytes 524288\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_outstanding_frames 2\n") != std::string::npos);
}

TEST_CASE("mirror receiver status line and metrics list each stream by sensor", "[mirror][metrics]") {
  std::vector<mirror_stream_snapshot> streams(2);
  streams[0].id_sensor = 11;
  streams[0].frames = 5;
  streams[0].packets = 900;
  streams[0].raw_bytes = 1000;
  streams[0].wire_bytes = 250;
  streams[1].id_sensor = 12;
  streams[1].lost_frames = 4;
  streams[1].lost_packets = 77;
  streams[1].duplicates = 1;
  CHECK(render_mirror_receiver_status(streams) ==
        "mirror senders: 2 | sensor 11 5 frames 900 packets ratio 0.25 lost 0 frames 0 packets dup 0 "
        "bad 0 queued 0 | sensor 12 0 frames 0 packets ratio 0.00 lost 4 frames 77 packets dup 1 bad 0 queued 0");
  const std::string m = render_mirror_receiver_metrics(streams);
  CHECK(m.find("voxmon_mirror_streams 2\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_stream_packets_total{id_sensor=\"11\"} 900\n") != std::string::npos);
  CHECK(m.find("voxmon_mirror_stream_lost_packets_total{id_sensor=\"12\"} 77\n") != std::string::npos);
  CHECK(render_mirror_receiver_metrics({}) ==
        "# HELP voxmon_mirror_streams Mirror senders streaming to this receiver.\n"
        "# TYPE voxmon_mirror_streams gauge\nvoxmon_mirror_streams 0\n");
}
