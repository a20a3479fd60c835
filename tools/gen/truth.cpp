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
    for (int64_t s = received_ ? max_seq_ + 1 : seq; s < seq; ++s)
      seen_[static_cast<size_t>(s % seen_window)] = false;  // not arrived (yet)
    seen_[static_cast<size_t>(seq % seen_window)] = true;
  }
  if (received_ == 0) {
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
    streams.push_back(std::move(s));
  }
  j["rtp"] = std::move(streams);
  return j;
}

}  // namespace voxmon::gen
