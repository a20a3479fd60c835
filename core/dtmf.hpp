#pragma once
// DTMF: RFC 4733 (formerly RFC 2833) telephone-events in RTP, and SIP INFO bodies
// (application/dtmf-relay, application/dtmf).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/net_types.hpp"

namespace voxmon::core {

// '0'..'9', '*', '#', 'A'..'D' for events 0..15, 'F' for 16 (flash); 0 for anything else.
char dtmf_digit_of_event(uint8_t event);

struct telephone_event {
  char digit = 0;
  timestamp_ns start = 0;     // arrival of the event's first packet
  double duration_ms = 0;     // the largest duration field seen, in ms of the event clock
  bool ended = false;         // an end packet (E bit) was seen
};

// One stream's telephone-events. An event is identified by its RTP timestamp (RFC 4733 2.5.1.2):
// it is reported once, when its first end packet arrives (the usual three retransmitted end
// packets are then ignored) or, without an end packet, when the next event starts or at finish().
struct telephone_events_done {
  telephone_event events[2];
  uint8_t count = 0;          // 0..2 (an open event and a new one that ends in its first packet)
};

class telephone_event_tracker {
 public:
  // `payload` is the RTP payload; `clock_rate` the telephone-event clock (8000 when 0).
  // Returns the events completed by this packet, oldest first.
  telephone_events_done add(std::span<const uint8_t> payload, uint32_t rtp_ts,
                                     timestamp_ns arrival, uint32_t clock_rate);
  std::optional<telephone_event> finish();

 private:
  bool active_ = false;       // an event is open (not yet reported)
  bool have_last_ = false;    // the last event's timestamp is known (for retransmissions)
  uint32_t ts_ = 0;
  telephone_event current_{};
};

struct sip_info_dtmf {
  char digit = 0;
  std::optional<double> duration_ms;
};
// application/dtmf-relay ("Signal=5\r\nDuration=160") or application/dtmf ("5"); nullopt for any
// other content type or a body without a valid digit.
std::optional<sip_info_dtmf> parse_sip_info_dtmf(std::string_view content_type,
                                                 std::string_view body);

}  // namespace voxmon::core
