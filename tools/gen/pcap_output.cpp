#include "tools/gen/pcap_output.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "tools/gen/call_plan.hpp"
#include "tools/gen/capture_writer.hpp"
#include "tools/gen/frame_builder.hpp"
#include "tools/gen/rtp_builder.hpp"
#include "tools/gen/sip_builder.hpp"
#include "tools/gen/truth.hpp"

namespace voxmon::gen {
namespace {

constexpr uint8_t src_sip = 0, src_rtp = 1, src_rtcp = 32;  // + stream index
constexpr int64_t rtcp_interval = 5 * ns_per_s;

struct rtcp_state {  // one reporting party, attached to the stream it sends
  uint32_t next_slot = 0, packets = 0, octets = 0;
  uint8_t part = 0;
  int64_t last_expected = 0, last_received = 0;
  uint32_t j = 0;  // reports sent
};

struct active_call {
  call_plan* plan = nullptr;
  size_t sip_pos = 0;
  std::vector<std::optional<rtp_stream_gen>> rtp;
  std::vector<rtcp_state> rtcp;
  uint32_t tcp_seq[2] = {0, 0};  // next sequence number caller->callee, callee->caller
  bool tcp_connected[2] = {false, false};  // handshake written to the callee / redirect target
  std::string tcp_held[2];       // a message held back to share the next segment
  std::array<uint32_t, 2> sr_mid{0, 0};  // middle 32 bits of the last SR NTP from each side
  std::array<int64_t, 2> sr_at{0, 0};
  call_truth truth;
  int open = 0;  // sources with packets left
};

struct entry {
  int64_t t;
  uint32_t n;
  uint8_t src;
  uint32_t k;  // RTP slot
  bool dup;
  bool operator>(const entry& o) const {
    return std::tie(t, n, src, k, dup) > std::tie(o.t, o.n, o.src, o.k, o.dup);
  }
};

struct finished {
  int64_t callend, calldate;
  std::string callid, line;
};

// Deterministic split points for TCP segments (no random draws: options change nothing else).
uint64_t hash3(uint64_t a, uint64_t b, uint64_t c) { return mix64(a ^ mix64(b ^ mix64(c))); }

class generator {
 public:
  generator(const gen_options& o, capture_writer& out, std::ofstream& truth, gen_summary& sum)
      : o_(o), out_(out), truth_(truth), sum_(sum), frames_(o) {}

  void run(std::vector<call_plan>& plans) {
    size_t next = 0;
    while (true) {
      while (next < plans.size() && (heap_.empty() || plans[next].start() <= heap_.top().t))
        activate(plans[next++]);
      if (heap_.empty()) break;
      const entry e = heap_.top();
      heap_.pop();
      emit(e);
    }
    flush_finished();
  }

 private:
  void activate(call_plan& p) {
    active_call& c = calls_[p.n];
    c.plan = &p;
    heap_.push({p.sip.front().t, p.n, src_sip, 0, false});
    c.open = 1;
    c.rtp.resize(p.rtp.size());
    c.rtcp.resize(p.rtp.size());
    const uint64_t s = derive_seed(p.seed, 0x544350);  // "TCP"
    c.tcp_seq[0] = static_cast<uint32_t>(s);
    c.tcp_seq[1] = static_cast<uint32_t>(s >> 32);
    for (size_t i = 0; i < p.rtp.size(); ++i) {
      if (!p.rtp[i].present) continue;
      c.rtp[i].emplace(p.rtp[i], o_);
      push_rtp(c, i);
      if (o_.rtcp && !p.rtp[i].orphan) push_rtcp(c, i);
    }
    sum_.max_active = std::max<uint64_t>(sum_.max_active, calls_.size());
  }

  void push_rtp(active_call& c, size_t i) {
    rtp_arrival a;
    if (c.rtp[i]->peek(a)) {
      heap_.push({a.t, c.plan->n, static_cast<uint8_t>(src_rtp + i), a.k, a.dup});
      ++c.open;
    }
  }

