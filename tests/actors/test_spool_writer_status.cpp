// spool_writer's `status` reply (spool_status: queued, written, bytes, dropped, open files) on
// CAF's deterministic test scheduler, with real files in a temporary spool directory.
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "actors/spool_writer.hpp"
#include "core/pcap_writer.hpp"
#include "core/spool_path.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
namespace fs = std::filesystem;

namespace {

struct spool_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  spool_writer_actor writer;

  explicit spool_fixture(const fs::path& spooldir, size_t max_buffered = 8u << 20,
                         std::chrono::microseconds nap = std::chrono::microseconds{0}) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    spool_writer_config wc;
    wc.spooldir = spooldir;
    wc.index = std::make_shared<core::spool_index>(spooldir);
    wc.max_buffered = max_buffered;
    wc.nap = nap;
    writer = sys->spawn(spool_writer, wc);
    sched->run();
  }
  ~spool_fixture() {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched->run();
  }
  spool_status status() {
    spool_status out;
    bool got = false;
    sys->spawn([&](caf::event_based_actor* self) {
      self->request(writer, caf::infinite, status_atom::value).then([&](spool_status& s) {
        out = s;
        got = true;
      });
    });
    sched->run();
    REQUIRE(got);
    return out;
  }
};

// A batch of `n` SIP frames of one call (Call-ID "status-call@test"), CSeq first_cseq and up;
// `frames` receives them.
core::batch_ptr sip_batch(size_t n, std::vector<std::vector<uint8_t>>& frames,
                          uint32_t first_cseq = 1) {
  test::batch_maker b;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t cseq = first_cseq + static_cast<uint32_t>(i);
    auto f = test::udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060,
                             test::bytes(test::sip("OPTIONS sip:b@b SIP/2.0", "status-call@test",
                                                   cseq, "OPTIONS", "")));
    b.add(1'000 + static_cast<int64_t>(cseq), f);
    frames.push_back(std::move(f));
  }
  return b.take();
}

core::batch_ptr sip_batch(size_t n, size_t& frame_bytes) {
  std::vector<std::vector<uint8_t>> frames;
  auto b = sip_batch(n, frames);
  frame_bytes = 0;
  for (const auto& f : frames)
    frame_bytes += f.size();
  return b;
}

// The packet data of each record of a pcap file, in file order.
std::vector<std::vector<uint8_t>> pcap_records(const fs::path& file) {
  std::vector<std::vector<uint8_t>> out;
  std::string error;
  const bool ok = core::read_pcap_file(
      file.string(), [](int) {},
      [&](const core::pcap_record& r) { out.emplace_back(r.data.begin(), r.data.end()); }, error);
  INFO(error);
  REQUIRE(ok);
  return out;
}

// Packet i of `b` as the call actor lists it for the SIP file.
spool_frame sip_frame(const core::packet_batch& b, uint32_t i) {
  const auto& f = b.frames[b.packets[i].frame_index];
  return {b.packets[i].ts, b.raw.data() + f.offset, f.caplen, f.wirelen};
}

spool_packets message(core::batch_ptr batch, size_t n) {
  spool_packets m;
  for (uint32_t i = 0; i < n; ++i)
    m.sip.push_back(sip_frame(*batch, i));
  m.batches.push_back(std::move(batch));
  m.call_uid = 7;
  m.fbasename = core::make_fbasename("status-call@test");
  m.calldate = 1'000'000'000;
  return m;
}

