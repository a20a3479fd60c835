// The mirror sender's frame buffer: memory bound, spill file, replay cover, loss, acknowledgements.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/mirror_buffer.hpp"

using namespace voxmon::core;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  auto d = fs::path(VOXMON_TEST_TMP) / "mirror_buffer" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// `n` bytes that differ per frame and per position, zero bytes included.
std::string frame_bytes(int tag, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((tag * 37 + i * 11) % 256);
  return s;
}

std::unique_ptr<mirror_buffer> make(uint64_t memory, const std::string& spill = {},
                                    uint64_t disk = 0) {
  mirror_buffer_options o;
  o.memory_bytes = memory;
  o.spill_path = spill;
  o.disk_bytes = disk;
  std::string error;
  auto b = mirror_buffer::open(o, error);
  INFO(error);
  REQUIRE(b);
  REQUIRE(error.empty());
  return b;
}

// Every kept sequence number, oldest first, walked the way a resend does.
std::vector<uint64_t> kept(mirror_buffer& b) {
  std::vector<uint64_t> out;
  shared_frame frame;
  uint64_t seq = b.oldest_kept();
  while (auto s = b.read(seq, frame)) {
    out.push_back(*s);
    seq = *s + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("mirror buffer: memory only, the bound drops frames without cover", "[mirror]") {
  auto b = make(100);
  for (int i = 0; i < 4; ++i)
    CHECK(b->push(frame_bytes(i, 25)));
  CHECK(b->memory_bytes() == 100);
  CHECK(b->frames() == 4);
  CHECK(b->next_seq() == 4);
  CHECK(b->disk_bytes() == 0);

  CHECK_FALSE(b->push(frame_bytes(4, 1)));  // full, nothing delivered: no cover to give up
  CHECK(b->lost_frames() == 1);
  CHECK(b->evicted_frames() == 0);
  CHECK(b->next_seq() == 5);  // the sequence number is used up
  CHECK(b->frames() == 4);
  CHECK(b->memory_bytes() == 100);

  CHECK(b->push(std::string()));  // an empty frame always fits
  CHECK(b->frames() == 5);
  CHECK(b->memory_bytes() == 100);

  shared_frame f;
  REQUIRE(b->read(0, f) == 0u);
  CHECK(*f == frame_bytes(0, 25));
  REQUIRE(b->read(3, f) == 3u);
  CHECK(*f == frame_bytes(3, 25));
  REQUIRE(b->read(4, f) == 5u);
  CHECK(f->empty());
  CHECK_FALSE(b->read(6, f));
  CHECK(b->oldest_kept() == 0);
  CHECK(b->last_error().empty());
}

TEST_CASE("mirror buffer: a frame larger than every bound is lost", "[mirror]") {
  auto b = make(100);
  CHECK(b->push(frame_bytes(0, 100)));
  b->mark_delivered(1);
  CHECK_FALSE(b->push(frame_bytes(1, 101)));
  CHECK(b->lost_frames() == 1);
  CHECK(b->evicted_frames() == 0);  // the cover is kept: evicting it would not have helped
  CHECK(b->frames() == 1);
  CHECK(b->oldest_kept() == 0);
}

TEST_CASE("mirror buffer: spills to disk and reads back identical bytes", "[mirror]") {
  const auto dir = fresh_dir("spill");
  const auto path = dir / "spill.bin";
  {
    auto b = make(100, path.string(), 1000);
    REQUIRE(fs::exists(path));
    CHECK(fs::file_size(path) == 0);

    CHECK(b->push(frame_bytes(0, 60)));  // memory: 60
    CHECK(b->push(frame_bytes(1, 60)));  // 120 > 100: disk [0, 60)
    CHECK(b->memory_bytes() == 60);
    CHECK(b->disk_bytes() == 60);
    CHECK(b->push(frame_bytes(2, 40)));  // memory: 100
    CHECK(b->push(frame_bytes(3, 50)));  // disk [60, 110)
    CHECK(b->memory_bytes() == 100);
    CHECK(b->disk_bytes() == 110);
    CHECK(fs::file_size(path) == 110);
    CHECK(b->frames() == 4);

    shared_frame f;
    const size_t sizes[] = {60, 60, 40, 50};
    for (uint64_t s = 0; s < 4; ++s) {
      REQUIRE(b->read(s, f) == s);
      CHECK(*f == frame_bytes(static_cast<int>(s), sizes[s]));
    }

    CHECK_FALSE(b->push(frame_bytes(4, 891)));  // 110 + 891 > 1000, no cover
    CHECK(b->lost_frames() == 1);
    CHECK(b->disk_bytes() == 110);
    CHECK(fs::file_size(path) == 110);
    CHECK(b->push(frame_bytes(5, 890)));  // exactly to the disk bound
    CHECK(b->disk_bytes() == 1000);
    CHECK(fs::file_size(path) == 1000);
    REQUIRE(b->read(4, f) == 5u);
    CHECK(*f == frame_bytes(5, 890));
    REQUIRE(b->read(3, f) == 3u);  // earlier disk frames are untouched
    CHECK(*f == frame_bytes(3, 50));
    CHECK(kept(*b) == std::vector<uint64_t>{0, 1, 2, 3, 5});
    CHECK(b->last_error().empty());
  }
  CHECK_FALSE(fs::exists(path));  // the destructor removes the spill file
}

TEST_CASE("mirror buffer: replay cover is evicted oldest first before a frame is lost",
          "[mirror]") {
  auto b = make(100);
  for (int i = 0; i < 4; ++i)
    REQUIRE(b->push(frame_bytes(i, 25)));
  b->mark_delivered(2);  // cover: 0, 1

  CHECK(b->push(frame_bytes(4, 25)));  // seq 4: evicting seq 0 makes room
  CHECK(b->evicted_frames() == 1);
  CHECK(b->lost_frames() == 0);
  CHECK(b->oldest_kept() == 1);
  CHECK(b->memory_bytes() == 100);

  // 50 bytes: the only cover left (seq 1, 25 bytes) is not enough, so nothing is evicted.
  CHECK_FALSE(b->push(frame_bytes(5, 50)));
  CHECK(b->evicted_frames() == 1);
  CHECK(b->lost_frames() == 1);
  CHECK(b->oldest_kept() == 1);
  CHECK(b->frames() == 4);

  b->mark_delivered(5);                // cover: 1, 2, 3, 4
  CHECK(b->push(frame_bytes(6, 50)));  // seq 6: evicts 1 and 2, no more
  CHECK(b->evicted_frames() == 3);
  CHECK(b->lost_frames() == 1);
  CHECK(kept(*b) == std::vector<uint64_t>{3, 4, 6});
  CHECK(b->memory_bytes() == 100);
  CHECK(b->delivered() == 5);
  CHECK(b->durable() == 0);

  shared_frame f;
  REQUIRE(b->read(5, f) == 6u);
  CHECK(*f == frame_bytes(6, 50));
}

TEST_CASE("mirror buffer: disk cover frees the file only once no frame is left in it",
          "[mirror]") {
  const auto dir = fresh_dir("evict_disk");
  const auto path = dir / "spill.bin";
  auto b = make(0, path.string(), 100);  // every non-empty frame goes to disk
  CHECK(b->push(frame_bytes(0, 40)));
  CHECK(b->push(frame_bytes(1, 40)));
  CHECK(b->disk_bytes() == 80);
  CHECK(b->memory_bytes() == 0);
  CHECK_FALSE(b->push(frame_bytes(2, 40)));  // 120 > 100
  CHECK(b->lost_frames() == 1);

  b->mark_delivered(1);  // cover: seq 0 only; evicting it leaves seq 1 in the file
  CHECK_FALSE(b->push(frame_bytes(3, 40)));
  CHECK(b->lost_frames() == 2);
  CHECK(b->evicted_frames() == 0);
  CHECK(fs::file_size(path) == 80);

  b->mark_delivered(2);  // cover: 0, 1: evicting both empties the file
  CHECK(b->push(frame_bytes(4, 40)));
  CHECK(b->evicted_frames() == 2);
  CHECK(b->lost_frames() == 2);
  CHECK(b->disk_bytes() == 40);
  CHECK(fs::file_size(path) == 40);
  shared_frame f;
  REQUIRE(b->read(0, f) == 4u);
  CHECK(*f == frame_bytes(4, 40));
  CHECK(b->frames() == 1);
}

TEST_CASE("mirror buffer: lost frames leave gaps in the sequence", "[mirror]") {
  auto b = make(10);
  CHECK(b->push(frame_bytes(0, 10)));        // 0
  CHECK_FALSE(b->push(frame_bytes(1, 5)));   // 1 lost
  CHECK_FALSE(b->push(frame_bytes(2, 5)));   // 2 lost
  b->mark_delivered(3);
  b->mark_durable(1);                        // releases 0
  CHECK(b->frames() == 0);
  CHECK(b->memory_bytes() == 0);
  CHECK(b->oldest_kept() == 3);              // next_seq when nothing is kept
  CHECK(b->push(frame_bytes(3, 5)));         // 3
  CHECK(b->push(frame_bytes(4, 5)));         // 4
  CHECK_FALSE(b->push(frame_bytes(5, 1)));   // 5 lost: 0 and 1 are not cover
  CHECK(b->next_seq() == 6);
  CHECK(b->lost_frames() == 3);
  CHECK(b->evicted_frames() == 0);
  CHECK(kept(*b) == std::vector<uint64_t>{3, 4});
}

TEST_CASE("mirror buffer: durable releases frames and truncates the spill file", "[mirror]") {
  const auto dir = fresh_dir("durable");
  const auto path = dir / "spill.bin";
  auto b = make(30, path.string(), 1000);
  for (int i = 0; i < 6; ++i)
    REQUIRE(b->push(frame_bytes(i, 20)));  // 0 in memory, 1..5 on disk
  CHECK(b->memory_bytes() == 20);
  CHECK(b->disk_bytes() == 100);
  CHECK(fs::file_size(path) == 100);

  b->mark_delivered(6);
  b->mark_durable(1);
  CHECK(b->durable() == 1);
  CHECK(b->frames() == 5);
  CHECK(b->memory_bytes() == 0);
  CHECK(b->oldest_kept() == 1);

  b->mark_durable(3);  // 1 and 2 released, but 3..5 still use the file
  CHECK(b->frames() == 3);
  CHECK(b->disk_bytes() == 100);
  CHECK(fs::file_size(path) == 100);

  CHECK(b->push(frame_bytes(6, 20)));  // seq 6 in memory
  CHECK(b->memory_bytes() == 20);
  b->mark_durable(6);  // the last disk frames go: the file is truncated
  CHECK(b->frames() == 1);
  CHECK(b->disk_bytes() == 0);
  CHECK(fs::file_size(path) == 0);
  CHECK(b->oldest_kept() == 6);

  CHECK(b->push(frame_bytes(7, 20)));  // memory is at 20 + 20 > 30: disk from offset 0
  CHECK(b->disk_bytes() == 20);
  CHECK(fs::file_size(path) == 20);
  shared_frame f;
  REQUIRE(b->read(7, f) == 7u);
  CHECK(*f == frame_bytes(7, 20));
  REQUIRE(b->read(0, f) == 6u);
  CHECK(*f == frame_bytes(6, 20));
  CHECK(b->evicted_frames() == 0);
  CHECK(b->lost_frames() == 0);
  CHECK(b->last_error().empty());
}

TEST_CASE("mirror buffer: acknowledgements are clamped and never go back", "[mirror]") {
  auto b = make(1000);
  for (int i = 0; i < 3; ++i)
    REQUIRE(b->push(frame_bytes(i, 10)));

  b->mark_delivered(100);  // past next_seq
  CHECK(b->delivered() == 3);
  b->mark_delivered(1);  // behind: ignored
  CHECK(b->delivered() == 3);
  b->mark_durable(100);
  CHECK(b->durable() == 3);
  CHECK(b->frames() == 0);
  CHECK(b->memory_bytes() == 0);
  CHECK(b->oldest_kept() == 3);
  b->mark_durable(0);
  CHECK(b->durable() == 3);

  // Pushed later: the earlier acknowledgement of "100" does not cover them.
  REQUIRE(b->push(frame_bytes(3, 10)));
  REQUIRE(b->push(frame_bytes(4, 10)));
  CHECK(b->delivered() == 3);
  CHECK(b->durable() == 3);
  CHECK(b->frames() == 2);
}

TEST_CASE("mirror buffer: durable never passes delivered, whatever the order", "[mirror]") {
  auto b = make(1000);
  for (int i = 0; i < 5; ++i)
    REQUIRE(b->push(frame_bytes(i, 10)));

  b->mark_durable(4);  // arrives before any delivery
  CHECK(b->durable() == 0);
  CHECK(b->frames() == 5);
  b->mark_delivered(2);  // the pending durable applies up to delivered
  CHECK(b->delivered() == 2);
  CHECK(b->durable() == 2);
  CHECK(b->oldest_kept() == 2);
  b->mark_delivered(5);
  CHECK(b->durable() == 4);
  CHECK(b->oldest_kept() == 4);
  b->mark_durable(1);
  CHECK(b->durable() == 4);

  b->mark_durable(10);  // clamped to next_seq (5) when it arrives
  CHECK(b->durable() == 5);
  CHECK(b->frames() == 0);
  REQUIRE(b->push(frame_bytes(5, 10)));
  REQUIRE(b->push(frame_bytes(6, 10)));
  b->mark_delivered(7);
  CHECK(b->delivered() == 7);
  CHECK(b->durable() == 5);  // not 7: the "10" meant frames that existed then
  CHECK(kept(*b) == std::vector<uint64_t>{5, 6});
}

TEST_CASE("mirror buffer: read returns the next kept frame across gaps", "[mirror]") {
  auto b = make(10);
  REQUIRE(b->push(frame_bytes(0, 5)));       // 0
  REQUIRE(b->push(frame_bytes(1, 5)));       // 1
  CHECK_FALSE(b->push(frame_bytes(2, 5)));   // 2 lost
  CHECK_FALSE(b->push(frame_bytes(3, 5)));   // 3 lost
  b->mark_delivered(1);
  b->mark_durable(1);                        // releases 0
  REQUIRE(b->push(frame_bytes(4, 5)));       // 4
  shared_frame f;
  REQUIRE(b->read(0, f) == 1u);
  CHECK(*f == frame_bytes(1, 5));
  REQUIRE(b->read(2, f) == 4u);
  CHECK(*f == frame_bytes(4, 5));
  REQUIRE(b->read(3, f) == 4u);
  REQUIRE(b->read(4, f) == 4u);
  CHECK_FALSE(b->read(5, f));
  CHECK_FALSE(b->read(~uint64_t{0}, f));
  CHECK(kept(*b) == std::vector<uint64_t>{1, 4});
}

TEST_CASE("mirror buffer: an unwritable spill path is an error from open", "[mirror]") {
  const auto dir = fresh_dir("unwritable");
  const auto path = dir / "no-such-dir" / "spill.bin";
  mirror_buffer_options o;
  o.memory_bytes = 100;
  o.spill_path = path.string();
  o.disk_bytes = 1000;
  std::string error;
  auto b = mirror_buffer::open(o, error);
  CHECK_FALSE(b);
  CHECK_THAT(error, Catch::Contains(path.string()));
  CHECK_THAT(error, Catch::Contains("No such file or directory"));
}

TEST_CASE("mirror buffer: a failed spill write loses the frame with an error", "[mirror]") {
  if (!fs::exists("/dev/full"))
    return;
  // A link to /dev/full (every write fails with ENOSPC); the destructor removes only the link.
  const auto dir = fresh_dir("full");
  const auto link = dir / "spill.bin";
  fs::create_symlink("/dev/full", link);
  {
    auto b = make(10, link.string(), 1000);
    CHECK(b->push(frame_bytes(0, 10)));        // memory
    CHECK_FALSE(b->push(frame_bytes(1, 10)));  // disk: the write fails
    CHECK(b->lost_frames() == 1);
    CHECK(b->next_seq() == 2);
    CHECK(b->frames() == 1);
    CHECK(b->disk_bytes() == 0);
    CHECK_THAT(b->last_error(), Catch::Contains(link.string()));
    CHECK_THAT(b->last_error(), Catch::Contains("No space left on device"));
  }
  CHECK_FALSE(fs::exists(fs::symlink_status(link)));
  CHECK(fs::exists("/dev/full"));
}
