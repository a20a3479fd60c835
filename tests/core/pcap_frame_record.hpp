#pragma once
// One frame as a pcap reader handed it out, copied: what the pcap_file_reader tests and the
// fuzz_pcap_file target compare against libpcap's reading of the same file.
#include <cstdint>
#include <string>

#include "core/net_types.hpp"

namespace voxmon::test {

struct pcap_frame_record {
  core::timestamp_ns ts = 0;
  uint32_t caplen = 0, wirelen = 0;
  std::string bytes;
  bool operator==(const pcap_frame_record&) const = default;
};

inline pcap_frame_record record_of(core::timestamp_ns ts, const uint8_t* data, uint32_t caplen,
                                   uint32_t wirelen) {
  return {ts, caplen, wirelen, std::string(reinterpret_cast<const char*>(data), caplen)};
}

}  // namespace voxmon::test
