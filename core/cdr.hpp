#pragma once
// The call detail record: what one call was, as VoIPmonitor's cdr table describes it.
// docs/CDR.md documents every field; JSON and SQL writers both render from this struct.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

// The `bye` column: how the call ended.
enum class bye_code : int {
  never_answered = 0,
  answered_no_bye = 1,
  bye_unconfirmed = 2,
  bye_confirmed = 3,
  absolute_timeout = 102,
  rtp_timeout = 104,
  sip_without_rtp_timeout = 108,
};

enum class party : uint8_t { caller, callee };

struct cdr_rtp_stream {
  endpoint src;
  endpoint dst;
  uint32_t ssrc = 0;
  int payload = -1;          // RTP payload type of the stream's first packet
  uint64_t received = 0;
  int64_t lost = 0;
  double avgjitter_ms = 0;
  double maxjitter_ms = 0;
  timestamp_ns first_ts = 0;
  timestamp_ns last_ts = 0;
  std::optional<party> sender;  // caller = a_ side, callee = b_ side; nullopt when unknown
};

struct cdr {
  std::string callid;
  uint32_t id_sensor = 0;
  timestamp_ns calldate = 0;   // first packet of the call
  timestamp_ns callend = 0;    // last packet of the call
  std::optional<timestamp_ns> connect_time;    // first 2xx to the INVITE
  std::optional<timestamp_ns> progress_time;   // first 18x, else first 2xx
  std::optional<timestamp_ns> first_rtp_time;  // first RTP packet of the call
  std::string caller, callername, caller_domain;
  std::string called, called_domain;
  endpoint sipcaller;          // source of the first INVITE
  endpoint sipcalled;          // destination of the last INVITE
  int last_sip_response_num = 0;
  std::string last_sip_response;   // e.g. "200 OK"
  bye_code bye = bye_code::never_answered;
  std::optional<party> whohanged;
  std::string a_ua, b_ua;
  std::optional<uint16_t> vlan;
  std::vector<cdr_rtp_stream> rtp;  // in order of first packet
};

// The a_ or b_ summary of a CDR: the stream of that direction with the most packets.
struct direction_summary {
  bool present = false;
  int payload = -1;
  uint64_t received = 0;
  int64_t lost = 0;
  double avgjitter_ms = 0;
  double maxjitter_ms = 0;
};
direction_summary summarize_direction(const cdr& c, party sender);

// Seconds between two packet times, rounded to milliseconds.
double seconds_between(timestamp_ns from, timestamp_ns to);
// "YYYY-MM-DD HH:MM:SS.mmm" in UTC.
std::string format_utc(timestamp_ns t);

}  // namespace voxmon::core
