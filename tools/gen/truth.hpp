#pragma once
// The ground truth of each call, accumulated from the packets exactly as they are written to
// the capture (capture times, arrival order, losses). Independent of voxmon's core/.
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/gen/call_plan.hpp"

namespace voxmon::gen {

// Loss (RFC 3550 A.1) and interarrival jitter (RFC 3550 6.4.1) of one stream, in arrival order.
// The generator knows each packet's true index k in send order, so the extended sequence
// number is exact: expected = max k - k of the first arrival + 1. Jitter is summarised as
// tshark's rtp,streams does (docs/CDR.md): only packets whose timestamp is not behind the first
// arrival's update it, and the mean is tshark's running mean over the packets after the first.
class rtp_truth {
 public:
  void add(uint32_t k, int64_t arrival_ns);
  uint64_t received() const { return received_; }
  int64_t lost() const;
  // Mean of the running estimate over the packets after the first (as tshark's rtp,streams).
  double avg_jitter_ms() const { return jitter_mean_ms_; }
  double max_jitter_ms() const { return jitter_max_ms_; }
  int64_t first_arrival() const { return first_arrival_; }

 private:
  uint64_t received_ = 0;
  uint32_t first_k_ = 0, max_k_ = 0;
  int64_t first_arrival_ = 0, ref_arrival_ = 0;  // ref: the last packet not behind the first
  uint32_t ref_k_ = 0;
  double jitter_ms_ = 0;
  double jitter_mean_ms_ = 0, jitter_max_ms_ = 0;
};

class call_truth {
 public:
  void on_sip(const call_plan& p, const sip_event& e, int64_t t);
  void on_rtp(const call_plan& p, int dir, uint32_t k, int64_t t);
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
  std::array<rtp_truth, 2> rtp_;
};

// "YYYY-MM-DD HH:MM:SS.mmm" UTC, truncated to the millisecond.
std::string format_utc(int64_t ns);
// (to - from) in seconds, rounded to the millisecond (half up).
double seconds_between(int64_t from_ns, int64_t to_ns);

}  // namespace voxmon::gen
