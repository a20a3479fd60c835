// core::delivery_coalescer: a call's packets are gathered over batches and sent when enough
// are pending, when their first batch leaves the held window or grows too old, or on demand.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "core/delivery_coalescer.hpp"

using namespace voxmon::core;

namespace {

// A batch of `n` packets, packet i at time first_ts + i ms, frame i holding the byte i.
batch_ptr make_batch(uint32_t n, timestamp_ns first_ts) {
  auto b = std::make_shared<packet_batch>();
  for (uint32_t i = 0; i < n; ++i) {
    b->frames.push_back({first_ts + i * 1'000'000, i, 1, 1});
    b->raw.push_back(static_cast<uint8_t>(i));
    decoded_packet p;
    p.ts = first_ts + i * 1'000'000;
    p.frame_index = i;
    p.payload_length = 1;
    b->packets.push_back(p);
  }
  return b;
}

std::vector<routed_packet> indexes(std::initializer_list<uint32_t> l) {
  std::vector<routed_packet> v;
  for (uint32_t i : l)
    v.push_back({i, 0, packet_role::media});
  return v;
}

struct recorder {
  std::vector<std::pair<uint64_t, pending_packets>> sent;
  auto sink() {
    return [this](uint64_t key, pending_packets&& p) { sent.emplace_back(key, std::move(p)); };
  }
};

}  // namespace

TEST_CASE("a call's packets wait until it has enough of them", "[coalescer]") {
  delivery_coalescer c({.packets = 4, .held_batches = 10, .max_age = 10'000'000'000});
  recorder r;
  auto b1 = make_batch(8, 0), b2 = make_batch(8, 8'000'000);
  std::vector<call_delivery> d1{{7, indexes({0, 2})}, {9, indexes({1})}};
  c.add(b1, d1, r.sink());
  CHECK(r.sent.empty());
  CHECK(c.pending_calls() == 2);
  std::vector<call_delivery> d2{{7, indexes({3, 5})}};
  c.add(b2, d2, r.sink());
  REQUIRE(r.sent.size() == 1);  // call 7 reached 4 packets
  CHECK(r.sent[0].first == 7);
  const pending_packets& p = r.sent[0].second;
  REQUIRE(p.batches.size() == 2);
  CHECK(p.batches[0] == b1);
  CHECK(p.batches[1] == b2);
  REQUIRE(p.packets.size() == 4);
  CHECK(p.packets[0].index == 0);
  CHECK(p.packets[0].batch == 0);
  CHECK(p.packets[1].index == 2);
  CHECK(p.packets[2].index == 3);
  CHECK(p.packets[2].batch == 1);
  CHECK(p.packets[3].batch == 1);
  CHECK(c.pending_calls() == 1);  // call 9 still waits

  // visit_packets walks them in order with the right records.
  std::vector<timestamp_ns> seen;
  visit_packets(p, [&](const packet_batch& b, const routed_packet& rp, const decoded_packet& dp) {
    CHECK(&dp == &b.packets[rp.index]);
    CHECK(b.payload(dp)[0] == rp.index);
    seen.push_back(dp.ts);
  });
  CHECK(seen == std::vector<timestamp_ns>{0, 2'000'000, 11'000'000, 13'000'000});

  c.flush_call(9, r.sink());
  REQUIRE(r.sent.size() == 2);
  CHECK(r.sent[1].first == 9);
  CHECK(r.sent[1].second.packets.size() == 1);
  c.flush_call(9, r.sink());  // nothing pending: nothing sent
  CHECK(r.sent.size() == 2);
  CHECK(c.pending_calls() == 0);
}

TEST_CASE("pending packets leave when their first batch leaves the held window", "[coalescer]") {
  delivery_coalescer c({.packets = 100, .held_batches = 2, .max_age = 10'000'000'000});
  recorder r;
  std::vector<batch_ptr> batches;
  for (int i = 0; i < 4; ++i)
    batches.push_back(make_batch(4, i * 4'000'000));
  std::vector<call_delivery> d{{1, indexes({0})}, {2, indexes({1})}};
  c.add(batches[0], d, r.sink());
  d = {{2, indexes({0})}, {3, indexes({1})}};
  c.add(batches[1], d, r.sink());
  CHECK(r.sent.empty());
  CHECK(c.held_batches() == 2);
  d = {{3, indexes({2})}};
  c.add(batches[2], d, r.sink());  // batch 0 leaves: calls 1 and 2 began there
  REQUIRE(r.sent.size() == 2);
  std::map<uint64_t, size_t> sizes;
  for (auto& [k, p] : r.sent)
    sizes[k] = p.packets.size();
  CHECK(sizes == std::map<uint64_t, size_t>{{1, 1}, {2, 2}});
  CHECK(c.held_batches() == 2);
  // Without the window the router would keep every batch: batch 0 is now held by the sent
  // messages only.
  r.sent.clear();
  CHECK(batches[0].use_count() == 1);
  d = {};
  c.add(batches[3], d, r.sink());  // batch 1 leaves: call 3 began there
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0].first == 3);
  CHECK(r.sent[0].second.packets.size() == 2);
}

TEST_CASE("pending packets leave when their first batch is older than max_age", "[coalescer]") {
  delivery_coalescer c({.packets = 100, .held_batches = 100, .max_age = 50'000'000});
  recorder r;
  std::vector<call_delivery> d{{1, indexes({0})}};
  c.add(make_batch(4, 0), d, r.sink());
  d = {{2, indexes({0})}};
  c.add(make_batch(4, 50'000'000), d, r.sink());  // exactly max_age: kept
  CHECK(r.sent.empty());
  d = {};
  c.add(make_batch(4, 50'000'001), d, r.sink());
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0].first == 1);
  c.flush_all(r.sink());
  REQUIRE(r.sent.size() == 2);
  CHECK(r.sent[1].first == 2);
  CHECK(c.pending_calls() == 0);
  CHECK(c.held_batches() == 0);
}

TEST_CASE("a source keeps more batches alive than the router may hold", "[coalescer]") {
  STATIC_REQUIRE(source_batches_in_flight > coalescing_limits{}.held_batches + 1);
}
