#pragma once
// Runs a generation: plans the calls, merges the packets of all calls in capture-time order
// (a heap over per-call packet sources, so only calls in progress hold state), writes the pcap
// and, as each call's last packet is written, its truth line.
#include <cstdint>

#include "tools/gen/gen_options.hpp"

namespace voxmon::gen {

struct gen_summary {
  uint64_t calls = 0;
  uint64_t packets = 0;   // pcap records
  uint64_t bytes = 0;     // captured bytes
  int64_t first_ns = 0, last_ns = 0;
  uint64_t max_active = 0;
};

// Returns false (and prints why on stderr) if a file cannot be written.
bool generate(const gen_options& opts, gen_summary& out);

}  // namespace voxmon::gen
