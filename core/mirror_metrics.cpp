#include "core/mirror_metrics.hpp"

#include "core/prometheus_text.hpp"

namespace voxmon::core {

namespace {

using prometheus::fixed;
using prometheus::head;
using prometheus::sample;

double ratio(uint64_t wire, uint64_t raw) {
  return raw ? static_cast<double>(wire) / static_cast<double>(raw) : 0.0;
}

void metric(std::string& out, const char* name, const char* type, const char* help, uint64_t v) {
  head(out, name, type, help);
  sample(out, name, "", std::to_string(v));
}

}  // namespace

std::string render_mirror_sender_status(const mirror_sender_snapshot& now,
                                        const mirror_sender_snapshot& prev, double seconds) {
  const double dt = seconds > 0 ? seconds : 1;
  const uint64_t wire = now.wire_bytes >= prev.wire_bytes ? now.wire_bytes - prev.wire_bytes : 0;
  std::string s = std::string("mirror: ") + (now.connected ? "connected" : "not connected");
  s += " | " + std::to_string(now.frames) + " frames (acked " + std::to_string(now.frames_acked) +
       ") " + std::to_string(now.packets) + " packets";
  s += " | compression " + fixed(ratio(now.wire_bytes, now.raw_bytes), 2) + " (" +
       std::to_string(now.frames_compressed) + " frames)";
  s += " | wire " + fixed(wire * 8.0 / dt / 1e6, 2) + " Mbit/s";
  s += " | buffer " + std::to_string(now.buffer_frames) + " frames " +
       fixed(now.buffer_memory / 1048576.0, 1) + " MiB (disk " + fixed(now.buffer_disk / 1048576.0, 1) + " MiB)";
  s += " | outstanding " + std::to_string(now.outstanding);
  s += " | reconnects " + std::to_string(now.reconnects);
  s += " | lost " + std::to_string(now.lost_frames) + " frames " + std::to_string(now.lost_packets) + " packets";
  s += " | capture drops " + std::to_string(now.capture_dropped);
  return s;
}

std::string render_mirror_sender_metrics(const mirror_sender_snapshot& s) {
  std::string out;
  metric(out, "mirror_connected", "gauge", "1 while the link to the receiver is up.", s.connected ? 1 : 0);
  metric(out, "mirror_frames_total", "counter", "Frames made from captured packets.", s.frames);
  metric(out, "mirror_frames_compressed_total", "counter", "Frames sent as Snappy blocks (the others as they are).", s.frames_compressed);
  metric(out, "mirror_frames_acked_total", "counter", "Frames the receiver has processed.", s.frames_acked);
  metric(out, "mirror_packets_total", "counter", "Packets put into frames.", s.packets);
  metric(out, "mirror_raw_bytes_total", "counter", "Packet bytes before compression.", s.raw_bytes);
  metric(out, "mirror_wire_bytes_total", "counter", "Compressed frame bytes.", s.wire_bytes);
  metric(out, "mirror_reconnects_total", "counter", "Links made to the receiver.", s.reconnects);
  metric(out, "mirror_lost_frames_total", "counter", "Frames dropped because the buffer was full.", s.lost_frames);
  metric(out, "mirror_lost_packets_total", "counter", "Packets in the dropped frames.", s.lost_packets);
  metric(out, "mirror_capture_dropped_total", "counter", "Packets the capture lost (kernel ring, interface) before they could be mirrored.", s.capture_dropped);
  metric(out, "mirror_buffer_frames", "gauge", "Frames kept for the receiver.", s.buffer_frames);
  metric(out, "mirror_buffer_memory_bytes", "gauge", "Bytes of kept frames in memory.", s.buffer_memory);
  metric(out, "mirror_buffer_disk_bytes", "gauge", "Bytes of kept frames in the spill file.", s.buffer_disk);
  metric(out, "mirror_outstanding_frames", "gauge", "Frames sent and not yet acknowledged.", s.outstanding);
  return out;
}

std::string render_mirror_receiver_status(const std::vector<mirror_stream_snapshot>& streams) {
  std::string s = "mirror senders: " + std::to_string(streams.size());
  for (const auto& m : streams) {
    s += " | sensor " + std::to_string(m.id_sensor) + " " + std::to_string(m.frames) + " frames " +
         std::to_string(m.packets) + " packets ratio " + fixed(ratio(m.wire_bytes, m.raw_bytes), 2) +
         " lost " + std::to_string(m.lost_frames) + " frames " + std::to_string(m.lost_packets) +
         " packets dup " + std::to_string(m.duplicates) + " bad " + std::to_string(m.bad_frames) +
         " queued " + std::to_string(m.queued);
  }
  return s;
}

std::string render_mirror_receiver_metrics(const std::vector<mirror_stream_snapshot>& streams) {
  struct field {
    const char* name;
    const char* type;
    const char* help;
    uint64_t mirror_stream_snapshot::*member;
  };
  static const field fields[] = {
    {"mirror_stream_frames_total", "counter", "Frames processed from a mirror sender.", &mirror_stream_snapshot::frames},
    {"mirror_stream_packets_total", "counter", "Packets processed from a mirror sender.", &mirror_stream_snapshot::packets},
    {"mirror_stream_raw_bytes_total", "counter", "Packet bytes received, before compression.", &mirror_stream_snapshot::raw_bytes},
    {"mirror_stream_wire_bytes_total", "counter", "Compressed bytes received.", &mirror_stream_snapshot::wire_bytes},
    {"mirror_stream_duplicate_frames_total", "counter", "Frames received again and skipped.", &mirror_stream_snapshot::duplicates},
    {"mirror_stream_lost_frames_total", "counter", "Frames the sender dropped (its buffer was full).", &mirror_stream_snapshot::lost_frames},
    {"mirror_stream_lost_packets_total", "counter", "Packets the sender lost: in the frames it dropped, or dropped by its capture.", &mirror_stream_snapshot::lost_packets},
    {"mirror_stream_bad_frames_total", "counter", "Frames that did not unpack.", &mirror_stream_snapshot::bad_frames},
    {"mirror_stream_queued_frames", "gauge", "Frames waiting for the pipeline.", &mirror_stream_snapshot::queued},
  };
  std::string out;
  head(out, "mirror_streams", "gauge", "Mirror senders streaming to this receiver.");
  sample(out, "mirror_streams", "", std::to_string(streams.size()));
  if (streams.empty())
    return out;
  for (const auto& f : fields) {
    head(out, f.name, f.type, f.help);
    for (const auto& m : streams)
      sample(out, f.name, "{id_sensor=\"" + std::to_string(m.id_sensor) + "\"}", std::to_string(m.*f.member));
  }
  return out;
}

}  // namespace voxmon::core
