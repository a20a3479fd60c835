#pragma once
// RTCP report contents (RFC 3550 SR/RR report blocks, RFC 3611 XR VoIP metrics) and what a call
// learns from them per reported stream: cumulative loss, fraction lost, jitter, and the round
// trip between the monitor and the stream's receiver from LSR/DLSR. parse_rtcp (rtp.hpp) stays
// the cheap summary; this is the detailed walk, run only for RTCP packets.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

struct rtcp_report_block {
  uint32_t ssrc = 0;             // the stream reported on
  uint8_t fraction_lost = 0;     // 0..255 = 0..~100 %
  int32_t cumulative_lost = 0;   // 24-bit signed
  uint32_t highest_seq = 0;
  uint32_t jitter = 0;           // RTP timestamp units
  uint32_t lsr = 0;              // middle 32 bits of the NTP time of the last SR, 0 = none
  uint32_t dlsr = 0;             // 1/65536 s
};

struct rtcp_xr_voip_metrics {
  uint32_t ssrc = 0;
  uint8_t loss_rate = 0, discard_rate = 0;          // fraction * 256
  uint16_t round_trip_delay = 0, end_system_delay = 0;  // ms
  uint8_t r_factor = 127, mos_lq = 127, mos_cq = 127;   // 127 = unavailable; MOS x 10
};

struct rtcp_report {
  uint32_t sender_ssrc = 0;
  bool has_sr = false;
  uint32_t sr_ntp_middle = 0;    // middle 32 bits of the SR's NTP timestamp
  static constexpr size_t max_blocks = 31;
  std::array<rtcp_report_block, max_blocks> blocks{};
  uint8_t block_count = 0;
  std::optional<rtcp_xr_voip_metrics> xr_voip;
};

// Walks a compound packet (SR, RR, SDES, BYE, APP, XR in any order). nullopt when it is not a
// valid RTCP compound (same rules as parse_rtcp). Blocks beyond max_blocks are ignored.
std::optional<rtcp_report> parse_rtcp_report(std::span<const uint8_t> data);

// What the RTCP of a call said about one stream (by SSRC).
struct rtcp_stream_stats {
  uint32_t ssrc = 0;
  uint32_t reports = 0;            // report blocks about this stream
  int32_t cumulative_lost = 0;     // from the last report
  uint8_t max_fraction_lost = 0;   // 0..255
  double fraction_lost_sum = 0;    // for the mean
  uint32_t max_jitter = 0;         // RTP timestamp units
  double jitter_sum = 0;
  uint32_t rtt_count = 0;          // LSR/DLSR round trips measured
  double rtt_sum_ms = 0;
  double rtt_max_ms = 0;
  std::optional<rtcp_xr_voip_metrics> xr;  // the last XR VoIP metrics block
};

class rtcp_tracker {
 public:
  void on_report(const rtcp_report& r, timestamp_ns arrival);
  const rtcp_stream_stats* find(uint32_t ssrc) const;
  const std::vector<rtcp_stream_stats>& streams() const { return streams_; }

 private:
  rtcp_stream_stats& at(uint32_t ssrc);
  struct sr_seen {
    uint32_t ssrc = 0;
    uint32_t ntp_middle = 0;
    timestamp_ns arrival = 0;
  };
  static constexpr size_t max_srs = 16;
  std::vector<sr_seen> srs_;  // the last SRs seen, round robin (empty for calls without RTCP)
  size_t next_sr_ = 0;
  std::vector<rtcp_stream_stats> streams_;
};

}  // namespace voxmon::core
