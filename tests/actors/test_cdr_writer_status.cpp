// cdr_writer's `status` reply (status line, metrics) on CAF's deterministic test scheduler.
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <filesystem>

#include "actors/cdr_writer.hpp"
#include "store/mysql_store.hpp"

using namespace voxmon;

namespace {

struct counting_sink final : store::cdr_sink {
  uint64_t written = 0;
  bool fail = false;
  std::string write(std::span<const core::cdr> batch) override {
    if (fail)
      return "disk full";
    written += batch.size();
    return {};
  }
  std::string flush() override { return {}; }
  std::string name() const override { return "counting"; }
};

struct writer_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  cdr_writer_actor writer;

  explicit writer_fixture(sink_list sinks) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    writer = sys->spawn(cdr_writer, std::move(sinks), 0u);
  }
  ~writer_fixture() {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched->run();
  }
  void send(uint64_t seq) {
    core::cdr c;
    c.callid = "call-" + std::to_string(seq);
    c.fbasename = c.callid;
    c.calldate = 1'767'225'600'000'000'000 + static_cast<int64_t>(seq) * 1'000'000'000;
    c.callend = c.calldate + 5'000'000'000;
    caf::anon_send(writer, cdr_atom::value, cdr_msg{0, seq, std::move(c)});
  }
  // One timer round: the writer's 200 ms flush (and journal retry) fire once.
  void tick() {
    sched->run();
    sched->trigger_timeouts();
    sched->run();
  }
  writer_status status() {
    writer_status out;
    bool got = false;
    sys->spawn([&](caf::event_based_actor* self) {
      self->request(writer, caf::infinite, status_atom::value).then([&](writer_status& w) {
        out = w;
        got = true;
      });
    });
    sched->run();
    REQUIRE(got);
    return out;
  }
};

}  // namespace

TEST_CASE("cdr_writer status: queued until written, then counted as written", "[actors]") {
  auto sink = std::make_shared<counting_sink>();
  writer_fixture f(sink_list{sink});
  auto s = f.status();
  CHECK(s.cdrs_written == 0);
  CHECK(s.cdrs_queued == 0);
  // Close sequence 0 is missing: 1 and 2 wait in the reorder buffer.
  f.send(2);
  f.send(1);
  f.sched->run();
  s = f.status();
  CHECK(s.cdrs_queued == 2);
  CHECK(s.cdrs_written == 0);
  // 0 arrives: all three are ready and wait for the 200 ms batch timer.
  f.send(0);
  f.sched->run();
  s = f.status();
  CHECK(s.cdrs_queued == 3);
  CHECK(s.cdrs_written == 0);
  f.tick();
  s = f.status();
  CHECK(sink->written == 3);
  CHECK(s.cdrs_queued == 0);
  CHECK(s.cdrs_written == 3);
  CHECK(s.cdrs_journaled == 0);
  CHECK(s.cdrs_dead == 0);
  CHECK(s.write_errors == 0);
}

TEST_CASE("cdr_writer status: a failing sink counts write errors, not written CDRs",
          "[actors]") {
  auto sink = std::make_shared<counting_sink>();
  sink->fail = true;
  writer_fixture f(sink_list{sink});
  for (uint64_t i = 0; i < 4; ++i)
    f.send(i);
  f.tick();
  const auto s = f.status();
  CHECK(s.cdrs_written == 0);
  CHECK(s.cdrs_queued == 0);
  CHECK(s.write_errors == 1);  // one batch of 4
}

TEST_CASE("cdr_writer status: CDRs kept in the MySQL journal while the server is away",
          "[actors][mysql]") {
  const auto dir = std::filesystem::temp_directory_path() / "voxmon_writer_status_journal";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::mysql_store_options o;
  o.params.host = "127.0.0.1";
  o.params.port = 1;  // nothing listens: connection refused at once
  o.params.user = "voxmon";
  o.params.database = "none";
  o.params.connect_timeout_s = 1;
  o.journal_path = (dir / "journal").string();
  o.journal_fsync = store::fsync_policy::none;
  std::string error, warning;
  std::shared_ptr<store::mysql_store> mysql = store::mysql_store::open(o, error, warning);
  REQUIRE(mysql);
  CHECK(warning.find("127.0.0.1:1") != std::string::npos);
  writer_fixture f(sink_list{mysql});
  for (uint64_t i = 0; i < 5; ++i)
    f.send(i);
  f.tick();
  const auto s = f.status();
  CHECK(s.cdrs_written == 5);    // accepted: kept in the journal
  CHECK(s.cdrs_journaled == 5);  // and waiting there
  CHECK(s.cdrs_queued == 0);
  CHECK(s.cdrs_dead == 0);
  CHECK(s.write_errors >= 1);    // the failed connect
  CHECK(mysql->journal_pending() == 5);
  std::filesystem::remove_all(dir);
}
