#pragma once
// The sensor's live counters, as one snapshot, rendered two ways: the 10-second status line and
// the Prometheus text exposition format (metrics endpoint). Pure functions: unit-tested.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace voxmon::core {

struct live_snapshot {
  double uptime_seconds = 0;
  // capture (summed over the live interfaces)
  uint64_t captured_packets = 0;   // counter: frames read from the interfaces
  uint64_t captured_bytes = 0;     // counter: wire bytes of those frames
  uint64_t kernel_dropped = 0;     // counter: libpcap ps_drop (buffer full)
  uint64_t interface_dropped = 0;  // counter: libpcap ps_ifdrop (NIC / driver)
  uint64_t duplicates = 0;         // counter: packets removed by `deduplicate`
  uint32_t interfaces = 0;         // gauge
  // router (absent when it did not answer in time)
  std::optional<uint64_t> calls_open, calls_closed, routed_packets;
  std::optional<uint64_t> merged_early;  // counter: see router_status (0 with one interface)
  // cdr writer (absent when it did not answer)
  std::optional<uint64_t> cdrs_written, cdrs_queued, cdrs_journaled, cdrs_dead, cdr_write_errors;
  // spool writers, summed (absent without saving, or when one did not answer)
  std::optional<uint64_t> spool_queued, spool_packets, spool_bytes, spool_dropped, spool_open_files,
      spool_buffer_bytes;
  uint64_t rss_bytes = 0;          // gauge: resident memory of the process
};

// "calls 12 | 850 pkt/s 1.23 Mbit/s | drops 0 (if 0) | cdr queue 3 journal 0 | spool queue 0 | rss 45.2 MiB"
// (after the drops, "dup N" and "merged early N" when not 0)
// Rates come from the difference to `prev` over `seconds`; absent stages print "-".
std::string render_status_line(const live_snapshot& now, const live_snapshot& prev, double seconds);

// Prometheus text format 0.0.4: one HELP, TYPE and sample line per metric, names prefixed
// `voxmon_`; absent values are left out.
std::string render_metrics(const live_snapshot& s);

// Resident set size of this process from /proc/self/statm (0 when unreadable).
uint64_t process_rss_bytes();

// The central node's table of joined sensors, one labelled sample per sensor and metric
// ({id_sensor="N",name="..."}; the name escaped as Prometheus asks).
struct sensor_metrics_row {
  uint32_t id_sensor = 0;
  std::string name;
  bool up = false;
  bool mirror = false;
  uint64_t cdrs = 0;
  double cdr_rate = 0;
  int64_t last_heard_ms = 0;
  uint64_t mirror_packets = 0;
  uint64_t dropped = 0;
};
std::string render_sensor_metrics(const std::vector<sensor_metrics_row>& rows);

}  // namespace voxmon::core
