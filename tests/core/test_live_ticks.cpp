// Packet time on a live wire: idle ticks (call_directory::advance) close calls that are due
// without any packet, never close early, and a tick behind the packets changes nothing; the
// stop of the sensor closes the open calls with the CDR's sighup mark.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "core/call_directory.hpp"
#include "tests/support/call_pipeline.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

using tick_pipeline = call_pipeline;

}  // namespace

TEST_CASE("idle ticks close a call at bye_timeout after its BYE, without any packet", "[live]") {
  batch_maker b;
  answered_call(b, "ticked@test", 0, 10, 2000);  // BYE at 2.000 s, 200 OK at 2.005 s
  tick_pipeline p;                             // bye_timeout 20 s
  p.feed(b.take());
  REQUIRE(p.directory.open_calls() == 1);
  p.tick(2'500);
  p.tick(21'000);   // 19 s after the 200 OK: not yet
  CHECK(p.cdrs.empty());
  p.tick(23'000);   // 21 s after it: closed
  REQUIRE(p.cdrs.size() == 1);
  CHECK(p.cdrs[0].callid == "ticked@test");
  CHECK(p.cdrs[0].bye == core::bye_code::bye_confirmed);
  CHECK_FALSE(p.cdrs[0].sighup);
  CHECK(p.directory.open_calls() == 0);
}

// INVITE, 200, ACK and `rtp` packets each way from 1.1 s; no BYE.
void call_without_bye(batch_maker& b, const std::string& id, int rtp) {
  const std::string a = "10.0.0.1", c = "10.0.0.2";
  b.add(0, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", id, 1, "INVITE", "", a, 4000))));
  b.add(1000, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 200 OK", id, 1, "INVITE", "b2", c, 5000))));
  b.add(1010, udp_frame(a, 5060, c, 5060, bytes(sip("ACK sip:bob@b.example SIP/2.0", id, 1, "ACK", "b2"))));
  for (int i = 0; i < rtp; ++i) {
    b.add(1100 + 20 * i, udp_frame(a, 4000, c, 5000, rtp_packet(0, static_cast<uint16_t>(100 + i), 160u * i, 0x1111)));
    b.add(1105 + 20 * i, udp_frame(c, 5000, a, 4000, rtp_packet(0, static_cast<uint16_t>(7 + i), 160u * i, 0x2222)));
  }
}

TEST_CASE("idle ticks fire rtptimeout, and a tick behind the packets changes nothing", "[live]") {
  core::call_timeouts t;
  t.rtp = 10 * core::ns_per_second;
  batch_maker b;
  call_without_bye(b, "quiet@test", 10);  // last packet at 1.285 s
  tick_pipeline p(t);
  p.feed(b.take());
  p.tick(500);      // behind the packets: a no-op
  p.tick(11'000);   // 9.7 s of silence: not yet
  CHECK(p.cdrs.empty());
  CHECK(p.directory.open_calls() == 1);
  p.tick(12'000);   // 10.7 s: rtptimeout
  REQUIRE(p.cdrs.size() == 1);
  CHECK(p.cdrs[0].bye == core::bye_code::rtp_timeout);
  CHECK(p.cdrs[0].rtp.size() == 2);
  CHECK(p.cdrs[0].rtp[0].received == 10);
}

TEST_CASE("the sensor's stop closes open calls with the sighup mark, bye from the dialog", "[live]") {
  batch_maker b;
  call_without_bye(b, "open@test", 5);
  tick_pipeline p;
  p.feed(b.take());
  p.end(core::close_reason::sighup);
  REQUIRE(p.cdrs.size() == 1);
  CHECK(p.cdrs[0].sighup);
  CHECK(p.cdrs[0].bye == core::bye_code::answered_no_bye);
  CHECK(p.cdrs[0].rtp.at(0).received == 5);
}
