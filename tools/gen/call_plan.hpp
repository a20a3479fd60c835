#pragma once
// The plan of every call: outcome, codec, the capture time of each SIP message and the
// parameters of each RTP stream. Plans are cheap; packets are made from them on the fly.
#include <cstdint>
#include <string>
#include <vector>

#include "tools/gen/frame_builder.hpp"
#include "tools/gen/gen_options.hpp"

namespace voxmon::gen {

inline constexpr int64_t ns_per_ms = 1'000'000;
inline constexpr int64_t ns_per_s = 1'000'000'000;
inline constexpr int64_t ptime_ns = 20 * ns_per_ms;
inline constexpr uint16_t sip_port = 5060;

enum class sip_kind : uint8_t {
  invite,       // also each retransmission (identical bytes)
  trying,       // 100
  ringing,      // 180 (To tag from here on)
  ok_invite,    // 200 with SDP answer
  ack_2xx,
  final_error,  // 486 / 603 / 487 / 480 / 408 (plan.final_code)
  ack_error,    // ACK to a non-2xx final response (same branch as the INVITE)
  cancel,
  ok_cancel,
  bye,          // from caller or callee (plan.callee_hangs)
  ok_bye,
};

struct sip_event {
  int64_t t;          // capture time, ns since the epoch
  sip_kind kind;
  bool from_caller;
};

struct rtp_plan {
  bool present = false;
  int64_t first_send = 0;   // send time of packet 0; packet k is sent at first_send + k*20 ms
  uint32_t count = 0;       // packets sent (before losses)
  uint32_t ssrc = 0;
  uint16_t seq0 = 0;
  uint32_t ts0 = 0;
  int64_t base_delay = 0;   // fixed part of the network delay, ns
  uint64_t seed = 0;        // loss and jitter draws
};

struct call_plan {
  uint32_t n = 0;           // call number from 1, in order of the first INVITE
  uint64_t seed = 0;        // identifiers (Call-ID, tags, branches, SDP session ids)
  outcome oc = outcome::answered;
  uint8_t codec = 0;        // index into codec_table
  uint16_t final_code = 0;  // final response to the INVITE, 0 if none
  bool callee_hangs = false;
  uint16_t pad = 0;         // extra header bytes in the INVITE (--fragment-sip)
  std::vector<sip_event> sip;  // ascending time
  rtp_plan rtp[2];             // [0] caller -> callee (a_), [1] callee -> caller (b_)
  int64_t start() const { return sip.front().t; }
  int64_t end() const { return sip.back().t; }
};

// Addressing, derived from the call number (unique for 65,534 consecutive calls).
ip_addr caller_ip(uint32_t n, bool v6);
ip_addr callee_ip(uint32_t n, bool v6);
uint16_t caller_rtp_port(uint32_t n);
uint16_t callee_rtp_port(uint32_t n);
std::string caller_number(uint32_t n);
std::string callee_number(uint32_t n);
const char* reason_phrase(int code);

// All calls of a run, sorted by first INVITE; deterministic for opts.seed.
std::vector<call_plan> plan_calls(const gen_options& opts);

}  // namespace voxmon::gen
