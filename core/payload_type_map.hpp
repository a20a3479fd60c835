#pragma once
// What a call's SDP said about its RTP payload types (a=rtpmap): the encoding name and clock of
// the dynamic types 96-127, and which types carry telephone-event (RFC 4733) with which clock.
// A call announces a handful of types, so they live in a short list with a 128-byte index
// instead of arrays over every payload type (2 KiB per call before).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace voxmon::core {

bool is_telephone_event(std::string_view encoding);

class payload_type_map {
 public:
  // One rtpmap line; a later announcement of the same type replaces its name and clock.
  void learn(uint8_t pt, std::string_view encoding, uint32_t clock_rate);

  // The rtpmap clock of a dynamic type (96-127); 0 for telephone-event and unknown types.
  uint32_t dynamic_clock(uint8_t pt) const {
    const entry* e = find(pt);
    return e ? e->dynamic_clock : 0;
  }
  // The rtpmap encoding of a dynamic type; empty when not announced.
  std::string_view dynamic_name(uint8_t pt) const {
    const entry* e = find(pt);
    return e ? std::string_view(e->name) : std::string_view{};
  }
  // Announced as telephone-event at some point of the call (any type number below 128).
  bool telephone_event(uint8_t pt) const {
    const entry* e = find(pt);
    return e && e->telephone_event;
  }
  uint32_t event_clock(uint8_t pt) const {
    const entry* e = find(pt);
    return e ? e->event_clock : 0;
  }

 private:
  struct entry {
    uint8_t pt = 0;
    bool telephone_event = false;
    uint32_t dynamic_clock = 0;
    uint32_t event_clock = 0;
    std::string name;  // dynamic types only
  };
  const entry* find(uint8_t pt) const {
    return pt < index_.size() && index_[pt] ? &entries_[index_[pt] - 1] : nullptr;
  }
  entry& slot(uint8_t pt);

  std::vector<entry> entries_;
  std::array<uint8_t, 128> index_{};  // entries_ position + 1; 0 = not announced
};

}  // namespace voxmon::core
