#pragma once
// RTP (RFC 3550) packets of one planned stream, produced in ARRIVAL order at the capture point:
// slot k is sent at first_send + k*20 ms (if the slot sends), may be lost (random or
// Gilbert-Elliott bursts), may be duplicated, and arrives after base_delay plus a random jitter
// delay, so late packets are overtaken (reordering).
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "tools/gen/call_plan.hpp"
#include "tools/gen/rng.hpp"

namespace voxmon::gen {

inline constexpr uint8_t pt_cn = 13;
inline constexpr uint8_t pt_dtmf = 101;

// What slot k of a stream carries.
struct slot_packet {
  uint8_t part = 0;      // 0, or 1 from the SSRC change on
  int64_t seq = 0;       // extended sequence number, relative to the part's first packet
  int64_t ts = 0;        // extended RTP timestamp, relative to the part's first packet
  uint8_t pt = 0;
  bool marker = false;
  bool dtmf_end = false;
  uint16_t dtmf_duration = 0;
};
// False when the slot sends nothing (silence between comfort noise packets, on hold).
bool slot_info(const rtp_plan& s, const codec_info& c, uint32_t k, slot_packet& out);
// Payload bytes (after the 12-byte header) of slot k.
size_t payload_size(const rtp_plan& s, const codec_info& c, uint32_t k, const slot_packet& sp);
// Clock rate the receiver knows for a payload type (0 for telephone-event: no jitter update).
uint32_t clock_of(const codec_info& c, uint8_t pt);

struct rtp_arrival {
  int64_t t;   // capture time
  uint32_t k;  // slot
  bool dup;    // the second copy of a duplicated packet
  bool operator>(const rtp_arrival& o) const {
    return t != o.t ? t > o.t : k != o.k ? k > o.k : dup > o.dup;
  }
};

class rtp_stream_gen {
 public:
  rtp_stream_gen(const rtp_plan& plan, const gen_options& opts);
  // The next arrival, if any. Memory is bounded by the jitter window, not the stream length.
  bool peek(rtp_arrival& next);
  void pop() { window_.pop(); }

 private:
  const rtp_plan* plan_;
  const gen_options* o_;
  const codec_info* codec_;
  rng rng_, rng2_;
  bool bad_ = false;  // Gilbert-Elliott state
  uint32_t next_k_ = 0;
  std::priority_queue<rtp_arrival, std::vector<rtp_arrival>, std::greater<>> window_;
};

// Header and deterministic payload of slot k (call slot_info first): a filler pattern, or
// pseudo-random bytes from the stream's SSRC and k (`noise`).
void build_rtp(const rtp_plan& s, const codec_info& c, uint32_t k, const slot_packet& sp,
               std::vector<uint8_t>& out, bool noise = false);

}  // namespace voxmon::gen

namespace voxmon::gen {

// RTCP (RFC 3550 6.4.1): a compound packet SR [+ one report block] + SDES CNAME.
struct rtcp_block {
  uint32_t ssrc = 0;       // source reported on
  uint8_t fraction = 0;    // lost since the previous report, /256
  int32_t cumulative = 0;  // expected - received (24-bit signed on the wire)
  uint32_t ext_seq = 0;    // highest extended sequence number received
  uint32_t jitter = 0;     // interarrival jitter, timestamp units
  uint32_t lsr = 0, dlsr = 0;
};
// NTP timestamp (RFC 5905) of a Unix time in ns.
uint64_t ntp_of(int64_t t_ns);
void build_rtcp(uint32_t ssrc, int64_t t_ns, uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                const rtcp_block* block, const std::string& cname, std::vector<uint8_t>& out);

}  // namespace voxmon::gen
