#pragma once
// Live capture from one network interface through libpcap: pcap_create, ring blocks handed over
// when full or `block_timeout_ms` after their first packet (not immediate mode: one wake-up per
// block, not per packet), a read timeout so the reader wakes up when the wire is idle, snaplen,
// promiscuous mode, the kernel buffer size (`ringbuffer` MB) and a BPF filter. Errors are
// classified so the node can tell the user what to do (and exit with code 2).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.hpp"

struct pcap;

namespace voxmon::core {

// The longest a captured packet waits in the kernel's ring block before it is read.
inline constexpr int block_timeout_ms = 10;

struct live_options {
  std::string interface;        // a name, or "any" (Linux cooked capture of every interface)
  std::string filter;           // BPF expression; empty = everything
  int snaplen = 65535;
  bool promisc = true;          // ignored for "any"
  uint32_t buffer_mb = 50;      // kernel capture buffer (VoIPmonitor's `ringbuffer`)
  int read_timeout_ms = 100;    // how long a read waits on an idle wire
};

enum class live_error : uint8_t {
  none,
  no_such_device,  // bad interface name
  permission,      // not root and no CAP_NET_RAW
  bad_filter,      // the BPF expression does not compile
  other,
};

// Kernel drop counters of libpcap are 32 bits and wrap: this turns successive readings into
// 64-bit totals and reports what is new since the previous reading.
class drop_counter {
 public:
  // Returns the packets dropped since the previous call (0 on the first one).
  uint64_t update(uint32_t ps_drop, uint32_t ps_ifdrop);
  uint64_t kernel_total() const { return kernel_; }
  uint64_t interface_total() const { return iface_; }

 private:
  bool first_ = true;
  uint32_t last_drop_ = 0, last_ifdrop_ = 0;
  uint64_t kernel_ = 0, iface_ = 0;
};

// "eth0", "eth0,eth1" (spaces allowed), "any". nullopt + reason for an empty list or item.
std::optional<std::vector<std::string>> parse_interface_list(const std::string& text,
                                                             std::string& reason);

class pcap_live_source {
 public:
  ~pcap_live_source();
  pcap_live_source(const pcap_live_source&) = delete;
  pcap_live_source& operator=(const pcap_live_source&) = delete;

  // nullptr + a message naming the interface and the remedy, and its kind.
  static std::unique_ptr<pcap_live_source> open(const live_options& o, std::string& error,
                                                live_error& kind);

  enum class status : uint8_t { frame, timeout, error };
  // Waits up to the read timeout for the next frame. The data stays valid until the next call.
  status next(timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen, uint32_t& wirelen);
  // Replaces the BPF filter (call from the reading thread). false + reason when it does not compile.
  bool set_filter(const std::string& filter, std::string& error);
  // Reads libpcap's drop counters into `counter` and returns the packets dropped since the
  // previous reading (0 when the platform cannot tell). New drops are logged as a warning that
  // names the interface, `context` (after "dropped by the kernel or the interface") and the
  // totals. The sensor's capture and the mirror sender both read their drops here.
  uint64_t take_new_drops(drop_counter& counter, std::string_view context = "");

  int link_type() const { return link_type_; }
  const std::string& interface() const { return interface_; }
  const std::string& error() const { return error_; }

 private:
  explicit pcap_live_source(pcap* p) : p_(p) {}
  pcap* p_ = nullptr;
  int link_type_ = 1;
  int fd_ = -1;
  int timeout_ms_ = 100;
  bool nano_ = false;
  std::string interface_;
  std::string error_;
};

}  // namespace voxmon::core