  void push_rtcp(active_call& c, size_t i) {
    const rtp_plan& s = c.plan->rtp[i];
    const int64_t t = s.first_send + rtcp_interval / 2 + int64_t{c.rtcp[i].j} * rtcp_interval;
    if (t > s.first_send + int64_t{s.count - 1} * ptime_ns) return;
    const int64_t at = t + s.base_delay;
    heap_.push({at - at % o_.quantum_ns, c.plan->n, static_cast<uint8_t>(src_rtcp + i), 0, false});
    ++c.open;
  }

  void emit(const entry& e) {
    active_call& c = calls_.at(e.n);
    const call_plan& p = *c.plan;
    --c.open;
    if (e.src == src_sip) {
      emit_sip(c, e.t);
    } else if (e.src < src_rtcp) {
      const size_t i = e.src - src_rtp;
      const rtp_plan& s = p.rtp[i];
      c.rtp[i]->pop();
      slot_packet sp;
      slot_info(s, codec_table[p.codec], e.k, sp);
      build_rtp(s, codec_table[p.codec], e.k, sp, buf_, o_.noise_payload);
      write(e.t, frames_.udp(s.src, s.sport, s.dst, s.dport, buf_.data(), buf_.size(), true));
      if (!s.orphan) c.truth.on_rtp(p, i, sp, e.t);
      push_rtp(c, i);
    } else {
      emit_rtcp(c, e.src - src_rtcp, e.t);
    }
    if (c.open == 0) finish(c);
  }

  void emit_sip(active_call& c, int64_t t) {
    const call_plan& p = *c.plan;
    const sip_event& ev = p.sip[c.sip_pos++];
    const bool v6 = o_.ipv6;
    const std::string text = build_sip(p, ev, v6, o_.tcp);
    const ip_addr a = caller_ip(p.n, v6);
    // After a redirect everything but the first INVITE transaction goes to the target.
    const bool first_tx = ev.cseq == 1 && (ev.kind == sip_kind::invite || ev.kind == sip_kind::trying ||
                                           ev.kind == sip_kind::moved || ev.kind == sip_kind::ack_error);
    const bool to_target = p.redirected && !first_tx;
    const ip_addr b = to_target ? target_ip(p.n, v6) : callee_ip(p.n, v6);
    const uint16_t ap = caller_sip_port(p.n, o_);
    if (c.sip_pos < p.sip.size()) {
      heap_.push({p.sip[c.sip_pos].t, p.n, src_sip, 0, false});
      ++c.open;
    }
    c.truth.on_sip(p, ev, t);
    if (!o_.tcp) {
      write(t, frames_.udp(ev.from_caller ? a : b, ev.from_caller ? ap : sip_port,
                           ev.from_caller ? b : a, ev.from_caller ? sip_port : ap,
                           reinterpret_cast<const uint8_t*>(text.data()), text.size(), true));
      return;
    }
    // SIP over TCP: one connection per call (and per redirect target). With coalescing the
    // 100 Trying waits for the callee's next message and both share a segment; with splitting
    // a message (or the coalesced pair) is cut at one or two points into several segments.
    const int d = ev.from_caller ? 0 : 1;
    if (!c.tcp_connected[to_target ? 1 : 0]) {
      // The caller opens the connection: SYN, SYN/ACK, ACK at the time of its first message
      // (each SYN takes one sequence number, so data starts at tcp_seq).
      c.tcp_connected[to_target ? 1 : 0] = true;
      write(t, frames_.tcp(a, ap, b, sip_port, c.tcp_seq[0] - 1, 0, nullptr, 0, frame_builder::tcp_syn));
      write(t, frames_.tcp(b, sip_port, a, ap, c.tcp_seq[1] - 1, c.tcp_seq[0], nullptr, 0,
                           frame_builder::tcp_syn_ack));
      write(t, frames_.tcp(a, ap, b, sip_port, c.tcp_seq[0], c.tcp_seq[1], nullptr, 0,
                           frame_builder::tcp_ack));
    }
    const bool coalesce = o_.tcp_segments == tcp_mode::coalesce || o_.tcp_segments == tcp_mode::mixed;
    const bool split = o_.tcp_segments == tcp_mode::split || o_.tcp_segments == tcp_mode::mixed;
    if (coalesce && ev.kind == sip_kind::trying && c.sip_pos < p.sip.size()) {
      c.tcp_held[d] += text;
      return;
    }
    std::string bytes = std::move(c.tcp_held[d]) + text;
    c.tcp_held[d].clear();
    std::vector<size_t> cuts{0};
    if (split && bytes.size() > 64) {
      const uint64_t h = hash3(p.seed, c.sip_pos, 0x53504C);
      cuts.push_back(16 + h % (bytes.size() / 2));
      if (h >> 40 & 1) cuts.push_back(cuts.back() + 1 + (h >> 20) % (bytes.size() - cuts.back() - 8));
    }
    for (size_t at = frame_builder::mss; at < bytes.size(); at += frame_builder::mss) cuts.push_back(at);
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(bytes.size());
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      if (cuts[k + 1] == cuts[k]) continue;
      const size_t n = cuts[k + 1] - cuts[k];
      write(t, frames_.tcp(ev.from_caller ? a : b, ev.from_caller ? ap : sip_port,
                           ev.from_caller ? b : a, ev.from_caller ? sip_port : ap,
                           c.tcp_seq[d], c.tcp_seq[1 - d],
                           reinterpret_cast<const uint8_t*>(bytes.data()) + cuts[k], n));
      c.tcp_seq[d] += static_cast<uint32_t>(n);
    }
  }

