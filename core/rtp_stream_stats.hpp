#pragma once
// Statistics of one RTP stream (one SSRC on one 5-tuple): packets received, loss, and
// interarrival jitter (RFC 3550 6.4.1) in milliseconds, reported as the mean and the maximum of
// the running estimate over the stream.
//
// The numbers reproduce what Wireshark/tshark 4.0 prints in `-z rtp,streams` (Pkts, Lost,
// Min/Mean/Max Jitter), so a CDR can be checked against a capture opened in Wireshark. tshark's
// rules differ from RFC 3550 in places; rtp_stream_stats.cpp spells each rule out. In short:
//  - lost() = expected - received with expected = last sequence seen - first sequence + 1 +
//    65536 per wrap (tshark's wrap detection); duplicates make it negative, a sequence restart
//    makes it large. rfc3550_lost() gives the RFC 3550 A.1 figure (highest extended sequence,
//    restart after two sequential packets past a big jump) next to it.
//  - jitter runs on every packet with a known clock rate whose RTP timestamp is not behind the
//    first packet's; the max, min and mean only take "regular" packets: not the first, no
//    marker bit, not comfort noise (PT 13/19) nor right after it. The mean is tshark's running
//    average mean = (mean * (n - 1) + J) / n, n = packets before this one (not the sum of J
//    over the number of samples when some packets were skipped).
#include <cstdint>

#include "core/net_types.hpp"
#include "core/rtp.hpp"

namespace voxmon::core {

class rtp_stream_stats {
 public:
  // `clock_rate` is the RTP clock of the packet's payload type, 0 = unknown: jitter is not
  // updated for that packet. To match tshark pass the static table for PT < 96 (RFC 3551; G.722
  // is 8000), the SDP rtpmap rate for dynamic PTs, and 0 for telephone-event (tshark ignores
  // its timestamps) and for dynamic PTs without rtpmap.
  void add(const rtp_header& h, timestamp_ns arrival, uint32_t clock_rate) {
    add(h.sequence, h.timestamp, arrival, clock_rate, h.payload_type, h.marker);
  }
  // Without payload type and marker the packet counts as a regular audio packet.
  void add(uint16_t sequence, uint32_t rtp_timestamp, timestamp_ns arrival, uint32_t clock_rate,
           uint8_t payload_type = 0, bool marker = false);

  uint64_t received() const { return received_; }
  int64_t expected() const;                 // tshark: last seq + 65536 * wraps - first seq + 1
  int64_t lost() const;                     // tshark: expected - received, may be negative
  int64_t rfc3550_expected() const;         // RFC 3550 A.1, summed over restarts
  int64_t rfc3550_lost() const { return rfc3550_expected() - static_cast<int64_t>(received_); }
  double mean_jitter_ms() const { return mean_jitter_ms_; }
  double max_jitter_ms() const { return max_jitter_ms_; }
  double min_jitter_ms() const { return have_min_ ? min_jitter_ms_ : 0.0; }
  double jitter_ms() const { return jitter_ms_; }  // current running estimate
  timestamp_ns first_arrival() const { return first_arrival_; }
  timestamp_ns last_arrival() const { return last_arrival_; }

 private:
  void first_packet(uint16_t seq, uint32_t rtp_timestamp, timestamp_ns arrival, uint8_t pt);
  void update_rfc3550(uint16_t seq);

  uint64_t received_ = 0;
  timestamp_ns first_arrival_ = 0;
  timestamp_ns last_arrival_ = 0;
  // tshark-compatible sequence state
  uint16_t start_seq_ = 0;
  uint16_t stop_seq_ = 0;    // sequence of the last packet (not the highest)
  int32_t wraps_ = 0;
  bool under_ = false;       // below start_seq_ in the current wrap
  // RFC 3550 A.1 sequence state
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;      // wraps, shifted by 16
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0;     // 65536 + 1 = none
  int64_t expected_before_restart_ = 0;
  // jitter state
  uint32_t last_ts_ = 0;             // RTP timestamp of the previous packet
  int64_t rel_ts_ = 0;               // extended RTP timestamp, relative to the first packet
  double last_nominal_ms_ = 0;       // RTP time of the last in-order clocked packet, in ms
  timestamp_ns in_order_arrival_ = 0;
  uint8_t last_pt_ = 0;
  bool have_min_ = false;
  double jitter_ms_ = 0;
  double mean_jitter_ms_ = 0;
  double max_jitter_ms_ = 0;
  double min_jitter_ms_ = 0;
};

}  // namespace voxmon::core
