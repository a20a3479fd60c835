// The router's logic and the call logic together, without actors: packets in, CDRs out.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "core/call_directory.hpp"
#include "tests/support/call_pipeline.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

// The calls of these tests belong to sensor 3.
struct pipeline : call_pipeline {
  explicit pipeline(core::call_timeouts t = {}) : call_pipeline(t, 3) {}
};

}  // namespace

TEST_CASE("an answered call hung up by the callee", "[call]") {
  batch_maker b;
  answered_call(b, "call-1@test", 1'000'000, 50, 3000);
  pipeline p;
  p.feed(b.take());
  p.end();
  REQUIRE(p.cdrs.size() == 1);
  const auto& c = p.cdrs[0];
  CHECK(c.callid == "call-1@test");
  CHECK(c.id_sensor == 3);
  CHECK(c.calldate == 1'000'000 * core::timestamp_ns{1'000'000});
  CHECK(core::seconds_between(c.calldate, c.callend) == Approx(3.005));
  CHECK(core::seconds_between(c.calldate, *c.connect_time) == Approx(1.0));
  CHECK(core::seconds_between(c.calldate, *c.progress_time) == Approx(0.1));
  CHECK(core::seconds_between(c.calldate, *c.first_rtp_time) == Approx(1.1));
  CHECK(c.caller == "alice");
  CHECK(c.callername == "Alice A");
  CHECK(c.caller_domain == "a.example");
  CHECK(c.called == "bob");
  CHECK(c.called_domain == "b.example");
  CHECK(c.sipcaller.to_string() == "10.0.0.1:5060");
  CHECK(c.sipcalled.to_string() == "10.0.0.2:5060");
  CHECK(c.last_sip_response_num == 200);
  CHECK(c.last_sip_response == "200 OK");
  CHECK(c.bye == core::bye_code::bye_confirmed);
  CHECK(c.whohanged == core::party::callee);
  CHECK(c.a_ua == "phone-a");
  CHECK(c.b_ua == "pbx-b");
  REQUIRE(c.rtp.size() == 2);
  CHECK(c.rtp[0].sender == core::party::caller);
  CHECK(c.rtp[0].ssrc == 0x1111);
  CHECK(c.rtp[0].received == 50);
  CHECK(c.rtp[0].lost == 0);
  CHECK(c.rtp[1].sender == core::party::callee);
  auto a = core::summarize_direction(c, core::party::caller);
  CHECK(a.present);
  CHECK(a.payload == 0);
  CHECK(a.received == 50);
  CHECK(p.stats.calls == 1);
  CHECK(p.stats.rtp_packets == 100);
  CHECK(p.stats.sip_messages == 6);
}

TEST_CASE("calls close on packet time: bye_timeout after the BYE, in close order", "[call]") {
  batch_maker b;
  answered_call(b, "first@test", 0, 10, 2000);
  answered_call(b, "second@test", 10'000, 10, 2000);
  // A packet 30 s later advances packet time past bye_timeout (20 s) for both calls.
  b.add(45'000, udp_frame("10.9.9.9", 5060, "10.9.9.8", 5060,
                          bytes(sip("OPTIONS sip:x@y SIP/2.0", "opt@test", 1, "OPTIONS", ""))));
  pipeline p;
  p.feed(b.take());
  REQUIRE(p.cdrs.size() == 2);
  CHECK(p.cdrs[0].callid == "first@test");
  CHECK(p.cdrs[1].callid == "second@test");
  CHECK(p.cdrs[0].bye == core::bye_code::bye_confirmed);
  CHECK(p.directory.open_calls() == 0);
  CHECK(p.directory.media_endpoints() == 0);
  CHECK(p.stats.sip_non_call == 1);
}

TEST_CASE("rtptimeout and absolute_timeout close calls with their codes", "[call]") {
  core::call_timeouts t;
  t.rtp = 10 * core::ns_per_second;
  t.absolute = 5000 * core::ns_per_second;
  SECTION("rtp timeout") {
    batch_maker b;
    answered_call(b, "quiet@test", 0, 10, 1'000'000);  // the BYE comes much later
    pipeline p(t);
    p.feed(b.take());
    p.end();
    REQUIRE(p.cdrs.size() >= 1);
    CHECK(p.cdrs[0].bye == core::bye_code::rtp_timeout);
    CHECK(p.stats.sip_outside_call == 2);  // the late BYE and its 200 find no call
  }
  SECTION("absolute timeout") {
    t.absolute = 2 * core::ns_per_second;
    batch_maker b;
    answered_call(b, "long@test", 0, 200, 5000);
    pipeline p(t);
    p.feed(b.take());
    p.end();
    REQUIRE(p.cdrs.size() == 1);
    CHECK(p.cdrs[0].bye == core::bye_code::absolute_timeout);
    CHECK(p.stats.unmatched_udp > 0);
  }
}