fs::path fresh(const std::string& name) {
  auto d = fs::temp_directory_path() / ("voxmon-actor-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("spool_writer status counts queued packets until the call closes its files", "[actors][spool]") {
  const auto dir = fresh("spool-status");
  size_t frame_bytes = 0;
  auto batch = sip_batch(5, frame_bytes);
  REQUIRE(batch->packets.size() == 5);
  {
    spool_fixture f(dir / "spool");
    auto s0 = f.status();
    CHECK(s0.queued_packets == 0);
    CHECK(s0.open_files == 0);

    caf::anon_send(f.writer, spool_atom::value, message(batch, 5));
    f.sched->run();
    auto s1 = f.status();
    CHECK(s1.queued_packets == 5);  // under the 64 KB write threshold: still in the buffer
    CHECK(s1.packets == 0);
    CHECK(s1.open_files == 1);
    CHECK(s1.dropped == 0);

    caf::anon_send(f.writer, close_atom::value, spool_close{7});
    f.sched->run();
    auto s2 = f.status();
    CHECK(s2.queued_packets == 0);
    CHECK(s2.packets == 5);
    CHECK(s2.open_files == 0);
    CHECK(s2.dropped == 0);
    const auto file = core::spool_file_path(dir / "spool", 1'000'000'000, "status-call@test",
                                            core::spool_kind::sip, ".pcap");
    REQUIRE(fs::exists(file));
    CHECK(fs::file_size(file) == 24 + 5 * 16 + frame_bytes);  // global header + records
    CHECK(s2.bytes == fs::file_size(file));
  }
  fs::remove_all(dir);
}

TEST_CASE("spool_writer status: an unusable spool directory counts drops", "[actors][spool]") {
  const auto dir = fresh("spool-status-bad");
  std::ofstream(dir / "blocker") << "x";  // a file where a directory must go (root-proof)
  size_t frame_bytes = 0;
  auto batch = sip_batch(3, frame_bytes);
  {
    spool_fixture f(dir / "blocker" / "spool");
    caf::anon_send(f.writer, spool_atom::value, message(batch, 3));
    f.sched->run();
    auto s = f.status();
    CHECK(s.dropped == 3);
    CHECK(s.packets == 0);
    CHECK(s.queued_packets == 0);
    CHECK(s.open_files == 0);
  }
  fs::remove_all(dir);
}

TEST_CASE("spool_writer writes a message's packets from several batches in the message's order",
          "[actors][spool]") {
  const auto dir = fresh("spool-batches");
  std::vector<std::vector<uint8_t>> first, second;
  auto a = sip_batch(3, first, 1);   // CSeq 1-3
  auto b = sip_batch(2, second, 4);  // CSeq 4-5
  spool_packets m = message(a, 0);
  m.batches.push_back(b);
  // A call's packets as the router delivers them, interleaved between its batches; each index
  // below 2 is in both batches (not one frame listed once: the call's check for a frame listed
  // twice in a row must look at the batch too), and the last one is routed twice in a row.
  const spool_link link{{}, true, true, false, false};
  for (const auto& [index, batch] : std::vector<std::pair<uint32_t, uint8_t>>{
           {0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 0}}) {
    core::routed_packet rp;
    rp.index = index;
    rp.batch = batch;
    spool_select(link, batch == 0 ? *a : *b, rp, m);
  }
  REQUIRE(m.sip.size() == 5);
  CHECK(m.rtp.empty());
  {
    spool_fixture f(dir / "spool");
    caf::anon_send(f.writer, spool_atom::value, m);
    caf::anon_send(f.writer, close_atom::value, spool_close{7});
    f.sched->run();
    auto s = f.status();
    CHECK(s.packets == 5);
    CHECK(s.dropped == 0);
  }
  const auto file = core::spool_file_path(dir / "spool", 1'000'000'000, "status-call@test",
                                          core::spool_kind::sip, ".pcap");
  REQUIRE(fs::exists(file));
  const auto records = pcap_records(file);
  REQUIRE(records.size() == 5);
  CHECK(records[0] == first[0]);
  CHECK(records[1] == second[0]);
  CHECK(records[2] == first[1]);
  CHECK(records[3] == second[1]);
  CHECK(records[4] == first[2]);
  fs::remove_all(dir);
}

TEST_CASE("spool_writer over its buffer bound writes the fullest buffers, not every buffer",
          "[actors][spool]") {
  const auto dir = fresh("spool-fullest");
  std::vector<std::vector<uint8_t>> big_frames, small_frames;
  auto big = sip_batch(40, big_frames, 1);
  auto small = sip_batch(3, small_frames, 100);
  auto bytes_of = [](const std::vector<std::vector<uint8_t>>& frames, size_t from, size_t to) {
    size_t n = 0;
    for (size_t i = from; i < to; ++i)
      n += 16 + frames[i].size();  // record header + frame
    return n;
  };
  const size_t big_first = 24 + bytes_of(big_frames, 0, 30);  // file header + 30 records
  const size_t small_all = 24 + bytes_of(small_frames, 0, 3);
  // Reached only by the big file's last 10 records; half of it is more than the small file.
  const size_t bound = big_first + small_all + bytes_of(big_frames, 30, 40) / 2;
  REQUIRE(small_all < bound / 2);

  spool_packets first = message(big, 0), rest = message(big, 0), other = message(small, 3);
  for (uint32_t i = 0; i < 30; ++i)
    first.sip.push_back(sip_frame(*big, i));
  for (uint32_t i = 30; i < 40; ++i)
    rest.sip.push_back(sip_frame(*big, i));
  other.call_uid = 8;
  other.fbasename = core::make_fbasename("other-call@test");
  {
    spool_fixture f(dir / "spool", bound);
    caf::anon_send(f.writer, spool_atom::value, first);
    caf::anon_send(f.writer, spool_atom::value, other);
    f.sched->run();
    CHECK(f.status().queued_packets == 33);  // under the bound: nothing written yet
    caf::anon_send(f.writer, spool_atom::value, rest);
    f.sched->run();
    auto s = f.status();
    CHECK(s.packets == 40);         // the big file's buffer was written
    CHECK(s.queued_packets == 3);   // the small one still waits for more
    CHECK(s.open_files == 2);
  }
  fs::remove_all(dir);
}

TEST_CASE("spool_writer reports its buffers' memory in whole blocks, none once the calls close",
          "[actors][spool]") {
  const auto dir = fresh("spool-memory");
  constexpr size_t block = core::chunk_pool::chunk_bytes;
  constexpr uint32_t calls = 100;  // each holds a few hundred bytes: one block each
  std::vector<std::vector<uint8_t>> frames;
  auto b = sip_batch(1, frames, 1);
  {
    spool_fixture f(dir / "spool");
    for (uint32_t i = 0; i < calls; ++i) {
      spool_packets m = message(b, 0);
      m.call_uid = 1000 + i;
      m.fbasename = core::make_fbasename("many-" + std::to_string(i) + "@test");
      m.sip.push_back(sip_frame(*b, 0));
      caf::anon_send(f.writer, spool_atom::value, m);
    }
    f.sched->run();
    auto s = f.status();
    CHECK(s.open_files == calls);
    CHECK(s.queued_packets == calls);
    CHECK(s.buffer_bytes == calls * block);
    for (uint32_t i = 0; i < calls; ++i)
      caf::anon_send(f.writer, close_atom::value, spool_close{1000 + i});
    f.sched->run();
    s = f.status();
    CHECK(s.open_files == 0);
    CHECK(s.packets == calls);
    CHECK(s.buffer_bytes == 0);  // written blocks went back to the pool
  }
  fs::remove_all(dir);
}

TEST_CASE("spool_writer naps once its mailbox is empty, not after every message", "[actors][spool]") {
  const auto dir = fresh("spool-nap");
  std::vector<std::vector<uint8_t>> frames;
  auto batch = sip_batch(3, frames);
  const auto nap = std::chrono::milliseconds(100);
  spool_fixture f(dir / "spool", 8u << 20, nap);
  for (uint32_t i = 0; i < 3; ++i) {  // three messages queued before the writer runs
    spool_packets m = message(batch, 0);
    m.sip.push_back(sip_frame(*batch, i));
    caf::anon_send(f.writer, spool_atom::value, std::move(m));
  }
  const auto start = std::chrono::steady_clock::now();
  f.sched->run();
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= nap);      // after the last one, with nothing queued
  CHECK(took < 2 * nap);   // not after the first two
  CHECK(f.status().queued_packets == 3);
  fs::remove_all(dir);
}
