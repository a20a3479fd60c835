// core::batch_pool: a batch its last holder let go is reused, empty, for the next one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/batch_builder.hpp"
#include "core/batch_pool.hpp"
#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::core;
using namespace voxmon::test;

namespace {

bytes options_frame(int n) {
  return eth(0x0800, ipv4("10.1.1.1", "10.2.2.2", 17,
                          udp(5060, 5060, text("OPTIONS sip:" + std::to_string(n) + "@x SIP/2.0\r\n\r\n"))));
}

void add(batch_builder& b, int n, timestamp_ns ts) {
  const auto f = options_frame(n);
  b.add(ts, f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()));
}

}  // namespace

TEST_CASE("a released batch comes back empty with its buffers, and is used for the next one", "[batch]") {
  batch_builder b(link_ethernet, 7, {{5060, 5060}}, 1000);
  for (int i = 0; i < 50; ++i)
    add(b, i, 1'000 + i);
  b.mark_source(41);  // ignored: only an empty batch takes a mark
  CHECK(b.take()->source_mark == 0);
  for (int i = 0; i < 50; ++i)
    add(b, i, 1'000 + i);
  auto first = b.take();
  const packet_batch* first_block = first.get();
  const uint8_t* first_raw = first->raw.data();
  REQUIRE(first->packets.size() == 50);
  first.reset();  // the last holder lets go
  // take() started the next batch before the release; the one after it reuses the block.
  add(b, 98, 4'000);
  auto in_between = b.take();
  CHECK(in_between.get() != first_block);

  b.mark_source(42);
  add(b, 99, 5'000);
  auto second = b.take();
  CHECK(second.get() == first_block);     // the same block
  CHECK(second->raw.data() == first_raw);  // and the same frame buffer: no new pages
  REQUIRE(second->frames.size() == 1);     // nothing of the first batch is left
  REQUIRE(second->packets.size() == 1);
  CHECK(second->classes.size() == 1);
  CHECK(second->source_mark == 42);
  CHECK(second->id_sensor == 7);
  CHECK(second->link_type == link_ethernet);
  CHECK(second->frames[0].ts == 5'000);
  const auto payload = second->payload(second->packets[0]);
  CHECK(std::string(payload.begin(), payload.end()) == "OPTIONS sip:99@x SIP/2.0\r\n\r\n");
}

TEST_CASE("a batch still held elsewhere is not reused", "[batch]") {
  batch_builder b(link_ethernet, 0, {{5060, 5060}}, 1000);
  add(b, 1, 1);
  auto first = b.take();
  add(b, 2, 2);
  auto second = b.take();
  CHECK(second.get() != first.get());
  const auto payload = first->payload(first->packets[0]);
  CHECK(std::string(payload.begin(), payload.end()) == "OPTIONS sip:1@x SIP/2.0\r\n\r\n");
}

TEST_CASE("the pool keeps at most its bound, and no oversized batch", "[batch]") {
  auto pool = std::make_shared<batch_pool>(2);
  std::vector<batch_ptr> shared;
  for (int i = 0; i < 4; ++i)
    shared.push_back(batch_pool::share(pool, pool->take()));
  shared.clear();
  CHECK(pool->kept() == 2);

  auto big = pool->take();
  big->raw.resize(32u << 20);
  auto shared_big = batch_pool::share(pool, std::move(big));
  CHECK(pool->kept() == 1);
  shared_big.reset();
  CHECK(pool->kept() == 1);  // 32 MB: freed, not kept
}
