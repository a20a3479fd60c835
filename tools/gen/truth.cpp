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

void rtp_truth::add(uint32_t k, int64_t arrival) {
  if (received_ == 0) {
    first_k_ = max_k_ = ref_k_ = k;
    first_arrival_ = ref_arrival_ = arrival;
    received_ = 1;
    return;
  }
  max_k_ = std::max(max_k_, k);
  if (k >= first_k_) {
    // D = |(R_i - R_ref) - (S_i - S_ref)| in ms, against the previous packet in time order.
    // Packet k carries RTP timestamp first + k * samples per packet: k * ptime of media time.
    const double r = static_cast<double>(arrival - ref_arrival_) / 1e6;
    const double s = (static_cast<double>(k) - static_cast<double>(ref_k_)) *
                     (static_cast<double>(ptime_ns) / 1e6);
    jitter_ms_ = (15.0 * jitter_ms_ + std::fabs(r - s)) / 16.0;
    jitter_max_ms_ = std::max(jitter_max_ms_, jitter_ms_);
    const double n = static_cast<double>(received_);
    jitter_mean_ms_ = (jitter_mean_ms_ * (n - 1.0) + jitter_ms_) / n;
    ref_arrival_ = arrival;
    ref_k_ = k;
  }
  ++received_;
}

int64_t rtp_truth::lost() const {
  if (received_ == 0) return 0;
  const int64_t expected = int64_t{max_k_} - int64_t{first_k_} + 1;
  return expected - static_cast<int64_t>(received_);
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

void call_truth::on_rtp(const call_plan&, int dir, uint32_t k, int64_t t) {
  if (first_rtp_ < 0) first_rtp_ = t;
  last_ = std::max(last_, t);
  rtp_[dir].add(k, t);
}

nlohmann::ordered_json call_truth::to_json(const call_plan& p, const gen_options& o) const {
  using json = nlohmann::ordered_json;
  const codec_info& c = codec_table[p.codec];
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
  j["sipcallerport"] = sip_port;
  j["sipcalledip"] = to_string(callee_ip(p.n, o.ipv6));
  j["sipcalledport"] = sip_port;
  j["lastSIPresponseNum"] = code;
  j["lastSIPresponse"] = code ? std::to_string(code) + " " + reason_phrase(code) : std::string();
  j["bye"] = bye_;
  j["whohanged"] = whohanged_ < 0 ? json(nullptr) : json(whohanged_ == 0 ? "caller" : "callee");
  j["a_ua"] = a_ua_ ? caller_agent : "";
  j["b_ua"] = b_ua_ ? callee_agent : "";
  j["id_sensor"] = o.id_sensor;
  j["vlan"] = o.vlan ? json(*o.vlan) : json(nullptr);
  const char* side[2] = {"a_", "b_"};
  auto present = [&](int d) { return rtp_[d].received() > 0; };
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "payload"] = present(d) ? json(c.pt) : json(nullptr);
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "received"] = rtp_[d].received();
  for (int d = 0; d < 2; ++d) j[std::string(side[d]) + "lost"] = rtp_[d].lost();
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "avgjitter"] =
        present(d) ? json(round3(rtp_[d].avg_jitter_ms())) : json(nullptr);
  for (int d = 0; d < 2; ++d)
    j[std::string(side[d]) + "maxjitter"] =
        present(d) ? json(round3(rtp_[d].max_jitter_ms())) : json(nullptr);

  json streams = json::array();
  std::array<int, 2> order{0, 1};
  if (present(0) && present(1) && rtp_[1].first_arrival() < rtp_[0].first_arrival())
    order = {1, 0};
  for (int d : order) {
    if (!present(d)) continue;
    const bool a = d == 0;
    json s;
    s["saddr"] = to_string(a ? caller_ip(p.n, o.ipv6) : callee_ip(p.n, o.ipv6));
    s["sport"] = a ? caller_rtp_port(p.n) : callee_rtp_port(p.n);
    s["daddr"] = to_string(a ? callee_ip(p.n, o.ipv6) : caller_ip(p.n, o.ipv6));
    s["dport"] = a ? callee_rtp_port(p.n) : caller_rtp_port(p.n);
    s["ssrc"] = p.rtp[d].ssrc;
    s["payload"] = c.pt;
    s["received"] = rtp_[d].received();
    s["loss"] = rtp_[d].lost();
    s["avgjitter"] = round3(rtp_[d].avg_jitter_ms());
    s["maxjitter"] = round3(rtp_[d].max_jitter_ms());
    streams.push_back(std::move(s));
  }
  j["rtp"] = std::move(streams);
  return j;
}

}  // namespace voxmon::gen
