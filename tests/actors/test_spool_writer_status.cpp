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

  explicit spool_fixture(const fs::path& spooldir) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    spool_writer_config wc;
    wc.spooldir = spooldir;
    wc.index = std::make_shared<core::spool_index>(spooldir);
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

// A batch of `n` SIP frames of one call (Call-ID "status-call@test").
core::batch_ptr sip_batch(size_t n, size_t& frame_bytes) {
  test::batch_maker b;
  frame_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    auto f = test::udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060,
                             test::bytes(test::sip("OPTIONS sip:b@b SIP/2.0", "status-call@test",
                                                   static_cast<uint32_t>(i + 1), "OPTIONS", "")));
    frame_bytes += f.size();
    b.add(1'000 + static_cast<int64_t>(i), f);
  }
  return b.take();
}

spool_packets message(core::batch_ptr batch, size_t n) {
  spool_packets m;
  m.batch = std::move(batch);
  m.call_uid = 7;
  m.fbasename = core::make_fbasename("status-call@test");
  m.calldate = 1'000'000'000;
  for (uint32_t i = 0; i < n; ++i)
    m.sip.push_back(i);
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
