// What merging two interfaces in packet-time order costs the router (docs/PERFORMANCE.md,
// "Several interfaces"). Reads a capture into batches twice: once as one interface, once split
// by direction like a TAP with one port per direction (packets from the lower address of the
// pair on interface 0). Then times, on one core, the router's pure work for each: routing every
// batch as it comes (core::call_directory::route), and merging the two interfaces' batches
// (core::source_merge) and routing the merge rounds. Call analysis, actors and the decoding
// are left out: they are the same either way.
//
//   merge_bench CAPTURE.pcap [rounds]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/batch_builder.hpp"
#include "core/call_directory.hpp"
#include "core/pcap_file_reader.hpp"
#include "core/source_merge.hpp"

using namespace voxmon;
using clock_type = std::chrono::steady_clock;

namespace {

struct captured {
  std::vector<core::batch_ptr> whole;                  // one interface
  std::array<std::vector<core::batch_ptr>, 2> split;   // one interface per direction
  uint64_t packets = 0;
};

bool load(const std::string& path, captured& out) {
  std::string error;
  auto reader = core::pcap_file_reader::open(path, error);
  if (!reader) {
    std::fprintf(stderr, "merge_bench: %s\n", error.c_str());
    return false;
  }
  const std::vector<std::pair<uint16_t, uint16_t>> sip_ports{{5060, 5061}};
  constexpr size_t batch_packets = 4096;
  core::batch_builder whole(reader->link_type(), 0, sip_ports, batch_packets);
  std::array<core::batch_builder, 2> side{core::batch_builder(reader->link_type(), 0, sip_ports, batch_packets),
                                          core::batch_builder(reader->link_type(), 0, sip_ports, batch_packets)};
  // Which interface: decode once through a scratch builder and compare the addresses.
  core::batch_builder probe(reader->link_type(), 0, sip_ports, 1);
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  while (reader->next(ts, data, caplen, wirelen) == core::pcap_file_reader::status::frame) {
    if (whole.add(ts, data, caplen, wirelen))
      out.whole.push_back(whole.take());
    probe.add(ts, data, caplen, wirelen);
    const auto one = probe.take();
    size_t s = 0;
    if (!one->packets.empty())
      s = one->packets.front().src.to_string() < one->packets.front().dst.to_string() ? 0 : 1;
    if (side[s].add(ts, data, caplen, wirelen))
      out.split[s].push_back(side[s].take());
  }
  if (!whole.empty())
    out.whole.push_back(whole.take());
  for (size_t s = 0; s < 2; ++s)
    if (!side[s].empty())
      out.split[s].push_back(side[s].take());
  for (const auto& b : out.whole)
    out.packets += b->packets.size();
  return true;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double route_whole(const captured& c) {
  core::call_directory directory{core::call_timeouts{}};
  core::routing_plan plan;
  core::run_stats stats;
  const auto t0 = clock_type::now();
  for (const auto& b : c.whole) {
    directory.route(*b, plan, stats);
    plan.clear();
  }
  return seconds_since(t0);
}

double route_merged(const captured& c, uint64_t& forced) {
  core::call_directory directory{core::call_timeouts{}};
  core::routing_plan plan;
  core::run_stats stats;
  core::source_merge merge(2);
  core::merge_round round;
  const auto t0 = clock_type::now();
  // The interfaces hand over their batches in turn, as two capture threads would.
  const size_t n = std::max(c.split[0].size(), c.split[1].size());
  for (size_t i = 0; i < n; ++i)
    for (uint32_t s = 0; s < 2; ++s)
      if (i < c.split[s].size()) {
        merge.add(s, c.split[s][i]);
        while (merge.take(round)) {
          directory.route(round, plan, stats);
          plan.clear();
        }
      }
  merge.end(0);
  merge.end(1);
  while (merge.take(round)) {
    directory.route(round, plan, stats);
    plan.clear();
  }
  forced = merge.forced();
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: merge_bench CAPTURE.pcap [rounds]\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  captured c;
  if (!load(argv[1], c))
    return 1;
  std::printf("%llu packets: %zu batches as one interface, %zu + %zu split by direction\n",
              static_cast<unsigned long long>(c.packets), c.whole.size(), c.split[0].size(),
              c.split[1].size());
  std::vector<double> whole, merged;
  uint64_t forced = 0;
  for (int r = 0; r < rounds; ++r) {
    whole.push_back(route_whole(c));
    merged.push_back(route_merged(c, forced));
  }
  std::sort(whole.begin(), whole.end());
  std::sort(merged.begin(), merged.end());
  const double m = static_cast<double>(c.packets) / 1e6;
  std::printf("route as one interface: median %.3f s = %.1f ns per packet\n", whole[whole.size() / 2],
              whole[whole.size() / 2] * 1e3 / m);
  std::printf("merge two + route:      median %.3f s = %.1f ns per packet (%llu released early)\n",
              merged[merged.size() / 2], merged[merged.size() / 2] * 1e3 / m,
              static_cast<unsigned long long>(forced));
  return 0;
}
