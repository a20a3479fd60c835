// core::source_merge: the packets of several interfaces routed in packet-time order, whichever
// interface hands its batch over first; and what that changes for a call whose two directions
// arrive on two interfaces (a TAP with one port per direction).
#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <memory>

#include "core/call_directory.hpp"
#include "core/delivery_coalescer.hpp"
#include "core/source_merge.hpp"
#include "tests/support/call_pipeline.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

constexpr core::timestamp_ns ms = 1'000'000;

// A batch of packets at the given times (ms); packet i's payload is its time's low byte.
core::batch_ptr batch_at(std::initializer_list<int64_t> times) {
  auto b = std::make_shared<core::packet_batch>();
  for (int64_t t : times) {
    const auto i = static_cast<uint32_t>(b->packets.size());
    b->frames.push_back({t * ms, i, 1, 1});
    b->raw.push_back(static_cast<uint8_t>(t));
    core::decoded_packet p;
    p.ts = t * ms;
    p.frame_index = i;
    p.payload_length = 1;
    b->packets.push_back(p);
    b->classes.push_back(core::payload_class::datagram);
  }
  return b;
}

// The times (ms) of a round's packets, in its order.
std::vector<int64_t> times(const core::merge_round& r) {
  std::vector<int64_t> v;
  for (const auto& e : r.order)
    v.push_back(r.batches[e.slot]->packets[e.index].ts / ms);
  return v;
}

using ms_list = std::vector<int64_t>;

}  // namespace

TEST_CASE("source merge: packets of two sources come out in time order", "[merge]") {
  core::source_merge m(2);
  core::merge_round r;
  m.add(1, batch_at({5, 15, 25}));
  CHECK_FALSE(m.take(r));  // source 0 may still bring something before 5
  CHECK(m.released_up_to() == 0);
  m.add(0, batch_at({1, 10, 20, 30}));
  REQUIRE(m.take(r));
  // Source 1 promised nothing after 25 (its last packet), so 30 waits.
  CHECK(times(r) == ms_list{1, 5, 10, 15, 20, 25});
  CHECK(r.batches.size() == 2);
  CHECK(m.released_up_to() == 25 * ms);  // source 1 may still bring a packet at 25
  CHECK_FALSE(m.take(r));
  m.progress(1, 29 * ms);
  CHECK_FALSE(m.take(r));
  m.progress(1, 30 * ms);
  REQUIRE(m.take(r));
  CHECK(times(r) == ms_list{30});
  CHECK(m.queued_batches() == 0);
  CHECK(m.forced() == 0);
}

TEST_CASE("source merge: an ended source holds nothing back, the end releases everything", "[merge]") {
  core::source_merge m(3);
  core::merge_round r;
  m.add(0, batch_at({3, 4}));
  m.add(1, batch_at({1, 6}));
  CHECK_FALSE(m.take(r));  // source 2 said nothing yet
  m.end(2);
  REQUIRE(m.take(r));
  CHECK(times(r) == ms_list{1, 3, 4});  // 6 waits for source 0's promise
  REQUIRE(m.take(r, /*all=*/true));
  CHECK(times(r) == ms_list{6});
  CHECK(m.queued_batches() == 0);
  CHECK(m.released_up_to() == 4 * ms);  // source 0 may still bring a packet at 4
}

TEST_CASE("source merge: a silent source holds the others back only up to the bound", "[merge]") {
  core::source_merge m(2, /*max_queued=*/2);
  core::merge_round r;
  m.add(0, batch_at({1, 2}));
  m.add(0, batch_at({3, 4}));
  CHECK_FALSE(m.take(r));
  CHECK(m.queued_batches() == 2);
  m.add(0, batch_at({5, 6}));  // a third batch: over the bound
  REQUIRE(m.take(r));
  CHECK(times(r) == ms_list{1, 2});  // until the queue is back at the bound
  CHECK(m.forced() == 2);
  CHECK(m.queued_batches() == 2);
  // A late packet of the silent source still comes out (after the forced ones).
  m.add(1, batch_at({2}));
  REQUIRE(m.take(r));
  CHECK(times(r) == ms_list{2});
}

TEST_CASE("source merge: packets with no decoded packet are not queued", "[merge]") {
  core::source_merge m(2);
  core::merge_round r;
  m.add(0, std::make_shared<core::packet_batch>());
  CHECK(m.queued_batches() == 0);
  m.end(1);
  CHECK_FALSE(m.take(r));
}

