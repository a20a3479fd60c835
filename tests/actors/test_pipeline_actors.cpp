// call_router -> call -> cdr_writer on CAF's deterministic test scheduler.
#include <catch2/catch.hpp>

#include <map>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/call_router.hpp"
#include "actors/cdr_writer.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

// A sink that remembers what it was given.
struct memory_sink final : store::cdr_sink {
  std::vector<core::cdr> written;
  int flushes = 0;
  std::string write(std::span<const core::cdr> batch) override {
    written.insert(written.end(), batch.begin(), batch.end());
    return {};
  }
  std::string flush() override {
    ++flushes;
    return {};
  }
  std::string name() const override { return "memory"; }
};

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<memory_sink> sink = std::make_shared<memory_sink>();
  cdr_writer_actor writer;
  call_router_actor router;

  explicit fixture(uint32_t merged_sources = 0) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    writer = sys->spawn(cdr_writer, sink_list{sink}, 10u);
    router_config rc;
    rc.id_sensor = 5;
    rc.sources = std::max<uint32_t>(1, merged_sources);
    rc.merged_sources = merged_sources;
    router = sys->spawn(call_router, rc, writer);
  }
  ~fixture() {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    sched->run();
  }
  // Runs every job, newest first, so actors interleave as differently as possible from FIFO.
  void run_shuffled() {
    for (;;) {
      while (sched->try_run_once_lifo()) {
      }
      if (!sched->trigger_timeouts())
        break;
    }
  }
};

}  // namespace

TEST_CASE("CDRs leave the writer in close order whatever order the calls run in",
          "[actors]") {
  fixture f;
  batch_maker b;
  for (int i = 0; i < 6; ++i)
    answered_call(b, "call-" + std::to_string(i), i * 10'000, 20 + i, 3000);
  caf::anon_send(f.router, batch_atom::value, batch_msg{b.take()});
  caf::anon_send(f.router, eof_atom::value, input_end{});

  run_report report;
  bool got_report = false;
  f.sys->spawn([&](caf::event_based_actor* self) {
    self->request(f.writer, caf::infinite, done_atom::value, uint32_t{1})
      .then([&](run_report& r) {
        report = r;
        got_report = true;
      });
  });
  f.run_shuffled();

  REQUIRE(got_report);
  REQUIRE(f.sink->written.size() == 6);
  for (int i = 0; i < 6; ++i) {
    CHECK(f.sink->written[i].callid == "call-" + std::to_string(i));
    CHECK(f.sink->written[i].id_sensor == 5);
    CHECK(f.sink->written[i].rtp.size() == 2);
    CHECK(f.sink->written[i].rtp[0].received == static_cast<uint64_t>(20 + i));
  }
  CHECK(f.sink->flushes == 1);
  CHECK(report.stats.calls == 6);
  CHECK(report.stats.cdrs_written == 6);
  CHECK(report.stats.sip_messages == 36);
  REQUIRE(report.rows.size() == 6);
  CHECK(report.rows[0].caller == "alice");
  CHECK(report.rows[0].whohanged == "callee");
}

TEST_CASE("no actor keeps a batch once its packets are consumed", "[actors]") {
  // The capture's credit comes from the release of the last reference to a batch, so a batch
  // that some actor kept would stall the capture: every reference must be gone after the run.
  fixture f;
  batch_maker b;
  answered_call(b, "held-call", 0, 5, 1000);
  answered_call(b, "other-call", 200, 5, 1000);
  core::batch_ptr batch = b.take();
  caf::anon_send(f.router, batch_atom::value, batch_msg{batch});
  caf::anon_send(f.router, batch_atom::value, batch_msg{batch});
  f.sched->run();
  CHECK(batch.use_count() == 1);  // only this test holds it; the calls are still open
  caf::anon_send(f.router, eof_atom::value, input_end{});
  f.sched->run();
  CHECK(batch.use_count() == 1);
}

TEST_CASE("a capture loss notice reaches exactly the calls open at that time", "[actors]") {
  fixture f;
  auto send_batch = [&](auto&& add) {
    batch_maker b;
    add(b);
    caf::anon_send(f.router, batch_atom::value, batch_msg{b.take()});
  };
  send_batch([](batch_maker& b) {
    answered_call(b, "closed-before", 0, 10, 2000);   // closed (bye_timeout) at 22 s
    answered_call(b, "open-both", 3000, 10, 60'000);  // BYE at 63 s: open until 83 s
  });
  caf::anon_send(f.router, caploss_atom::value, capture_loss{63'100'000'000, 5});
  send_batch([](batch_maker& b) { answered_call(b, "open-second", 64'000, 10, 2000); });
  caf::anon_send(f.router, caploss_atom::value, capture_loss{66'100'000'000, 7});
  send_batch([](batch_maker& b) { answered_call(b, "after", 200'000, 10, 2000); });
  caf::anon_send(f.router, eof_atom::value, input_end{});
  f.run_shuffled();

  REQUIRE(f.sink->written.size() == 4);
  std::map<std::string, const core::cdr*> by_id;
  for (const auto& c : f.sink->written)
    by_id[c.callid] = &c;
  REQUIRE(by_id.size() == 4);
  CHECK_FALSE(by_id["closed-before"]->capture_loss);
  CHECK(by_id["closed-before"]->capture_dropped == 0);
  CHECK(by_id["open-both"]->capture_loss);
  CHECK(by_id["open-both"]->capture_dropped == 12);
  CHECK(by_id["open-second"]->capture_loss);
  CHECK(by_id["open-second"]->capture_dropped == 7);
  CHECK_FALSE(by_id["after"]->capture_loss);
  CHECK(by_id["after"]->capture_dropped == 0);
}

TEST_CASE("the router counts the packets it routed before merged interfaces were in time order",
          "[actors][merge]") {
  // Two merged interfaces; the second stays silent. The first one's batches wait for it, up to
  // the bound of 4 queued batches: the fifth batch releases the first one's 16 packets early,
  // and the status (the live status line and metrics) says so.
  fixture f(2);
  for (int i = 0; i < 5; ++i) {
    batch_maker b;
    answered_call(b, "merged-" + std::to_string(i), 1000 + i * 10'000, 5, 2000);  // 16 packets
    caf::anon_send(f.router, batch_atom::value, batch_msg{b.take(), 0});
  }
  f.sched->run();
  caf::scoped_actor self{*f.sys};
  auto status = [&] {
    self->send(f.router, status_atom::value);
    f.sched->run();
    router_status st;
    self->receive([&](const router_status& r) { st = r; });
    return st;
  };
  auto st = status();
  CHECK(st.merged_early == 16);
  CHECK(st.calls_open + st.calls_closed == 1);  // only the first call has been routed
  // The silent interface ends: everything queued is routed in order, nothing more early.
  input_end silent_ends;
  silent_ends.merge_slot = 1;
  caf::anon_send(f.router, eof_atom::value, silent_ends);
  f.sched->run();
  st = status();
  CHECK(st.merged_early == 16);
  CHECK(st.packets == 5 * 16);
  input_end first_ends;
  first_ends.merge_slot = 0;
  caf::anon_send(f.router, eof_atom::value, first_ends);
  f.run_shuffled();
  CHECK(f.sink->written.size() == 5);
}