  // SR from the sender of stream i; its report block covers the stream it receives (the
  // opposite direction to its own port), from what the capture point has seen of it so far.
  void emit_rtcp(active_call& c, size_t i, int64_t t) {
    const call_plan& p = *c.plan;
    const rtp_plan& s = p.rtp[i];
    const codec_info& codec = codec_table[p.codec];
    rtcp_state& r = c.rtcp[i];
    const int64_t send = t - s.base_delay;
    slot_packet sp;
    while (r.next_slot < s.count && s.first_send + int64_t{r.next_slot} * ptime_ns <= send) {
      const uint32_t k = r.next_slot++;
      if (!slot_info(s, codec, k, sp)) continue;
      if (sp.part != r.part) r.part = sp.part, r.packets = r.octets = 0;
      ++r.packets;
      r.octets += static_cast<uint32_t>(payload_size(s, codec, k, sp));
    }
    const int64_t elapsed = send - s.first_send - (r.part ? int64_t{s.switch_at} * ptime_ns : 0);
    const uint32_t rtp_ts = (r.part ? s.ts2 : s.ts0) +
                            static_cast<uint32_t>(elapsed / 1000 * codec.clock / 1'000'000);
    const rtp_truth* peer = nullptr;
    size_t peer_i = 0;
    int peer_part = 0;
    for (size_t j = 0; j < p.rtp.size(); ++j) {
      const rtp_plan& q = p.rtp[j];
      if (q.orphan || q.dir == s.dir || q.dport != s.sport) continue;
      for (int part = 0; part < 2; ++part)
        if (const rtp_truth* tr = c.truth.stream(j, part); tr && (!peer || tr->first_arrival() > peer->first_arrival()))
          peer = tr, peer_i = j, peer_part = part;
    }
    rtcp_block rb;
    if (peer) {
      const rtp_plan& q = p.rtp[peer_i];
      const int64_t expected = peer->max_seq() + 1, received = static_cast<int64_t>(peer->received());
      const int64_t de = expected - r.last_expected, dr = received - r.last_received;
      rb.ssrc = peer_part ? q.ssrc2 : q.ssrc;
      rb.fraction = static_cast<uint8_t>(de <= 0 || de <= dr ? 0 : std::min<int64_t>(255, ((de - dr) << 8) / de));
      rb.cumulative = static_cast<int32_t>(peer->lost());
      rb.ext_seq = static_cast<uint32_t>((peer_part ? q.seq2 : q.seq0) + peer->max_seq());
      rb.jitter = static_cast<uint32_t>(peer->jitter_ms() * codec.clock / 1000.0);
      const int peer_side = q.dir;
      if (c.sr_at[peer_side]) {
        rb.lsr = c.sr_mid[peer_side];
        rb.dlsr = static_cast<uint32_t>(((t - c.sr_at[peer_side]) << 16) / ns_per_s);
      }
      r.last_expected = expected, r.last_received = received;
    }
    c.sr_mid[s.dir] = static_cast<uint32_t>(ntp_of(send) >> 16);
    c.sr_at[s.dir] = t;
    const std::string cname = s.dir == 0 ? std::string("caller@") + caller_domain
                                         : std::string("callee@") + callee_domain;
    build_rtcp(r.part ? s.ssrc2 : s.ssrc, send, rtp_ts, r.packets, r.octets, peer ? &rb : nullptr,
               cname, buf_);
    write(t, frames_.udp(s.src, static_cast<uint16_t>(s.sport + 1), s.dst,
                         static_cast<uint16_t>(s.dport + 1), buf_.data(), buf_.size(), false));
    c.truth.on_rtcp(t, r.part ? s.ssrc2 : s.ssrc, c.sr_mid[s.dir], peer ? &rb : nullptr);
    ++r.j;
    push_rtcp(c, i);
  }

