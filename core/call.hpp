#pragma once
// One call: its SIP dialog (by Call-ID) and its RTP/RTCP streams. Fed packet by packet in
// capture order; finish() turns what it saw into a CDR. Pure logic: the call actor is a thin
// shell around this class.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/cdr.hpp"
#include "core/decoded_packet.hpp"
#include "core/dtmf.hpp"
#include "core/payload_type_map.hpp"
#include "core/rtcp_report.hpp"
#include "core/rtp_stream_stats.hpp"
#include "core/sdp.hpp"
#include "core/sip_message.hpp"
#include "core/stream_quality.hpp"

namespace voxmon::core {

// Why a call is being closed (decided on packet time by the router, see call_timers).
enum class close_reason : uint8_t {
  end_of_input,      // the capture ended (or the node is stopping)
  ended,             // BYE or final failure seen and the linger time passed
  absolute_timeout,  // absolute_timeout since the first packet
  rtp_timeout,       // a call with media went quiet for rtptimeout
  sip_without_rtp,   // a call without media went quiet for sipwithoutrtptimeout
  sighup,            // the daemon is stopping (SIGTERM/SIGINT): CDR marked `sighup`
};

class call {
 public:
  call(std::string call_id, uint32_t id_sensor);

  void on_sip(const sip_message& m, const decoded_packet& p);
  // `data` is the UDP payload; RTCP on a muxed port is told apart here.
  void on_media(std::span<const uint8_t> data, const decoded_packet& p);

  // The capture lost `dropped` packets at packet time `at` while this call was open (the
  // router tells every open call; which call the lost packets belonged to is unknown).
  void on_capture_loss(timestamp_ns at, uint64_t dropped);

  cdr finish(close_reason reason) const;

  const std::string& call_id() const { return call_id_; }
  uint64_t sip_messages() const { return sip_messages_; }
  uint64_t rtp_packets() const { return rtp_packets_; }
  uint64_t rtcp_packets() const { return rtcp_packets_; }

 private:
  struct stream {
    endpoint src, dst;
    uint32_t ssrc = 0;
    int payload = -1;
    rtp_stream_stats stats;
    stream_quality quality;
    telephone_event_tracker events;
  };
  struct dtmf_seen {
    cdr_dtmf d;
    int stream = -1;  // index into streams_ (RFC 4733), -1 for SIP INFO
  };
  std::string_view encoding(uint8_t pt) const;
  void add_events(const telephone_events_done& done, int stream_index, const decoded_packet& p);
  bool sent_by_caller(const sip_message& m, const decoded_packet& p) const;
  void learn_sdp(const sip_message& m, bool from_caller);
  void on_response(const sip_message& m, const decoded_packet& p, bool from_caller);
  void on_request(const sip_message& m, const decoded_packet& p, bool from_caller);
  uint32_t clock_rate(uint8_t pt) const;
  std::optional<party> stream_sender(const stream& s) const;
  bool stream_srtp(const stream& s) const;
  stream& stream_for(const decoded_packet& p, uint32_t ssrc);

  std::string call_id_;
  uint32_t id_sensor_;
  bool seen_invite_ = false;
  timestamp_ns first_ts_ = 0;
  timestamp_ns last_ts_ = 0;
  std::optional<timestamp_ns> connect_ts_, first_18x_ts_, first_rtp_ts_;
  std::string caller_tag_;
  std::string caller_, callername_, caller_domain_, called_, called_domain_;
  endpoint sipcaller_, sipcalled_;
  uint32_t initial_cseq_ = 0;              // CSeq of the latest initial INVITE
  int last_response_num_ = 0;
  std::string last_response_;
  bool final_seen_ = false;                // for initial_cseq_
  std::optional<timestamp_ns> bye_ts_;
  std::optional<party> bye_sender_;
  bool bye_confirmed_ = false;
  std::string a_ua_, b_ua_;
  std::optional<uint16_t> vlan_;
  std::vector<endpoint> caller_media_, callee_media_;  // where each side receives RTP
  std::vector<endpoint> srtp_media_;   // announced with an SRTP profile or a=crypto
  std::vector<std::pair<endpoint, endpoint>> zrtp_seen_;  // ZRTP Confirm src/dst: SRTP follows
  bool capture_loss_ = false;
  uint64_t capture_dropped_ = 0;
  payload_type_map payload_types_;  // the SDP's rtpmap lines
  rtcp_tracker rtcp_;
  std::vector<dtmf_seen> dtmf_;
  std::vector<stream> streams_;
  uint64_t sip_messages_ = 0, rtp_packets_ = 0, rtcp_packets_ = 0;
};

}  // namespace voxmon::core
