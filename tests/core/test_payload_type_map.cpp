// core::payload_type_map: what a call's rtpmap lines said about its payload types.
#include <catch2/catch.hpp>

#include "core/payload_type_map.hpp"

using voxmon::core::payload_type_map;

TEST_CASE("dynamic types keep their rtpmap name and clock", "[payload_types]") {
  payload_type_map m;
  m.learn(96, "opus", 48000);
  m.learn(97, "AMR-WB", 16000);
  CHECK(m.dynamic_clock(96) == 48000);
  CHECK(m.dynamic_name(96) == "opus");
  CHECK(m.dynamic_clock(97) == 16000);
  CHECK(m.dynamic_clock(98) == 0);
  CHECK(m.dynamic_name(98).empty());
  CHECK_FALSE(m.telephone_event(96));
  m.learn(96, "G7221", 16000);  // a later offer renumbers the type
  CHECK(m.dynamic_name(96) == "G7221");
  CHECK(m.dynamic_clock(96) == 16000);
  m.learn(99, "", 8000);  // no encoding: ignored
  CHECK(m.dynamic_name(99).empty());
  m.learn(200, "opus", 48000);  // not a payload type
  CHECK(m.dynamic_clock(200) == 0);
}

TEST_CASE("telephone-event types have no audio clock but an event clock", "[payload_types]") {
  payload_type_map m;
  m.learn(101, "telephone-event", 8000);
  m.learn(110, "TELEPHONE-EVENT", 48000);
  CHECK(m.telephone_event(101));
  CHECK(m.dynamic_clock(101) == 0);
  CHECK(m.event_clock(101) == 8000);
  CHECK(m.dynamic_name(101) == "telephone-event");
  CHECK(m.telephone_event(110));
  CHECK(m.event_clock(110) == 48000);
  // Once announced as events, a type stays one for the call (as before the compact map).
  m.learn(101, "PCMU", 8000);
  CHECK(m.telephone_event(101));
  CHECK(m.dynamic_clock(101) == 8000);
  // A static type is only recorded when it is announced as telephone-event.
  m.learn(0, "PCMU", 8000);
  CHECK_FALSE(m.telephone_event(0));
  CHECK(m.event_clock(0) == 0);
  m.learn(13, "telephone-event", 8000);
  CHECK(m.telephone_event(13));
  CHECK(m.event_clock(13) == 8000);
  CHECK(m.dynamic_name(13).empty());
}
