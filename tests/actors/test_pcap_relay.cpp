// Remote pcaps on CAF's deterministic test scheduler: the registry tells the pcap_relay of each
// joined sensor's spool_server; a fetch reaches the sensor that saved the call, a sensor that
// left or never joined is "not connected" at once, a mirror sender has no spool of its own. And
// the pieces survive CAF's serialization (they cross the link as they are).
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <filesystem>
#include <fstream>

#include "actors/cdr_ingest.hpp"
#include "actors/cdr_writer.hpp"
#include "actors/pcap_relay.hpp"
#include "actors/sensor_registry.hpp"
#include "actors/spool_server.hpp"
#include "core/sensor_auth.hpp"
#include "core/spool_path.hpp"

using namespace voxmon;
namespace fs = std::filesystem;

namespace {

constexpr core::timestamp_ns t2024 = core::timestamp_ns{1709622489} * core::ns_per_second;

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  cdr_writer_actor writer;
  cdr_ingest_actor ingest;
  pcap_relay_actor relay;
  sensor_registry_actor registry;
  fs::path spool = fs::path(VOXMON_TEST_TMP) / "pcap-relay-spool";
  std::vector<caf::actor> presences;  // the sensors' links, alive while the test runs

  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    add_remote_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    writer = sys->spawn(cdr_writer, sink_list{}, uint32_t{0});
    ingest = sys->spawn(cdr_ingest, writer);
    relay = sys->spawn(pcap_relay);
    sensor_registry_config rc;
    rc.password = "pw";
    rc.relay = relay;
    registry = sys->spawn(sensor_registry, rc, ingest, mirror_ingest_local_actor{});
    fs::remove_all(spool);
    const auto sip = core::spool_file_path(spool, t2024, "call-1", core::spool_kind::sip, ".pcap");
    fs::create_directories(sip.parent_path());
    std::ofstream(sip, std::ios::binary) << "SIP bytes of call-1";
  }
  ~fixture() {
    for (const auto& p : presences)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    for (const caf::actor& a : {caf::actor_cast<caf::actor>(registry), caf::actor_cast<caf::actor>(relay),
                                caf::actor_cast<caf::actor>(ingest), caf::actor_cast<caf::actor>(writer)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
  }

  caf::actor presence() {
    return sys->spawn([](caf::event_based_actor*) -> caf::behavior { return {[](int) {}}; });
  }

  spool_server_actor spool_server_of(uint32_t id) {
    return sys->spawn(spool_server, spool_server_config{spool.string(), id, 1 << 20});
  }

  bool join(uint32_t id, const spool_server_actor& spool_actor) {
    bool accepted = false;
    auto who = presence();
    presences.push_back(who);
    sys->spawn([&, id, who, spool_actor](caf::event_based_actor* self) {
      self->request(registry, caf::infinite, join_atom::value, sensor_hello{id, "s", "test"})
        .then([&, self, id, who, spool_actor](const std::string& nonce) {
          auth_proof p{id, "s", nonce, core::make_auth_proof("pw", nonce, id, "s"), who, spool_actor};
          self->request(registry, caf::infinite, auth_atom::value, p)
            .then([&](const join_result& r) { accepted = r.accepted; });
        });
    });
    sched->run();
    return accepted;
  }

  core::pcap_piece fetch(uint32_t id, std::string fbasename, core::spool_kind part = core::spool_kind::sip) {
    core::pcap_piece out = core::pcap_piece_failure(core::remote_pcap_outcome::failed, "no answer");
    sys->spawn([&, id](caf::event_based_actor* self) {
      self->request(relay, caf::infinite, fetch_atom::value, id,
                    core::pcap_piece_request{fbasename, t2024, part, 0, 0, core::remote_pcap_piece_bytes})
        .then([&](const core::pcap_piece& p) { out = p; });
    });
    sched->run();
    return out;
  }
};

}  // namespace

TEST_CASE("pcap relay: a fetch reaches the joined sensor's spool and one that left is not connected",
          "[actors][cluster][remote_pcap]") {
  fixture f;
  auto none = f.fetch(101, "call-1");
  CHECK(none.outcome == core::remote_pcap_outcome::not_connected);
  CHECK(none.error == "sensor 101 is not connected: its pcaps cannot be fetched");

  auto server = f.spool_server_of(101);
  REQUIRE(f.join(101, server));
  auto got = f.fetch(101, "call-1");
  REQUIRE(got.outcome == core::remote_pcap_outcome::ok);
  CHECK(got.bytes == "SIP bytes of call-1");
  REQUIRE(got.files.size() == 1);
  CHECK(got.files[0].name == "2024-03-05/07/08/SIP/call-1.pcap");

  auto missing = f.fetch(101, "call-1", core::spool_kind::rtp);
  CHECK(missing.outcome == core::remote_pcap_outcome::not_found);
  CHECK(missing.error == "no RTP pcap for call 'call-1' in spool '" + f.spool.string() + "' of sensor 101");
  CHECK(f.fetch(102, "call-1").outcome == core::remote_pcap_outcome::not_connected);

  // The link went away: the sensor's actors on it are gone for the central node.
  caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(f.presences.back(), caf::exit_reason::user_shutdown);
  f.sched->run();
  CHECK(f.fetch(101, "call-1").outcome == core::remote_pcap_outcome::not_connected);

  auto again = f.spool_server_of(101);  // the sensor joins again
  REQUIRE(f.join(101, again));
  CHECK(f.fetch(101, "call-1").outcome == core::remote_pcap_outcome::ok);
  caf::anon_send_exit(again, caf::exit_reason::user_shutdown);
}

TEST_CASE("pcap relay: a mirror sender keeps no pcaps of its own", "[actors][cluster][remote_pcap]") {
  fixture f;
  REQUIRE(f.join(7, spool_server_actor{}));
  auto p = f.fetch(7, "call-1");
  CHECK(p.outcome == core::remote_pcap_outcome::not_found);
  CHECK(p.error.find("sensor 7 keeps no pcaps of its own") == 0);
}

TEST_CASE("remote pcap messages survive serialization", "[actors][cluster][remote_pcap]") {
  caf::actor_system_config cfg;
  cfg.set("logger.verbosity", caf::atom("quiet"));
  add_remote_message_types(cfg);
  caf::actor_system sys{cfg};
  core::pcap_piece_request r{"c@h", t2024, core::spool_kind::rtp, 3, 5u << 20, 777};
  core::pcap_piece p;
  p.outcome = core::remote_pcap_outcome::too_large;
  p.error = "words";
  p.files = {{"a/SIP/c@h.pcap", 12}, {"a/SIP/c@h.pcap.gz", 1ull << 33}};
  p.file = 1;
  p.offset = 99;
  p.bytes = std::string("\0\1\2binary", 9);
  std::vector<char> buf;
  {
    caf::binary_serializer sink{sys, buf};
    REQUIRE(!sink(r, p));
  }
  core::pcap_piece_request r2;
  core::pcap_piece p2;
  caf::binary_deserializer source{sys, buf};
  REQUIRE(!source(r2, p2));
  CHECK(r2.fbasename == r.fbasename);
  CHECK(r2.calldate == r.calldate);
  CHECK(r2.part == r.part);
  CHECK(r2.file == r.file);
  CHECK(r2.offset == r.offset);
  CHECK(r2.max_bytes == r.max_bytes);
  CHECK(p2.outcome == p.outcome);
  CHECK(p2.error == p.error);
  CHECK(p2.files == p.files);
  CHECK(p2.file == p.file);
  CHECK(p2.offset == p.offset);
  CHECK(p2.bytes == p.bytes);
}
