#include "core/metrics_text.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/prometheus_text.hpp"

namespace voxmon::core {

namespace {

std::string opt(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "-"; }

using prometheus::fixed;

void metric(std::string& out, const char* name, const char* type, const char* help,
            const std::optional<uint64_t>& v) {
  if (!v)
    return;
  prometheus::head(out, name, type, help);
  prometheus::sample(out, name, "", std::to_string(*v));
}

}  // namespace

std::string render_status_line(const live_snapshot& now, const live_snapshot& prev, double seconds) {
  const double dt = seconds > 0 ? seconds : 1;
  const uint64_t dp = now.captured_packets >= prev.captured_packets ? now.captured_packets - prev.captured_packets : 0;
  const uint64_t db = now.captured_bytes >= prev.captured_bytes ? now.captured_bytes - prev.captured_bytes : 0;
  std::string s = "calls " + opt(now.calls_open);
  s += " | " + fixed(dp / dt, 0) + " pkt/s " + fixed(db * 8.0 / dt / 1e6, 2) + " Mbit/s";
  s += " | drops " + std::to_string(now.kernel_dropped) + " (if " + std::to_string(now.interface_dropped) + ")";
  if (now.duplicates)
    s += " dup " + std::to_string(now.duplicates);
  if (now.merged_early.value_or(0))
    s += " merged early " + std::to_string(*now.merged_early);
  s += " | cdr queue " + opt(now.cdrs_queued) + " journal " + opt(now.cdrs_journaled);
  s += " | spool queue " + opt(now.spool_queued);
  s += " | rss " + fixed(now.rss_bytes / 1048576.0, 1) + " MiB";
  return s;
}

std::string render_metrics(const live_snapshot& s) {
  std::string out;
  out.reserve(4096);
  out += "# HELP voxmon_uptime_seconds Seconds since the sensor started.\n"
         "# TYPE voxmon_uptime_seconds gauge\nvoxmon_uptime_seconds " + fixed(s.uptime_seconds, 3) + "\n";
  metric(out, "capture_interfaces", "gauge", "Live capture interfaces.", s.interfaces);
  metric(out, "capture_packets_total", "counter", "Frames read from the capture interfaces.", s.captured_packets);
  metric(out, "capture_bytes_total", "counter", "Wire bytes of the frames read.", s.captured_bytes);
  metric(out, "capture_kernel_dropped_total", "counter", "Packets the kernel dropped (libpcap ps_drop: buffer full).", s.kernel_dropped);
  metric(out, "capture_interface_dropped_total", "counter", "Packets the interface or driver dropped (libpcap ps_ifdrop).", s.interface_dropped);
  metric(out, "capture_duplicates_total", "counter", "Packets removed as duplicates (deduplicate = yes).", s.duplicates);
  metric(out, "calls_open", "gauge", "Calls in progress.", s.calls_open);
  metric(out, "calls_closed_total", "counter", "Calls closed (CDRs produced).", s.calls_closed);
  metric(out, "routed_packets_total", "counter", "Packets routed to calls or counted by the router.", s.routed_packets);
  metric(out, "merged_early_packets_total", "counter", "Packets of several interfaces routed before they could be put in time order (one interface stayed silent while another was 4 batches ahead).", s.merged_early);
  metric(out, "cdrs_written_total", "counter", "CDRs the stores accepted.", s.cdrs_written);
  metric(out, "cdrs_queued", "gauge", "CDRs received by the writer and not yet written.", s.cdrs_queued);
  metric(out, "cdrs_journaled", "gauge", "CDRs waiting in the journal for the database.", s.cdrs_journaled);
  metric(out, "cdrs_dead_total", "counter", "CDRs the store rejected for good.", s.cdrs_dead);
  metric(out, "cdr_write_errors_total", "counter", "Failed store writes.", s.cdr_write_errors);
  metric(out, "spool_queued_packets", "gauge", "Packets waiting to be written to call pcaps.", s.spool_queued);
  metric(out, "spool_packets_total", "counter", "Packets written to call pcaps.", s.spool_packets);
  metric(out, "spool_bytes_total", "counter", "Bytes written to call pcaps.", s.spool_bytes);
  metric(out, "spool_dropped_total", "counter", "Packets not saved to call pcaps.", s.spool_dropped);
  metric(out, "spool_open_files", "gauge", "Call pcap files open.", s.spool_open_files);
  metric(out, "spool_buffer_bytes", "gauge", "Memory of the call pcap files' write buffers.", s.spool_buffer_bytes);
  metric(out, "resident_memory_bytes", "gauge", "Resident memory of the process.", s.rss_bytes);
  return out;
}

uint64_t process_rss_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident))
    return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}


std::string render_sensor_metrics(const std::vector<sensor_metrics_row>& rows) {
  struct field {
    const char* name;
    const char* type;
    const char* help;
    std::string (*value)(const sensor_metrics_row&);
  };
  static const field fields[] = {
    {"sensor_up", "gauge", "1 while the sensor's link to this central node is up.",
     [](const sensor_metrics_row& r) { return std::string(r.up ? "1" : "0"); }},
    {"sensor_cdrs_total", "counter", "CDRs stored for the sensor since this node started.",
     [](const sensor_metrics_row& r) { return std::to_string(r.cdrs); }},
    {"sensor_cdr_rate", "gauge", "CDRs per second from the sensor over the last minute.",
     [](const sensor_metrics_row& r) { return fixed(r.cdr_rate, 3); }},
    {"sensor_last_heard_seconds", "gauge", "Unix time the sensor was last heard from.",
     [](const sensor_metrics_row& r) { return fixed(r.last_heard_ms / 1000.0, 3); }},
    {"sensor_mirror_packets_total", "counter", "Packets received from a mirror sender.",
     [](const sensor_metrics_row& r) { return std::to_string(r.mirror_packets); }},
    {"sensor_dropped_packets_total", "counter", "Packets a mirror sender had to drop (buffer full).",
     [](const sensor_metrics_row& r) { return std::to_string(r.dropped); }},
  };
  std::string out;
  out += "# HELP voxmon_sensors Sensors known to this central node.\n# TYPE voxmon_sensors gauge\n";
  out += "voxmon_sensors " + std::to_string(rows.size()) + "\n";
  if (rows.empty())
    return out;
  for (const auto& f : fields) {
    prometheus::head(out, f.name, f.type, f.help);
    for (const auto& r : rows)
      prometheus::sample(out, f.name,
                         "{id_sensor=\"" + std::to_string(r.id_sensor) + "\",name=\"" +
                           prometheus::label_value(r.name) + "\"}",
                         f.value(r));
  }
  return out;
}

}  // namespace voxmon::core