  void write(int64_t t, std::span<const std::vector<uint8_t>> frames) {
    for (const auto& f : frames) {
      out_.write(t, f.data(), f.size());
      ++sum_.packets;
      sum_.bytes += f.size();
    }
    if (sum_.packets == frames.size()) sum_.first_ns = t;
    sum_.last_ns = t;
  }

  // Truth lines go out in callend order; calls ending at the same instant are sorted by
  // calldate, then Call-ID. A call ends when its last packet is written, and packets are
  // written in time order, so only calls ending at the current instant need holding back.
  void finish(active_call& c) {
    const int64_t end = c.truth.callend();
    if (!pending_.empty() && pending_.front().callend < end) flush_finished();
    pending_.push_back({end, c.truth.calldate(), call_id(*c.plan),
                        c.truth.to_json(*c.plan, o_).dump()});
    ++sum_.calls;
    call_plan* p = c.plan;
    calls_.erase(p->n);
    p->sip = {};  // release the plan's memory; it is not needed again
    p->rtp = {};
  }

  void flush_finished() {
    std::sort(pending_.begin(), pending_.end(), [](const finished& a, const finished& b) {
      return std::tie(a.callend, a.calldate, a.callid) < std::tie(b.callend, b.calldate, b.callid);
    });
    for (const auto& f : pending_) truth_ << f.line << '\n';
    pending_.clear();
  }

  const gen_options& o_;
  capture_writer& out_;
  std::ofstream& truth_;
  gen_summary& sum_;
  frame_builder frames_;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap_;
  std::unordered_map<uint32_t, active_call> calls_;
  std::vector<finished> pending_;
  std::vector<uint8_t> buf_;
};

}  // namespace

bool generate(const gen_options& o, gen_summary& sum) {
  std::vector<call_plan> plans = plan_calls(o);
  capture_writer out(o.output, frame_builder(o).dlt(), o.quantum_ns == 1, o.pcapng);
  if (!out.ok()) {
    std::fprintf(stderr, "voxmon-gen: cannot write %s\n", o.output.c_str());
    return false;
  }
  std::ofstream truth(o.truth, std::ios::out | std::ios::trunc);
  if (!truth) {
    std::fprintf(stderr, "voxmon-gen: cannot write %s\n", o.truth.c_str());
    return false;
  }
  generator g(o, out, truth, sum);
  g.run(plans);
  truth.flush();
  if (!truth || !out.close()) {
    std::fprintf(stderr, "voxmon-gen: write error on %s or %s\n", o.output.c_str(), o.truth.c_str());
    return false;
  }
  return true;
}

}  // namespace voxmon::gen
