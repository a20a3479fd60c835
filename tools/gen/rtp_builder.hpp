#pragma once
// RTP (RFC 3550) packets of one planned stream, produced in ARRIVAL order at the capture point:
// packet k is sent at first_send + k*20 ms, may be lost, and arrives after base_delay plus a
// random jitter delay, so late packets overtake nothing but are overtaken (reordering).
#include <cstdint>
#include <queue>
#include <vector>

#include "tools/gen/call_plan.hpp"
#include "tools/gen/rng.hpp"

namespace voxmon::gen {

struct rtp_arrival {
  int64_t t;   // capture time
  uint32_t k;  // index in send order
  bool operator>(const rtp_arrival& o) const { return t != o.t ? t > o.t : k > o.k; }
};

class rtp_stream_gen {
 public:
  rtp_stream_gen(const rtp_plan& plan, const gen_options& opts);
  // The next arrival, if any. Memory is bounded by the jitter window, not the stream length.
  bool peek(rtp_arrival& next);
  void pop() { window_.pop(); }

 private:
  const rtp_plan* plan_;
  double loss_;
  double jitter_ns_;
  jitter_dist dist_;
  int64_t quantum_;
  rng rng_;
  uint32_t next_k_ = 0;
  std::priority_queue<rtp_arrival, std::vector<rtp_arrival>, std::greater<>> window_;
};

inline uint16_t rtp_seq(const rtp_plan& s, uint32_t k) { return static_cast<uint16_t>(s.seq0 + k); }
inline uint32_t rtp_ts(const rtp_plan& s, const codec_info& c, uint32_t k) {
  return s.ts0 + k * c.ts_step;
}

// Header (V=2, marker on packet 0) and deterministic payload of packet k.
void build_rtp(const rtp_plan& s, const codec_info& c, uint32_t k, std::vector<uint8_t>& out);

}  // namespace voxmon::gen
