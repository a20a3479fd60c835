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
  invite,       // initial INVITE (also each retransmission, identical bytes; CSeq 2 after a 302)
  trying,       // 100
  ringing,      // 180 (To tag from here on; a forked call has two, with different tags)
  ok_invite,    // 200 with SDP answer
  ack_2xx,
  final_error,  // 486 / 603 / 487 / 480 / 408 (plan.final_code)
  ack_error,    // ACK to a non-2xx final response (same branch as the INVITE)
  cancel,
  ok_cancel,
  bye,          // from caller or callee (plan.callee_hangs)
  ok_bye,
  moved,        // 302 Moved Temporarily, Contact: the redirect target
  reinvite,     // hold (a=sendonly) or unhold (a=sendrecv, new caller media port)
  ok_reinvite,  // 200 with SDP (a=recvonly / a=sendrecv)
  ack_reinvite,
};

struct sip_event {
  int64_t t;          // capture time, ns since the epoch
  sip_kind kind;
  bool from_caller;
  uint8_t cseq = 1;   // CSeq number
  uint8_t tag = 1;    // To tag of a response: 0 none, 1 the answering leg's, 2 the other fork's
  bool hold = false;  // reinvite / ok_reinvite: hold (true) or unhold
};

inline constexpr uint32_t no_slot = UINT32_MAX;

// One RTP sender run: packet slots every 20 ms from first_send; slot k is audio unless a
// feature below takes it. Wire values derive from the slot (rtp_builder.hpp).
struct rtp_plan {
  bool present = false;
  bool orphan = false;      // announced by no SIP: not part of the call's truth
  uint8_t dir = 0;          // 0 caller -> callee (a_), 1 callee -> caller (b_)
  bool moved = false;       // after an unhold that moved the caller's media port
  ip_addr src, dst;
  uint16_t sport = 0, dport = 0;
  int64_t first_send = 0;   // send time of slot 0; slot k is sent at first_send + k*20 ms
  uint32_t count = 0;       // slots (before losses)
  uint32_t ssrc = 0;
  uint16_t seq0 = 0;
  uint32_t ts0 = 0;
  uint32_t switch_at = no_slot;  // SSRC change: from this slot on ssrc2/seq2/ts2
  uint32_t ssrc2 = 0;
  uint16_t seq2 = 0;
  uint32_t ts2 = 0;
  uint32_t dtmf_at = no_slot;    // telephone-event: dtmf_len slots (the last 3 are end packets)
  uint8_t dtmf_len = 0, digit = 0;
  uint32_t cn_from = no_slot, cn_to = 0;  // silence: one CN packet every quiet_every slots
  uint8_t quiet_every = 8;                // 0: no packet at all (on hold)
  int64_t base_delay = 0;   // fixed part of the network delay, ns
  uint64_t seed = 0;        // loss and jitter draws
  uint64_t seed2 = 0;       // burst loss and duplicate draws
};

struct call_plan {
  uint32_t n = 0;           // call number from 1, in order of the first INVITE
  uint64_t seed = 0;        // identifiers (Call-ID, tags, branches, SDP session ids)
  outcome oc = outcome::answered;
  uint8_t codec = 0;        // index into codec_table
  uint16_t final_code = 0;  // final response to the INVITE, 0 if none
  bool callee_hangs = false;
  bool redirected = false;  // the answering leg is the redirect target (10.3.x.y)
  bool new_port = false;    // unhold re-INVITE moves the caller's media port
  uint16_t pad = 0;         // extra header bytes in the INVITE (--fragment-sip)
  std::vector<sip_event> sip;  // ascending time
  std::vector<rtp_plan> rtp;   // streams (a, b, after unhold a2, b2; an orphan)
  int64_t start() const { return sip.front().t; }
  int64_t end() const { return sip.back().t; }
};

// Addressing, derived from the call number (unique for 65,534 consecutive calls).
ip_addr caller_ip(uint32_t n, bool v6);
ip_addr callee_ip(uint32_t n, bool v6);
ip_addr target_ip(uint32_t n, bool v6);                // redirect target 10.3.x.y
ip_addr answer_ip(const call_plan& p, bool v6);        // callee or redirect target
uint16_t caller_sip_port(uint32_t n, const gen_options& o);  // 5060; over TCP ephemeral
uint16_t caller_rtp_port2(uint32_t n);                 // caller's media port after unhold
ip_addr orphan_ip(uint32_t n, bool v6, bool src);      // 10.9.x.y -> 10.10.x.y
uint16_t caller_rtp_port(uint32_t n);
uint16_t callee_rtp_port(uint32_t n);
std::string caller_number(uint32_t n);
std::string callee_number(uint32_t n);
const char* reason_phrase(int code);

// All calls of a run, sorted by first INVITE; deterministic for opts.seed.
std::vector<call_plan> plan_calls(const gen_options& opts);

}  // namespace voxmon::gen
