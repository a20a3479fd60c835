// The central node's registry and ingest on CAF's deterministic test scheduler: joins with the
// challenge-response, refusals that change nothing, duplicate ids, uploads acknowledged once and
// deduplicated.
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/cdr_ingest.hpp"
#include "actors/cdr_writer.hpp"
#include "actors/sensor_registry.hpp"
#include "core/sensor_auth.hpp"
#include "store/cdr_decode.hpp"

using namespace voxmon;

namespace {

struct memory_sink final : store::cdr_sink {
  std::vector<core::cdr> written;
  std::string write(std::span<const core::cdr> batch) override {
    written.insert(written.end(), batch.begin(), batch.end());
    return {};
  }
  std::string flush() override { return {}; }
  std::string name() const override { return "memory"; }
};

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<memory_sink> sink = std::make_shared<memory_sink>();
  cdr_writer_actor writer;
  cdr_ingest_actor ingest;
  sensor_registry_actor registry;

  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    writer = sys->spawn(cdr_writer, sink_list{sink}, uint32_t{0});
    ingest = sys->spawn(cdr_ingest, writer);
    sensor_registry_config rc;
    rc.password = "pw";
    registry = sys->spawn(sensor_registry, rc, ingest, mirror_ingest_local_actor{});
  }
  ~fixture() {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ingest, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched->run();
  }

  // A presence actor standing for a sensor's link; it lives until killed.
  caf::actor presence() {
    return sys->spawn([](caf::event_based_actor*) -> caf::behavior {
      return {[](int) {}};
    });
  }

  // Joins as a sensor knowing `password`; the registry's answer.
  join_result join(uint32_t id, const std::string& name, const std::string& password,
                   caf::actor who, std::string* nonce_out = nullptr) {
    join_result result;
    result.reason = "no answer";
    sys->spawn([&, id, name, password, who](caf::event_based_actor* self) {
      self->request(registry, caf::infinite, join_atom::value, sensor_hello{id, name, "test"})
        .then([&, self, id, name, password, who](const std::string& nonce) {
          if (nonce_out)
            *nonce_out = nonce;
          auth_proof p{id, name, nonce, core::make_auth_proof(password, nonce, id, name), who, {}};
          self->request(registry, caf::infinite, auth_atom::value, p)
            .then([&](const join_result& r) { result = r; });
        });
    });
    sched->run();
    return result;
  }

  std::vector<sensor_info> status() {
    std::vector<sensor_info> out;
    sys->spawn([&](caf::event_based_actor* self) {
      self->request(registry, caf::infinite, join_atom::value, sensor_hello{0, "status", "test"})
        .then([&, self](const std::string& nonce) {
          auth_proof p{0, "status", nonce, core::make_auth_proof("pw", nonce, 0, "status"), {}, {}};
          self->request(registry, caf::infinite, status_atom::value, p)
            .then([&](const std::vector<sensor_info>& s) { out = s; });
        });
    });
    sched->run();
    return out;
  }

  // Uploads CDRs with these Call-IDs; the acknowledged next sequence number, or the error text.
  std::string upload(uint32_t id, const std::string& epoch, uint64_t first,
                     const std::vector<std::string>& callids, uint64_t dropped = 0) {
    cdr_upload up{id, epoch, first, {}, dropped};
    for (const auto& c : callids) {
      core::cdr record;
      record.callid = c;
      record.id_sensor = 999;  // the server stamps the joined id
      up.records.push_back(store::encode_cdr(record));
    }
    std::string answer = "no answer";
    sys->spawn([&](caf::event_based_actor* self) {
      self->request(ingest, caf::infinite, upload_atom::value, up)
        .then([&](uint64_t next) { answer = std::to_string(next); },
              [&](const caf::error& e) { answer = sys->render(e); });
    });
    sched->run();
    return answer;
  }
};

}  // namespace

