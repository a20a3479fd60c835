#include "tools/gen/truth.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "tools/gen/rtp_builder.hpp"
#include "tools/gen/sip_builder.hpp"

namespace voxmon::gen {
namespace {

double round3(double x) { return std::round(x * 1000.0) / 1000.0; }

nlohmann::ordered_json seconds_or_null(int64_t from, int64_t to) {
  if (to < 0) return nullptr;
  return seconds_between(from, to);
}

}  // namespace

std::string format_utc(int64_t ns) {
  const int64_t sec = ns / ns_per_s;
  const int64_t ms = (ns % ns_per_s) / ns_per_ms;
  const auto tt = static_cast<time_t>(sec);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char b[64];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return b;
}

double seconds_between(int64_t from_ns, int64_t to_ns) {
  const int64_t d = to_ns - from_ns;  // never negative here
  const int64_t ms = (d + ns_per_ms / 2) / ns_per_ms;
  return static_cast<double>(ms) / 1000.0;
}

void rtp_truth::add(int64_t seq, int64_t ts, uint8_t pt, bool marker, uint32_t clock,
                    int64_t arrival) {
  // Duplicates and reordering, before max_seq_ moves.
  auto seen = [&](int64_t s) { return seen_[static_cast<size_t>(s % seen_window)]; };
  if (received_ > 0 && seq <= max_seq_ && max_seq_ - seq < seen_window && seen(seq)) {
    ++duplicates_;
  } else {
    if (received_ > 0 && seq < max_seq_)
      ++reordered_;
    if (received_ > 0 && seq > max_seq_)
      while (seq - next_final_ >= burst_lag) decide_next();  // before their bits are reused
    if (received_ > 0 && seq < next_final_ && !decided_ && max_seq_ - seq < burst_lag)
      next_final_ = seq;  // overtook the stream's first arrival: the stream starts here
    for (int64_t s = received_ ? max_seq_ + 1 : seq; s < seq; ++s)
      seen_[static_cast<size_t>(s % seen_window)] = false;  // not arrived (yet)
    if (received_ == 0 || seq > max_seq_ || max_seq_ - seq < seen_window)
      seen_[static_cast<size_t>(seq % seen_window)] = true;
  }
  if (received_ == 0) {
    next_final_ = seq;
    first_seq_ = max_seq_ = seq;
    first_ts_ = ts;
    first_arrival_ = ref_arrival_ = arrival;
    last_pt_ = first_pt_ = pt;
    received_ = 1;
    return;
  }
  max_seq_ = std::max(max_seq_, seq);
  const int64_t rel = ts - first_ts_;
  const bool in_time = rel >= 0;  // timestamp not behind the first arrival's
  const bool cn_now = pt == 13 || pt == 19, cn_before = last_pt_ == 13 || last_pt_ == 19;
  const bool regular = !marker && !cn_now && !cn_before && in_time;
  last_pt_ = pt;
  const uint32_t ticks_per_ms = clock / 1000;
  if (in_time && ticks_per_ms != 0) {
    // D = |(R_i - R_ref) - (S_i - S_ref)| in ms; S from the RTP timestamps, R capture times.
    const double nominal_ms = static_cast<double>(rel) / ticks_per_ms;
    const double arrival_ms = static_cast<double>(arrival - ref_arrival_) / 1e6;
    jitter_ms_ = (15.0 * jitter_ms_ + std::fabs(arrival_ms - (nominal_ms - last_nominal_ms_))) / 16.0;
    last_nominal_ms_ = nominal_ms;
    if (regular) {
      jitter_max_ms_ = std::max(jitter_max_ms_, jitter_ms_);
      const double n = static_cast<double>(received_);
      jitter_mean_ms_ = (jitter_mean_ms_ * (n - 1.0) + jitter_ms_) / n;
    }
  }
  if (in_time) ref_arrival_ = arrival;
  ++received_;
}

void rtp_truth::decide_next() {
  const int64_t s = next_final_++;
  decided_ = true;
  if (s > max_seq_ || !seen_[static_cast<size_t>(s % seen_window)]) {
    ++run_;
  } else if (run_ > 0) {
    ++sl_[std::min<uint32_t>(run_, 10) - 1];
    run_ = 0;
  }
}

std::array<uint64_t, 10> rtp_truth::loss_bursts() const {
  if (received_ == 0) return {};
  rtp_truth rest = *this;
  while (rest.next_final_ <= rest.max_seq_) rest.decide_next();
  // The highest number arrived, so every run has ended; nothing is left in run_.
  return rest.sl_;
}

void rtp_truth::add_event(int64_t ts, uint8_t event, bool end, uint16_t duration, int64_t arrival) {
  auto it = std::find_if(events_.begin(), events_.end(), [&](const dtmf_event& e) { return e.ts == ts; });
  if (it == events_.end()) {
    for (auto& e : events_)  // the previous event ended without an end packet
      if (!e.reported) e.reported = true, e.rank = reported_++;
    events_.push_back({ts, arrival, event, 0, false, 0});
    it = events_.end() - 1;
  } else if (it->reported) {
    return;  // a retransmitted end packet (or a straggler) of an event already reported
  }
  it->duration = std::max(it->duration, duration);
  if (end) it->reported = true, it->rank = reported_++;
}

std::vector<rtp_truth::dtmf_event> rtp_truth::dtmf_events() const {
  std::vector<dtmf_event> v = events_;
  uint64_t r = reported_;
  for (auto& e : v)
    if (!e.reported) e.reported = true, e.rank = r++;
  std::sort(v.begin(), v.end(), [](const dtmf_event& a, const dtmf_event& b) { return a.rank < b.rank; });
  return v;
}

int64_t rtp_truth::lost() const {
  if (received_ == 0) return 0;
  return (max_seq_ - first_seq_ + 1) - static_cast<int64_t>(received_);
}

void call_truth::on_sip(const call_plan& p, const sip_event& e, int64_t t) {
  if (!any_) calldate_ = t;
  any_ = true;
  last_ = std::max(last_, t);
  if (e.from_caller)
    a_ua_ = true;  // every request and response of the caller carries its agent name
  else
    b_ua_ = true;  // every callee message carries Server or User-Agent
  switch (e.kind) {
    case sip_kind::ringing:
      if (progress_ < 0) progress_ = t;
      break;
    case sip_kind::moved:
      final_code_ = 302;
      break;
    case sip_kind::ok_invite:
      if (progress_ < 0) progress_ = t;
      if (connect_ < 0) connect_ = t;
      final_code_ = 200;
      bye_ = std::max(bye_, 1);
      break;
    case sip_kind::final_error:
      final_code_ = p.final_code;
      break;
    case sip_kind::bye:
      whohanged_ = e.from_caller ? 0 : 1;
      bye_ = std::max(bye_, 2);
      break;
    case sip_kind::ok_bye:
      if (bye_ == 2) bye_ = 3;
      break;
    default:
      break;
  }
}

void call_truth::on_rtp(const call_plan& p, size_t plan, const slot_packet& sp, int64_t t) {
  if (first_rtp_ < 0) first_rtp_ = t;
  last_ = std::max(last_, t);
  if (rtp_.size() < 2 * p.rtp.size()) rtp_.resize(2 * p.rtp.size());
  rtp_truth& s = rtp_[2 * plan + sp.part];
  if (s.received() == 0) s.order = arrivals_;
  ++arrivals_;
  s.add(sp.seq, sp.ts, sp.pt, sp.marker, clock_of(codec_table[p.codec], sp.pt), t);
  if (sp.pt == pt_dtmf) s.add_event(sp.ts, p.rtp[plan].digit, sp.dtmf_end, sp.dtmf_duration, t);
}

void call_truth::on_rtcp(int64_t t, uint32_t sender_ssrc, uint32_t ntp_middle, const rtcp_block* b) {
  last_ = std::max(last_, t);
  if (b) {
    auto it = std::find_if(rtcp_.begin(), rtcp_.end(), [&](const auto& x) { return x.first == b->ssrc; });
    if (it == rtcp_.end()) it = rtcp_.insert(rtcp_.end(), {b->ssrc, rtcp_about{}});
    rtcp_about& a = it->second;
    ++a.reports;
    a.cumulative = b->cumulative;
    a.max_fraction = std::max(a.max_fraction, b->fraction);
    a.fraction_sum += b->fraction;
    a.max_jitter = std::max(a.max_jitter, b->jitter);
    a.jitter_sum += b->jitter;
    // The round trip the monitor sees: the reported-on SR passed at sr.t, the receiver held it
    // DLSR (which the generator truncated to 1/65536 s), this report passes at t.
    if (b->lsr != 0) {
      for (auto sr = srs_.rbegin(); sr != srs_.rend(); ++sr) {
        if (sr->ssrc != b->ssrc || sr->ntp_middle != b->lsr) continue;
        const double rtt = static_cast<double>(t - sr->t) / 1e6 - static_cast<double>(b->dlsr) * 1000.0 / 65536.0;
        const double v = std::max(rtt, 0.0);
        ++a.rtt_count;
        a.rtt_sum_ms += v;
        a.rtt_max_ms = std::max(a.rtt_max_ms, v);
        break;
      }
    }
  }
  srs_.push_back({sender_ssrc, ntp_middle, t});
}

const call_truth::rtcp_about* call_truth::rtcp_about_ssrc(uint32_t ssrc) const {
  for (const auto& [s, a] : rtcp_)
    if (s == ssrc) return &a;
  return nullptr;
}

const rtp_truth* call_truth::stream(size_t plan, int part) const {
  const size_t i = 2 * plan + static_cast<size_t>(part);
  return i < rtp_.size() && rtp_[i].received() ? &rtp_[i] : nullptr;
}

nlohmann::ordered_json call_truth::to_json(const call_plan& p, const gen_options& o) const {
  using json = nlohmann::ordered_json;
  const int code = final_code_;  // final response to the INVITE; 0 when none was seen
  json j;
  j["callid"] = call_id(p);
  j["calldate"] = format_utc(calldate_);
  j["callend"] = format_utc(last_);
  j["duration"] = seconds_between(calldate_, last_);
  j["connect_duration"] = connect_ < 0 ? json(nullptr) : json(seconds_between(connect_, last_));
  j["progress_time"] = seconds_or_null(calldate_, progress_);
  j["first_rtp_time"] = seconds_or_null(calldate_, first_rtp_);
  j["caller"] = caller_number(p.n);
  j["callername"] = caller_display_name(p);
  j["caller_domain"] = caller_domain;
  j["called"] = callee_number(p.n);
  j["called_domain"] = callee_domain;
  j["sipcallerip"] = to_string(caller_ip(p.n, o.ipv6));
  j["sipcallerport"] = caller_sip_port(p.n, o);
  j["sipcalledip"] = to_string(answer_ip(p, o.ipv6));
  j["sipcalledport"] = sip_port;
  j["lastSIPresponseNum"] = code;
  j["lastSIPresponse"] = code ? std::to_string(code) + " " + reason_phrase(code) : std::string();
  j["bye"] = bye_;
  j["whohanged"] = whohanged_ < 0 ? json(nullptr) : json(whohanged_ == 0 ? "caller" : "callee");
  j["a_ua"] = a_ua_ ? caller_agent : "";
  j["b_ua"] = b_ua_ ? callee_agent : "";
  j["id_sensor"] = o.id_sensor;
  j["vlan"] = o.vlan ? json(*o.vlan) : json(nullptr);
  // Streams in order of their first packet; per direction the main one has the most packets.
  std::vector<size_t> order;
  for (size_t i = 0; i < rtp_.size(); ++i)
    if (rtp_[i].received()) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return rtp_[x].order < rtp_[y].order; });
  const char* side[2] = {"a_", "b_"};
  std::array<const rtp_truth*, 2> main{nullptr, nullptr};
  for (size_t i : order) {
    const rtp_truth*& m = main[p.rtp[i / 2].dir];
    if (!m || rtp_[i].received() > m->received()) m = &rtp_[i];
  }
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "payload"] = main[d] ? json(main[d]->first_pt()) : json(nullptr);
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "received"] = main[d] ? main[d]->received() : 0;
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "lost"] = main[d] ? main[d]->lost() : 0;
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "avgjitter"] = main[d] ? json(round3(main[d]->avg_jitter_ms())) : json(nullptr);
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "maxjitter"] = main[d] ? json(round3(main[d]->max_jitter_ms())) : json(nullptr);
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "reordered"] = main[d] ? main[d]->reordered() : 0;
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "duplicates"] = main[d] ? main[d]->duplicates() : 0;
  for (int d = 0; d < 2; ++d) {
    const auto sl = main[d] ? main[d]->loss_bursts() : std::array<uint64_t, 10>{};
    for (size_t b = 0; b < sl.size(); ++b) j[std::string(side[d]) + "sl" + std::to_string(b + 1)] = sl[b];
  }
  // RTCP, as voxmon reports it: a_rtcp_* is what the caller reported, i.e. about the callee's
  // main stream (by its SSRC); jitter in ms of the codec clock, fraction lost in % of 256.
  const double per_ms = codec_table[p.codec].clock / 1000.0;
  auto ssrc_of = [&](size_t i) { return i % 2 ? p.rtp[i / 2].ssrc2 : p.rtp[i / 2].ssrc; };
  auto rtcp_of = [&](const rtp_truth* t) -> const rtcp_about* {
    for (size_t i = 0; i < rtp_.size(); ++i)
      if (t == &rtp_[i]) return rtcp_about_ssrc(ssrc_of(i));
    return nullptr;
  };
  for (int d = 0; d < 2; ++d) {
    const rtcp_about* r = rtcp_of(main[1 - d]);
    const std::string pre = std::string(side[d]) + "rtcp_";
    j[pre + "loss"] = r ? json(r->cumulative) : json(nullptr);
    j[pre + "maxfr"] = r ? json(round3(r->max_fraction * 100.0 / 256.0)) : json(nullptr);
    j[pre + "avgfr"] = r ? json(round3(r->fraction_sum / r->reports * 100.0 / 256.0)) : json(nullptr);
    j[pre + "maxjitter"] = r ? json(round3(r->max_jitter / per_ms)) : json(nullptr);
    j[pre + "avgjitter"] = r ? json(round3(r->jitter_sum / r->reports / per_ms)) : json(nullptr);
    j[pre + "rtt"] = r && r->rtt_count ? json(round3(r->rtt_sum_ms / r->rtt_count)) : json(nullptr);
  }
  // DTMF: every reported telephone-event of every stream, by start time (then report order).
  struct digit_at {
    int64_t start;
    size_t stream;
    uint64_t rank;
    json j;
  };
  std::vector<digit_at> digits;
  static constexpr char event_digit[] = "0123456789*#ABCD";
  for (size_t i : order)
    for (const auto& e : rtp_[i].dtmf_events()) {
      json x;
      x["digit"] = std::string(1, e.event < 16 ? event_digit[e.event] : 'F');
      x["time"] = seconds_between(calldate_, e.start);
      x["duration"] = round3(e.duration * 1000.0 / 8000.0);  // telephone-event/8000
      x["type"] = "rfc2833";
      x["sender"] = p.rtp[i / 2].dir == 0 ? "caller" : "callee";
      digits.push_back({e.start, i, e.rank, std::move(x)});
    }
  std::stable_sort(digits.begin(), digits.end(), [](const digit_at& a, const digit_at& b) { return a.start < b.start; });
  j["dtmf"] = json::array();
  for (auto& d : digits) j["dtmf"].push_back(std::move(d.j));

  json streams = json::array();
  for (size_t i : order) {
    const rtp_plan& sp = p.rtp[i / 2];
    const rtp_truth& t = rtp_[i];
    json s;
    s["saddr"] = to_string(sp.src);
    s["sport"] = sp.sport;
    s["daddr"] = to_string(sp.dst);
    s["dport"] = sp.dport;
    s["ssrc"] = i % 2 ? sp.ssrc2 : sp.ssrc;
    s["payload"] = t.first_pt();
    s["received"] = t.received();
    s["loss"] = t.lost();
    s["avgjitter"] = round3(t.avg_jitter_ms());
    s["maxjitter"] = round3(t.max_jitter_ms());
    s["reordered"] = t.reordered();
    s["duplicates"] = t.duplicates();
    const auto sl = t.loss_bursts();
    for (size_t b = 0; b < sl.size(); ++b) s["sl" + std::to_string(b + 1)] = sl[b];
    if (const rtcp_about* r = rtcp_about_ssrc(ssrc_of(i))) {
      json x;
      x["reports"] = r->reports;
      x["loss"] = r->cumulative;
      x["maxfr"] = round3(r->max_fraction * 100.0 / 256.0);
      x["avgfr"] = round3(r->fraction_sum / r->reports * 100.0 / 256.0);
      x["maxjitter"] = round3(r->max_jitter / per_ms);
      x["avgjitter"] = round3(r->jitter_sum / r->reports / per_ms);
      x["rtt"] = r->rtt_count ? json(round3(r->rtt_sum_ms / r->rtt_count)) : json(nullptr);
      x["maxrtt"] = r->rtt_count ? json(round3(r->rtt_max_ms)) : json(nullptr);
      x["xr_mos_lq"] = nullptr;  // the generator writes no RTCP XR
      x["xr_mos_cq"] = nullptr;
      x["xr_r_factor"] = nullptr;
      s["rtcp"] = std::move(x);
    } else {
      s["rtcp"] = nullptr;
    }
    streams.push_back(std::move(s));
  }
  j["rtp"] = std::move(streams);
  return j;
}

}  // namespace voxmon::gen