TEST_CASE("coalescer: a merge round's packets keep their order and batches", "[merge][coalescer]") {
  core::delivery_coalescer c({.packets = 100, .held_batches = 10, .max_age = 10'000 * ms});
  std::vector<std::pair<uint64_t, core::pending_packets>> sent;
  auto sink = [&](uint64_t key, core::pending_packets&& p) { sent.emplace_back(key, std::move(p)); };
  auto a = batch_at({1, 3, 5}), b = batch_at({2, 4});
  // Round 1: a[0], b[0], a[1] for call 7 (round slots: a = 0, b = 1).
  std::vector<core::batch_ptr> round1{a, b};
  std::vector<core::call_delivery> d1{
    {7, {{0, 0, core::packet_role::media, 0}, {0, 0, core::packet_role::media, 1}, {1, 0, core::packet_role::media, 0}}}};
  c.add(round1, 1 * ms, d1, sink);
  // Round 2: b[1], a[2] (slots: b = 0, a = 1).
  std::vector<core::batch_ptr> round2{b, a};
  std::vector<core::call_delivery> d2{
    {7, {{1, 0, core::packet_role::media, 0}, {2, 0, core::packet_role::media, 1}}}};
  c.add(round2, 4 * ms, d2, sink);
  c.flush_all(sink);
  REQUIRE(sent.size() == 1);
  const auto& p = sent[0].second;
  CHECK(p.batches.size() == 2);  // each batch once, however the rounds numbered them
  std::vector<int64_t> seen;
  core::visit_packets(p, [&](const core::packet_batch& batch, const core::routed_packet&,
                             const core::decoded_packet& dp) {
    CHECK(batch.payload(dp)[0] == dp.ts / ms);
    seen.push_back(dp.ts / ms);
  });
  CHECK(seen == ms_list{1, 2, 3, 4, 5});
}

namespace {

// One answered call as a TAP with one port per direction delivers it: caller -> callee on
// interface 0, callee -> caller on interface 1, each handed over in batches of `per_batch`.
std::array<std::vector<core::batch_ptr>, 2> tap_batches(size_t per_batch) {
  batch_maker whole;
  answered_call(whole, "tap@test", 1'000'000, 20, 2000);
  const auto all = whole.take();
  std::array<batch_maker, 2> side;
  std::array<std::vector<core::batch_ptr>, 2> out;
  for (uint32_t i = 0; i < all->frames.size(); ++i) {
    const auto& p = all->packets[i];
    const int s = p.src.to_string().rfind("10.0.0.2", 0) == 0 ? 1 : 0;
    const auto f = all->frame(i);
    side[s].builder.add(all->frames[i].ts, f.data(), static_cast<uint32_t>(f.size()),
                        static_cast<uint32_t>(f.size()));
    if (side[s].builder.pending_frames() == per_batch)
      out[s].push_back(side[s].take());
  }
  for (int s = 0; s < 2; ++s)
    if (!side[s].builder.empty())
      out[s].push_back(side[s].take());
  return out;
}

}  // namespace

TEST_CASE("a call whose directions arrive on two interfaces is routed as the wire saw it", "[merge][call]") {
  // The truth: the whole call from one interface.
  batch_maker whole;
  answered_call(whole, "tap@test", 1'000'000, 20, 2000);
  call_pipeline truth;
  truth.feed(whole.take());
  truth.end();
  REQUIRE(truth.cdrs.size() == 1);
  const auto& want = truth.cdrs[0];
  REQUIRE(want.last_sip_response_num == 200);
  REQUIRE(want.rtp.size() == 2);

  const auto sides = tap_batches(7);
  REQUIRE(sides[0].size() >= 3);
  REQUIRE(sides[1].size() >= 3);

  SECTION("batches routed as they come (the callee's interface first): the call is wrong") {
    // What the router did before the merge when interface 1's thread was first.
    call_pipeline p;
    for (int s : {1, 0})
      for (const auto& b : sides[s])
        p.feed(b);
    p.end();
    REQUIRE(p.cdrs.size() == 1);
    CHECK(p.cdrs[0].last_sip_response_num != 200);
    CHECK(p.stats.sip_outside_call > 0);
  }
  SECTION("merged, whichever interface hands over first") {
    for (int first : {0, 1}) {
      INFO("interface " << first << " first");
      core::source_merge m(2);
      core::merge_round r;
      call_pipeline p;
      const int second = 1 - first;
      // Each interface hands over a batch in turn, the `first` one always ahead.
      for (size_t i = 0; i < std::max(sides[0].size(), sides[1].size()); ++i) {
        for (int s : {first, second})
          if (i < sides[s].size()) {
            m.add(static_cast<uint32_t>(s), sides[s][i]);
            while (m.take(r))
              p.feed(r);
          }
      }
      for (uint32_t s : {0u, 1u})
        m.end(s);
      while (m.take(r))
        p.feed(r);
      p.end();
      REQUIRE(p.cdrs.size() == 1);
      const auto& got = p.cdrs[0];
      CHECK(got.last_sip_response_num == want.last_sip_response_num);
      CHECK(got.last_sip_response == want.last_sip_response);
      CHECK(got.bye == want.bye);
      CHECK(got.whohanged == want.whohanged);
      CHECK(got.connect_time == want.connect_time);
      REQUIRE(got.rtp.size() == 2);
      for (size_t i = 0; i < 2; ++i) {
        CHECK(got.rtp[i].ssrc == want.rtp[i].ssrc);
        CHECK(got.rtp[i].received == want.rtp[i].received);
        CHECK(got.rtp[i].lost == want.rtp[i].lost);
      }
      CHECK(p.stats.sip_outside_call == 0);
      CHECK(p.stats.unmatched_udp == 0);
      CHECK(m.forced() == 0);
    }
  }
}