TEST_CASE("registry: the right password joins, the status lists the sensor", "[actors][cluster]") {
  fixture f;
  auto p = f.presence();
  auto r = f.join(7, "edge-7", "pw", p);
  REQUIRE(r.accepted);
  CHECK(r.ingest == f.ingest);
  auto s = f.status();
  REQUIRE(s.size() == 1);
  CHECK(s[0].id_sensor == 7);
  CHECK(s[0].name == "edge-7");
  CHECK(s[0].version == "test");
  CHECK(s[0].up);
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  f.sched->run();
  s = f.status();
  REQUIRE(s.size() == 1);
  CHECK_FALSE(s[0].up);  // the registry monitors the sensor's presence
}

TEST_CASE("registry: a wrong password is refused and leaves no trace", "[actors][cluster]") {
  fixture f;
  auto r = f.join(7, "edge-7", "guess", f.presence());
  CHECK_FALSE(r.accepted);
  CHECK(r.reason == "wrong server_password");
  CHECK(f.status().empty());
  CHECK(f.upload(7, "e1", 0, {"a"}).find("sensor 7 has not joined") != std::string::npos);
  CHECK(f.sink->written.empty());
}

TEST_CASE("registry: a proof is good for its nonce once", "[actors][cluster]") {
  fixture f;
  std::string nonce;
  auto who = f.presence();
  REQUIRE(f.join(7, "edge-7", "pw", who, &nonce).accepted);
  join_result replay;
  f.sys->spawn([&](caf::event_based_actor* self) {
    auth_proof p{7, "edge-7", nonce, core::make_auth_proof("pw", nonce, 7, "edge-7"), who, {}};
    self->request(f.registry, caf::infinite, auth_atom::value, p)
      .then([&](const join_result& r) { replay = r; });
  });
  f.sched->run();
  CHECK_FALSE(replay.accepted);
  CHECK(replay.reason == "unknown or expired challenge: join again");
}

TEST_CASE("registry: two sensors with the same id: the second is refused while the first is up",
          "[actors][cluster]") {
  fixture f;
  auto first = f.presence();
  REQUIRE(f.join(9, "a", "pw", first).accepted);
  auto second = f.join(9, "b", "pw", f.presence());
  CHECK_FALSE(second.accepted);
  CHECK(second.reason == "id_sensor 9 is already connected (a): each sensor needs its own id_sensor");
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  f.sched->run();
  CHECK(f.join(9, "a", "pw", f.presence()).accepted);  // the same sensor back after a restart
}

TEST_CASE("ingest: CDRs acknowledged once, duplicates dropped by sequence, a new epoch restarts",
          "[actors][cluster]") {
  fixture f;
  REQUIRE(f.join(3, "s", "pw", f.presence()).accepted);
  CHECK(f.upload(3, "e1", 0, {"a", "b"}) == "2");
  CHECK(f.upload(3, "e1", 0, {"a", "b"}) == "2");       // the acknowledgement was lost: resent
  CHECK(f.upload(3, "e1", 1, {"b", "c"}) == "3");       // overlapping resend
  CHECK(f.upload(3, "e2", 0, {"d"}) == "1");            // a new outbox numbers from 0 again
  std::vector<std::string> ids;
  for (const auto& c : f.sink->written) {
    ids.push_back(c.callid);
    CHECK(c.id_sensor == 3);
  }
  CHECK(ids == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("ingest: the sensor's capture drops and stored CDRs reach the status table",
          "[actors][cluster]") {
  fixture f;
  REQUIRE(f.join(4, "edge", "pw", f.presence()).accepted);
  CHECK(f.upload(4, "e1", 0, {"a", "b"}, 17) == "2");
  CHECK(f.upload(4, "e1", 2, {"c"}, 25) == "3");
  auto rows = f.status();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id_sensor == 4);
  CHECK(rows[0].cdrs == 3);
  CHECK(rows[0].dropped == 25);  // a total: the latest one counts
  CHECK_FALSE(rows[0].mirror);
}
