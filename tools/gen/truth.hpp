#pragma once
// The ground truth of each call, accumulated from the packets exactly as they are written to
// the capture (capture times, arrival order, losses). Independent of voxmon's core/.
#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "tools/gen/call_plan.hpp"
#include "tools/gen/rtp_builder.hpp"

namespace voxmon::gen {

// Loss (RFC 3550 A.1) and interarrival jitter (RFC 3550 6.4.1) of one stream, in arrival order.
// The generator knows each packet's true extended sequence number and RTP timestamp, so
// expected = highest - first arrival's + 1 exactly. Jitter is summarised as tshark's
// rtp,streams does (docs/GENERATOR.md): only packets whose timestamp is not behind the first
// arrival's update it; telephone-event packets (no clock) move only the arrival reference; max
// and mean skip the first packet, marker packets, comfort noise and the packet after it; the
// mean is tshark's running mean over the packets before each one.
class rtp_truth {
 public:
  void add(int64_t seq, int64_t ts, uint8_t pt, bool marker, uint32_t clock, int64_t arrival_ns);
  uint64_t received() const { return received_; }
  int64_t lost() const;
  double avg_jitter_ms() const { return jitter_mean_ms_; }
  double max_jitter_ms() const { return jitter_max_ms_; }
  double jitter_ms() const { return jitter_ms_; }  // the current running estimate J
  int64_t first_arrival() const { return first_arrival_; }
  int64_t max_seq() const { return max_seq_; }
  uint8_t first_pt() const { return first_pt_; }
  // voxmon's definitions (docs/QUALITY.md): an arrival whose sequence number already arrived is
  // a duplicate; one below the highest sequence number so far (and new) is reordered.
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }
  // Loss bursts (docs/QUALITY.md, VoIPmonitor's slost): over the sequence numbers from the lowest
  // to the highest that arrived, runs of 1..9 consecutive numbers that never arrived ([0..8]),
  // and of 10 or more ([9]).
  std::array<uint64_t, 10> loss_bursts() const;
  // RFC 4733 telephone-event packet (after add()): one event per RTP timestamp, reported at its
  // first end packet to arrive (later ones ignored), or when the next event starts, or at the
  // end; its start is the arrival of its first packet to arrive, its duration the largest
  // duration field seen until then (8 kHz units).
  void add_event(int64_t ts, uint8_t event, bool end, uint16_t duration, int64_t arrival);
  struct dtmf_event {
    int64_t ts = 0, start = 0;
    uint8_t event = 0;
    uint16_t duration = 0;
    bool reported = false;
    uint64_t rank = 0;  // order in which the events were reported, within the stream
  };
  std::vector<dtmf_event> dtmf_events() const;  // all events, reported in order (open ones last)
  uint64_t order = 0;  // arrival rank of the first packet within the call

 private:
  uint64_t received_ = 0;
  int64_t first_seq_ = 0, max_seq_ = 0, first_ts_ = 0;
  int64_t first_arrival_ = 0, ref_arrival_ = 0;  // ref: the last packet not behind the first
  double last_nominal_ms_ = 0;
  uint8_t last_pt_ = 0, first_pt_ = 0;
  double jitter_ms_ = 0;
  double jitter_mean_ms_ = 0, jitter_max_ms_ = 0;
  uint64_t duplicates_ = 0, reordered_ = 0;
  // Loss bursts: sequence numbers below next_final_ are decided (arrived or lost for good);
  // decided burst_lag behind the highest, well inside seen_window.
  static constexpr int64_t burst_lag = 512;
  void decide_next();
  int64_t next_final_ = 0;
  bool decided_ = false;
  uint32_t run_ = 0;
  std::array<uint64_t, 10> sl_{};
  std::vector<dtmf_event> events_;
  uint64_t reported_ = 0;
  // Sequence numbers that arrived, within `seen_window` below the highest (the generator never
  // delays a packet by that many packets: 1024 x 20 ms).
  static constexpr int64_t seen_window = 1024;
  std::vector<bool> seen_ = std::vector<bool>(seen_window);
};

class call_truth {
 public:
  void on_sip(const call_plan& p, const sip_event& e, int64_t t);
  // Stream `plan` of the call, part 0 or 1 (SSRC change): one arrival.
  void on_rtp(const call_plan& p, size_t plan, const slot_packet& sp, int64_t t);
  // An SR sent by `sender_ssrc` (NTP middle 32 bits `ntp_middle`) captured at t, with its report
  // block if it had one: exactly the values written.
  void on_rtcp(int64_t t, uint32_t sender_ssrc, uint32_t ntp_middle, const rtcp_block* block);
  const rtp_truth* stream(size_t plan, int part) const;
  int64_t calldate() const { return calldate_; }
  int64_t callend() const { return last_; }
  nlohmann::ordered_json to_json(const call_plan& p, const gen_options& o) const;

 private:
  bool any_ = false;
  int64_t calldate_ = 0, last_ = 0;
  int64_t progress_ = -1, connect_ = -1, first_rtp_ = -1;
  int final_code_ = 0;
  int bye_ = 0;            // 0 never answered, 1 answered, 2 BYE sent, 3 BYE answered
  int whohanged_ = -1;     // 0 caller, 1 callee
  bool a_ua_ = false, b_ua_ = false;
  uint64_t arrivals_ = 0;
  std::vector<rtp_truth> rtp_;  // [2 * plan + part]
  // What the RTCP report blocks said about each SSRC (docs/QUALITY.md "RTCP").
  struct rtcp_about {
    uint64_t reports = 0;
    int32_t cumulative = 0;  // of the last block
    uint8_t max_fraction = 0;
    double fraction_sum = 0;
    uint32_t max_jitter = 0;  // timestamp units
    double jitter_sum = 0;
    uint64_t rtt_count = 0;
    double rtt_sum_ms = 0, rtt_max_ms = 0;
  };
  std::vector<std::pair<uint32_t, rtcp_about>> rtcp_;  // by SSRC, in order of first report
  struct sr_sent {
    uint32_t ssrc, ntp_middle;
    int64_t t;
  };
  std::vector<sr_sent> srs_;  // every SR of the call
  const rtcp_about* rtcp_about_ssrc(uint32_t ssrc) const;
};

// "YYYY-MM-DD HH:MM:SS.mmm" UTC, truncated to the millisecond.
std::string format_utc(int64_t ns);
// (to - from) in seconds, rounded to the millisecond (half up).
double seconds_between(int64_t from_ns, int64_t to_ns);

}  // namespace voxmon::gen
