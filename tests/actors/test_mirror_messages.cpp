// A mirror frame crosses the link through CAF's serialization with its records shared with the
// sender's buffer (frame_payload): what arrives is exactly the records after the buffer's
// header, written as a plain string is.
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "messages/remote_messages.hpp"

using namespace voxmon;

TEST_CASE("a mirror frame's shared records survive serialization", "[actors][mirror]") {
  caf::actor_system_config cfg;
  cfg.set("logger.verbosity", caf::atom("quiet"));
  add_remote_message_types(cfg);
  caf::actor_system sys{cfg};
  const std::string records("\0\1\2records\xff", 11);
  auto kept = std::make_shared<const std::string>(std::string("HEADER") + records);
  mirror_frame_msg m;
  m.id_sensor = 4;
  m.epoch = "e";
  m.seq = 17;
  m.packets = 2;
  m.payload.bytes = kept;
  m.payload.offset = 6;
  CHECK(m.payload.view() == records);
  CHECK(m.payload.size() == records.size());

  std::vector<char> buf;
  {
    caf::binary_serializer sink{sys, buf};
    REQUIRE(!sink(m));
  }
  CHECK(kept.use_count() == 2);  // not copied: the message shares the kept bytes
  mirror_frame_msg back;
  caf::binary_deserializer source{sys, buf};
  REQUIRE(!source(back));
  CHECK(back.seq == 17);
  CHECK(back.packets == 2);
  CHECK(back.payload.offset == 0);
  CHECK(back.payload.view() == records);

  // On the wire the records are a string: the same bytes as serializing std::string.
  std::vector<char> as_string;
  {
    caf::binary_serializer sink{sys, as_string};
    std::string copy = records;
    REQUIRE(!sink(copy));
  }
  std::vector<char> only_payload;
  {
    caf::binary_serializer sink{sys, only_payload};
    REQUIRE(!sink(m.payload));
  }
  CHECK(only_payload == as_string);
  CHECK(caf::deep_to_string(m.payload) == "frame_payload(11)");

  frame_payload empty;
  CHECK(empty.view().empty());
}
