#pragma once
// The call detail record: what one call was, as VoIPmonitor's cdr table describes it.
// docs/CDR.md documents every field; JSON and SQL writers both render from this struct.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net_types.hpp"
#include "core/stream_quality.hpp"

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

// What the RTCP receiver reports said about one stream (reports sent by its receiver).
struct cdr_rtcp {
  uint32_t reports = 0;           // report blocks about the stream
  int32_t loss = 0;               // cumulative packets lost, from the last report
  uint8_t max_fraction_lost = 0;  // 0..255 (RFC 3550 fixed point, 256 = 100 %)
  double avg_fraction_lost = 0;   // 0..255, mean over the reports
  double max_jitter_ms = 0;       // jitter converted with the stream's RTP clock
  double avg_jitter_ms = 0;
  uint32_t rtt_count = 0;         // round trips measured from LSR/DLSR
  double avg_rtt_ms = 0;          // monitor <-> the stream's receiver and back
  double max_rtt_ms = 0;
  std::optional<double> xr_mos_lq, xr_mos_cq;  // RFC 3611 VoIP metrics, as reported
  std::optional<uint8_t> xr_r_factor;
};

struct cdr_dtmf {
  char digit = 0;
  timestamp_ns time = 0;                 // first packet of the event / the INFO request
  std::optional<double> duration_ms;
  uint8_t type = 0;                      // as VoIPmonitor: 0 SIP INFO, 1 RFC 2833/4733
  std::optional<party> sender;
  endpoint src, dst;
};

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
  std::string codec;            // encoding name (SDP rtpmap or RFC 3551), "" when unknown
  stream_quality_result quality;  // MOS per buffer, loss/delay histograms, ptime, CN
  bool srtp = false;              // SRTP: SDP RTP/SAVP(F) or a=crypto, or a ZRTP key agreement
  std::optional<cdr_rtcp> rtcp;   // RTCP reports about this stream, when any
};

struct cdr {
  std::string callid;
  std::string fbasename;       // Call-ID made a file name: the call's spool files (docs/CDR.md)
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
  std::vector<cdr_dtmf> dtmf;       // in time order
  // The capture itself lost packets while the call was open (libpcap drops, lost mirror frames):
  // its loss figures may include packets the network delivered. Not network loss.
  bool capture_loss = false;
  uint64_t capture_dropped = 0;     // packets the capture lost (all calls) while the call was open
  // Closed because the sensor was stopped (SIGTERM/SIGINT) while the call was open: VoIPmonitor's
  // `cdr.sighup` column. The call may have gone on after that.
  bool sighup = false;
};

// The a_ or b_ summary of a CDR: the stream of that direction with the most packets.
struct direction_summary {
  bool present = false;
  int payload = -1;
  uint64_t received = 0;
  int64_t lost = 0;
  double avgjitter_ms = 0;
  double maxjitter_ms = 0;
  const cdr_rtp_stream* stream = nullptr;  // the main stream itself (null when !present)
};
direction_summary summarize_direction(const cdr& c, party sender);

// Lowest interval MOS over every buffer of the stream; nullopt without any interval.
std::optional<double> stream_mos_min(const cdr_rtp_stream& s);
// Lowest over both main streams (the CDR's mos_min).
std::optional<double> call_mos_min(const cdr& c);

// Seconds between two packet times, rounded to milliseconds.
double seconds_between(timestamp_ns from, timestamp_ns to);
// "YYYY-MM-DD HH:MM:SS.mmm" in UTC.
std::string format_utc(timestamp_ns t);

}  // namespace voxmon::core