TEST_CASE("a retransmitted INVITE and a 401 challenge do not create extra calls", "[call]") {
  batch_maker b;
  const std::string a = "10.0.0.1", c = "10.0.0.2";
  b.add(0, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", "auth@test", 1, "INVITE", ""))));
  b.add(500, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", "auth@test", 1, "INVITE", ""))));
  b.add(600, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 401 Unauthorized", "auth@test", 1, "INVITE", "x"))));
  b.add(610, udp_frame(a, 5060, c, 5060, bytes(sip("ACK sip:bob@b.example SIP/2.0", "auth@test", 1, "ACK", "x"))));
  b.add(700, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", "auth@test", 2, "INVITE", ""))));
  b.add(800, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 486 Busy Here", "auth@test", 2, "INVITE", "y"))));
  pipeline p;
  p.feed(b.take());
  p.end();
  REQUIRE(p.cdrs.size() == 1);
  CHECK(p.cdrs[0].last_sip_response_num == 486);
  CHECK(p.cdrs[0].last_sip_response == "486 Busy Here");
  CHECK(p.cdrs[0].bye == core::bye_code::never_answered);
  CHECK(!p.cdrs[0].whohanged);
  CHECK(!p.cdrs[0].connect_time);
}

TEST_CASE("garbage on the SIP port is counted, never routed", "[call]") {
  batch_maker b;
  b.add(0, udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, bytes("\x01\x02garbage\r\n\r\n")));
  b.add(1, udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, bytes("BYE sip:x SIP/2.0\r\n\r\n")));
  b.add(2, udp_frame("10.0.0.1", 7000, "10.0.0.2", 7002, rtp_packet(0, 1, 1, 1)));
  pipeline p;
  p.feed(b.take());
  p.end();
  CHECK(p.cdrs.empty());
  CHECK(p.stats.sip_bad == 2);
  CHECK(p.stats.unmatched_udp == 1);
}

TEST_CASE("a call's endpoints beyond 64 are not followed and never outlive the call", "[call]") {
  // 40 re-INVITEs, each announcing a new RTP port (and its RTCP port + 1): the first 32 fill the
  // call's 64 endpoints, the rest are not routed to it. After the call closes, a packet to any
  // of them is unmatched: the endpoint map never names a closed call.
  batch_maker b;
  const std::string a = "10.0.0.1", c = "10.0.0.2";
  b.add(1000, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", "many@test", 1, "INVITE", "", a, 4000))));
  b.add(1100, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 200 OK", "many@test", 1, "INVITE", "b2", c, 5000))));
  for (uint16_t i = 1; i <= 40; ++i)
    b.add(1100 + 10 * i, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", "many@test", 1 + i, "INVITE", "b2", a, static_cast<uint16_t>(6000 + 2 * i)))));
  // The call already announced 2 + 31 * 2 = 64 endpoints by re-INVITE 31 (port 6062): 6064
  // (re-INVITE 32) is the first one not followed.
  b.add(2000, udp_frame(c, 5000, a, 6062, rtp_packet(0, 1, 0, 0x3333)));  // followed
  b.add(2001, udp_frame(c, 5000, a, 6064, rtp_packet(0, 1, 0, 0x4444)));  // not followed: the
  // source 10.0.0.2:5000 is the callee's own endpoint, so the packet still reaches the call
  b.add(2002, udp_frame(c, 7000, a, 6070, rtp_packet(0, 1, 0, 0x5555)));  // neither end known
  pipeline p;
  p.feed(b.take());
  CHECK(p.stats.unmatched_udp == 1);
  CHECK(p.directory.media_endpoints() == 64);
  p.end();
  REQUIRE(p.cdrs.size() == 1);
  // After the close, packets to every announced endpoint are unmatched.
  batch_maker after;
  for (uint16_t i = 1; i <= 40; ++i)
    after.add(3000 + i, udp_frame(c, 9000, a, static_cast<uint16_t>(6000 + 2 * i), rtp_packet(0, 1, 0, 0x6666)));
  p.feed(after.take());
  CHECK(p.stats.unmatched_udp == 41);
  CHECK(p.directory.media_endpoints() == 0);
}
