#include "core/payload_type_map.hpp"

#include "core/text.hpp"

namespace voxmon::core {

bool is_telephone_event(std::string_view encoding) {
  return text::iequals(encoding, "telephone-event");
}

payload_type_map::entry& payload_type_map::slot(uint8_t pt) {
  if (!index_[pt]) {
    entries_.push_back({});
    entries_.back().pt = pt;
    index_[pt] = static_cast<uint8_t>(entries_.size());
  }
  return entries_[index_[pt] - 1];
}

void payload_type_map::learn(uint8_t pt, std::string_view encoding, uint32_t clock_rate) {
  if (pt >= index_.size() || encoding.empty())
    return;
  const bool event = is_telephone_event(encoding);
  if (pt < 96 && !event)
    return;  // static types: RFC 3551 fixes name and clock
  entry& e = slot(pt);
  if (pt >= 96) {
    e.dynamic_clock = event ? 0 : clock_rate;
    e.name = std::string(encoding);
  }
  if (event) {
    e.telephone_event = true;
    e.event_clock = clock_rate;
  }
}

}  // namespace voxmon::core
