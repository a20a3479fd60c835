#include "tools/gen/pcap_output.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "tools/gen/call_plan.hpp"
#include "tools/gen/frame_builder.hpp"
#include "tools/gen/rtp_builder.hpp"
#include "tools/gen/sip_builder.hpp"
#include "tools/gen/truth.hpp"

namespace voxmon::gen {
namespace {

class pcap_file {
 public:
  pcap_file(int dlt, bool nano, const std::string& path) : nano_(nano) {
    pcap_ = pcap_open_dead_with_tstamp_precision(
        dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (pcap_) dumper_ = pcap_dump_open(pcap_, path.c_str());
    if (pcap_ && !dumper_) error_ = pcap_geterr(pcap_);
  }
  ~pcap_file() {
    if (dumper_) pcap_dump_close(dumper_);
    if (pcap_) pcap_close(pcap_);
  }
  pcap_file(const pcap_file&) = delete;
  pcap_file& operator=(const pcap_file&) = delete;
  bool ok() const { return dumper_ != nullptr; }
  const std::string& error() const { return error_; }
  void write(int64_t t, const std::vector<uint8_t>& frame) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(t / ns_per_s);
    // With nanosecond precision libpcap stores tv_usec as nanoseconds.
    h.ts.tv_usec = static_cast<suseconds_t>((t % ns_per_s) / (nano_ ? 1 : 1000));
    h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, frame.data());
  }
  bool flush() {
    return dumper_ && pcap_dump_flush(dumper_) == 0 && !std::ferror(pcap_dump_file(dumper_));
  }

 private:
  bool nano_;
  pcap_t* pcap_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  std::string error_;
};

enum source : uint8_t { src_sip = 0, src_rtp_a = 1, src_rtp_b = 2 };

struct active_call {
  call_plan* plan = nullptr;
  size_t sip_pos = 0;
  std::optional<rtp_stream_gen> rtp[2];
  call_truth truth;
  int open = 0;  // sources with packets left
};

struct entry {
  int64_t t;
  uint32_t n;
  uint8_t src;
  uint32_t k;  // RTP packet index
  bool operator>(const entry& o) const { return std::tie(t, n, src) > std::tie(o.t, o.n, o.src); }
};

struct finished {
  int64_t callend, calldate;
  std::string callid, line;
};

class generator {
 public:
  generator(const gen_options& o, pcap_file& pcap, std::ofstream& truth, gen_summary& sum)
      : o_(o), pcap_(pcap), truth_(truth), sum_(sum), frames_(o) {}

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
    heap_.push({p.sip.front().t, p.n, src_sip, 0});
    c.open = 1;
    for (int d = 0; d < 2; ++d) {
      if (!p.rtp[d].present) continue;
      c.rtp[d].emplace(p.rtp[d], o_);
      push_rtp(c, d);
    }
    sum_.max_active = std::max<uint64_t>(sum_.max_active, calls_.size());
  }

  void push_rtp(active_call& c, int d) {
    rtp_arrival a;
    if (c.rtp[d]->peek(a)) {
      heap_.push({a.t, c.plan->n, static_cast<uint8_t>(src_rtp_a + d), a.k});
      ++c.open;
    }
  }

  void emit(const entry& e) {
    active_call& c = calls_.at(e.n);
    const call_plan& p = *c.plan;
    const bool v6 = o_.ipv6;
    --c.open;
    if (e.src == src_sip) {
      const sip_event& ev = p.sip[c.sip_pos++];
      const std::string text = build_sip(p, ev, v6);
      const ip_addr a = caller_ip(p.n, v6), b = callee_ip(p.n, v6);
      write(e.t, frames_.udp(ev.from_caller ? a : b, sip_port, ev.from_caller ? b : a, sip_port,
                             reinterpret_cast<const uint8_t*>(text.data()), text.size(), true));
      c.truth.on_sip(p, ev, e.t);
      if (c.sip_pos < p.sip.size()) {
        heap_.push({p.sip[c.sip_pos].t, p.n, src_sip, 0});
        ++c.open;
      }
    } else {
      const int d = e.src - src_rtp_a;
      c.rtp[d]->pop();
      build_rtp(p.rtp[d], codec_table[p.codec], e.k, rtp_buf_);
      ip_addr src = caller_ip(p.n, v6), dst = callee_ip(p.n, v6);
      uint16_t sport = caller_rtp_port(p.n), dport = callee_rtp_port(p.n);
      if (d == 1) std::swap(src, dst), std::swap(sport, dport);
      write(e.t, frames_.udp(src, sport, dst, dport, rtp_buf_.data(), rtp_buf_.size(), true));
      c.truth.on_rtp(p, d, e.k, e.t);
      push_rtp(c, d);
    }
    if (c.open == 0) finish(c);
  }

  void write(int64_t t, std::span<const std::vector<uint8_t>> frames) {
    for (const auto& f : frames) {
      pcap_.write(t, f);
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
  }

  void flush_finished() {
    std::sort(pending_.begin(), pending_.end(), [](const finished& a, const finished& b) {
      return std::tie(a.callend, a.calldate, a.callid) < std::tie(b.callend, b.calldate, b.callid);
    });
    for (const auto& f : pending_) truth_ << f.line << '\n';
    pending_.clear();
  }

  const gen_options& o_;
  pcap_file& pcap_;
  std::ofstream& truth_;
  gen_summary& sum_;
  frame_builder frames_;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap_;
  std::unordered_map<uint32_t, active_call> calls_;
  std::vector<finished> pending_;
  std::vector<uint8_t> rtp_buf_;
};

}  // namespace

bool generate(const gen_options& o, gen_summary& sum) {
  std::vector<call_plan> plans = plan_calls(o);
  pcap_file pcap(frame_builder(o).dlt(), o.quantum_ns == 1, o.output);
  if (!pcap.ok()) {
    std::fprintf(stderr, "voxmon-gen: cannot write %s: %s\n", o.output.c_str(), pcap.error().c_str());
    return false;
  }
  std::ofstream truth(o.truth, std::ios::out | std::ios::trunc);
  if (!truth) {
    std::fprintf(stderr, "voxmon-gen: cannot write %s\n", o.truth.c_str());
    return false;
  }
  generator g(o, pcap, truth, sum);
  g.run(plans);
  truth.flush();
  if (!truth || !pcap.flush()) {
    std::fprintf(stderr, "voxmon-gen: write error on %s or %s\n", o.output.c_str(), o.truth.c_str());
    return false;
  }
  return true;
}

}  // namespace voxmon::gen
