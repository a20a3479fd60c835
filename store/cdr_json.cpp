#include "store/cdr_json.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace voxmon::store {
namespace {

using json = nlohmann::ordered_json;
using core::cdr;
using core::timestamp_ns;

double round3(double x) { return std::round(x * 1000.0) / 1000.0; }

json seconds_or_null(timestamp_ns from, const std::optional<timestamp_ns>& to) {
  if (!to)
    return nullptr;
  return core::seconds_between(from, *to);
}

json seconds_from_or_null(const std::optional<timestamp_ns>& from, timestamp_ns to) {
  if (!from)
    return nullptr;
  return core::seconds_between(*from, to);
}

json payload_or_null(int payload) {
  if (payload < 0)
    return nullptr;
  return payload;
}

json whohanged(const std::optional<core::party>& p) {
  if (!p)
    return nullptr;
  return *p == core::party::caller ? "caller" : "callee";
}

double round2(double x) { return std::round(x * 100.0) / 100.0; }

json mos_or_null(const core::buffer_quality& b, bool min) {
  if (b.intervals == 0)
    return nullptr;
  return round2(min ? b.mos_min : b.mos_avg);
}

json opt_num(const std::optional<double>& v, int decimals) {
  if (!v)
    return nullptr;
  return decimals == 2 ? round2(*v) : round3(*v);
}

constexpr const char* buffer_names[core::jb_count] = {"mos_f1", "mos_f2", "mos_adapt"};
constexpr const char* delay_names[7] = {"d50", "d70", "d90", "d120", "d150", "d200", "d300"};

// Quality keys of one stream (or direction, with `prefix` "a_"/"b_"), appended in a fixed order.
void add_quality(json& o, const std::string& prefix, const core::cdr_rtp_stream* s) {
  for (size_t b = 0; b < core::jb_count; ++b) {
    o[prefix + buffer_names[b]] = s ? mos_or_null(s->quality.jb[b], false) : json(nullptr);
    o[prefix + buffer_names[b] + "_min"] = s ? mos_or_null(s->quality.jb[b], true) : json(nullptr);
  }
  o[prefix + "packet_loss_perc"] = s ? json(round3(s->quality.packet_loss_perc)) : json(nullptr);
  for (size_t i = 0; i < 10; ++i)
    o[prefix + "sl" + std::to_string(i + 1)] = s ? s->quality.sl[i] : 0;
  for (size_t i = 0; i < 7; ++i)
    o[prefix + delay_names[i]] = s ? s->quality.delay[i] : 0;
  o[prefix + "reordered"] = s ? s->quality.reordered : 0;
  o[prefix + "duplicates"] = s ? s->quality.duplicates : 0;
  o[prefix + "codec"] = s && !s->codec.empty() ? json(s->codec) : json(nullptr);
  o[prefix + "ptime"] = s && s->quality.ptime_ms ? json(s->quality.ptime_ms) : json(nullptr);
  o[prefix + "cn"] = s ? s->quality.comfort_noise : false;
  o[prefix + "srtp"] = s ? s->srtp : false;
}

json rtcp_json(const std::optional<core::cdr_rtcp>& r) {
  if (!r)
    return nullptr;
  json o;
  o["reports"] = r->reports;
  o["loss"] = r->loss;
  o["maxfr"] = round3(r->max_fraction_lost * 100.0 / 256.0);
  o["avgfr"] = round3(r->avg_fraction_lost * 100.0 / 256.0);
  o["maxjitter"] = round3(r->max_jitter_ms);
  o["avgjitter"] = round3(r->avg_jitter_ms);
  o["rtt"] = r->rtt_count ? json(round3(r->avg_rtt_ms)) : json(nullptr);
  o["maxrtt"] = r->rtt_count ? json(round3(r->max_rtt_ms)) : json(nullptr);
  o["xr_mos_lq"] = opt_num(r->xr_mos_lq, 2);
  o["xr_mos_cq"] = opt_num(r->xr_mos_cq, 2);
  o["xr_r_factor"] = r->xr_r_factor ? json(*r->xr_r_factor) : json(nullptr);
  return o;
}

// a_rtcp_*: what the caller's RTCP reported, i.e. about the stream it received (the callee's
// main stream), as VoIPmonitor stores it.
void add_rtcp_direction(json& o, const std::string& prefix, const core::cdr_rtp_stream* received) {
  const core::cdr_rtcp* r = received && received->rtcp ? &*received->rtcp : nullptr;
  o[prefix + "rtcp_loss"] = r ? json(r->loss) : json(nullptr);
  o[prefix + "rtcp_maxfr"] = r ? json(round3(r->max_fraction_lost * 100.0 / 256.0)) : json(nullptr);
  o[prefix + "rtcp_avgfr"] = r ? json(round3(r->avg_fraction_lost * 100.0 / 256.0)) : json(nullptr);
  o[prefix + "rtcp_maxjitter"] = r ? json(round3(r->max_jitter_ms)) : json(nullptr);
  o[prefix + "rtcp_avgjitter"] = r ? json(round3(r->avg_jitter_ms)) : json(nullptr);
  o[prefix + "rtcp_rtt"] = r && r->rtt_count ? json(round3(r->avg_rtt_ms)) : json(nullptr);
}

json dtmf_json(const core::cdr& c) {
  json a = json::array();
  for (const auto& d : c.dtmf) {
    json o;
    o["digit"] = std::string(1, d.digit);
    o["time"] = core::seconds_between(c.calldate, d.time);
    o["duration"] = d.duration_ms ? json(round3(*d.duration_ms)) : json(nullptr);
    o["type"] = d.type == 0 ? "sip_info" : "rfc2833";
    o["sender"] = d.sender ? json(*d.sender == core::party::caller ? "caller" : "callee")
                           : json(nullptr);
    a.push_back(std::move(o));
  }
  return a;
}

// The per-10-s series (docs/CDR.md "intervals"): MOS 2 decimals, jitter 3 decimals.
json intervals_json(const std::vector<core::quality_interval>& v) {
  json a = json::array();
  for (const auto& i : v) {
    json o;
    o["t"] = i.index;
    o["mos_f1"] = round2(i.mos_f1);
    o["mos_adapt"] = round2(i.mos_adapt);
    o["expected"] = i.expected;
    o["lost"] = i.lost;
    o["jitter"] = round3(i.jitter_ms);
    a.push_back(std::move(o));
  }
  return a;
}

json stream_json(const core::cdr_rtp_stream& s) {
  json o;
  o["saddr"] = s.src.addr.to_string();
  o["sport"] = s.src.port;
  o["daddr"] = s.dst.addr.to_string();
  o["dport"] = s.dst.port;
  o["ssrc"] = s.ssrc;
  o["payload"] = payload_or_null(s.payload);
  o["received"] = s.received;
  o["loss"] = s.lost;
  o["avgjitter"] = round3(s.avgjitter_ms);
  o["maxjitter"] = round3(s.maxjitter_ms);
  add_quality(o, "", &s);
  // Frames that arrived but too late for each buffer (lost for it, not for the network).
  o["f1_late"] = s.quality.jb[0].late;
  o["f2_late"] = s.quality.jb[1].late;
  o["adapt_late"] = s.quality.jb[2].late;
  o["rtcp"] = rtcp_json(s.rtcp);
  o["intervals"] = intervals_json(s.quality.intervals);
  return o;
}

}  // namespace

std::string intervals_json_text(const std::vector<core::quality_interval>& intervals) {
  return intervals_json(intervals).dump();
}

std::string cdr_to_json_line(const cdr& c) {
  const auto a = core::summarize_direction(c, core::party::caller);
  const auto b = core::summarize_direction(c, core::party::callee);

  json o;
  o["callid"] = c.callid;
  o["calldate"] = core::format_utc(c.calldate);
  o["callend"] = core::format_utc(c.callend);
  o["duration"] = core::seconds_between(c.calldate, c.callend);
  o["connect_duration"] = seconds_from_or_null(c.connect_time, c.callend);
  o["progress_time"] = seconds_or_null(c.calldate, c.progress_time);
  o["first_rtp_time"] = seconds_or_null(c.calldate, c.first_rtp_time);
  o["caller"] = c.caller;
  o["callername"] = c.callername;
  o["caller_domain"] = c.caller_domain;
  o["called"] = c.called;
  o["called_domain"] = c.called_domain;
  o["sipcallerip"] = c.sipcaller.addr.to_string();
  o["sipcallerport"] = c.sipcaller.port;
  o["sipcalledip"] = c.sipcalled.addr.to_string();
  o["sipcalledport"] = c.sipcalled.port;
  o["lastSIPresponseNum"] = c.last_sip_response_num;
  o["lastSIPresponse"] = c.last_sip_response;
  o["bye"] = static_cast<int>(c.bye);
  o["whohanged"] = whohanged(c.whohanged);
  o["a_ua"] = c.a_ua;
  o["b_ua"] = c.b_ua;
  o["id_sensor"] = c.id_sensor;
  o["vlan"] = c.vlan ? json(*c.vlan) : json(nullptr);
  o["a_payload"] = a.present ? payload_or_null(a.payload) : json(nullptr);
  o["b_payload"] = b.present ? payload_or_null(b.payload) : json(nullptr);
  o["a_received"] = a.present ? a.received : 0;
  o["b_received"] = b.present ? b.received : 0;
  o["a_lost"] = a.present ? a.lost : 0;
  o["b_lost"] = b.present ? b.lost : 0;
  o["a_avgjitter"] = a.present ? json(round3(a.avgjitter_ms)) : json(nullptr);
  o["b_avgjitter"] = b.present ? json(round3(b.avgjitter_ms)) : json(nullptr);
  o["a_maxjitter"] = a.present ? json(round3(a.maxjitter_ms)) : json(nullptr);
  o["b_maxjitter"] = b.present ? json(round3(b.maxjitter_ms)) : json(nullptr);
  json rtp = json::array();
  for (const auto& s : c.rtp)
    rtp.push_back(stream_json(s));
  o["rtp"] = std::move(rtp);
  // Voice quality (docs/QUALITY.md), after the original keys.
  add_quality(o, "a_", a.stream);
  add_quality(o, "b_", b.stream);
  const auto mos_min = core::call_mos_min(c);
  o["mos_min"] = mos_min ? json(round2(*mos_min)) : json(nullptr);
  add_rtcp_direction(o, "a_", b.stream);
  add_rtcp_direction(o, "b_", a.stream);
  o["dtmf"] = dtmf_json(c);
  o["capture_loss"] = c.capture_loss;
  o["capture_dropped"] = c.capture_dropped;
  o["sighup"] = c.sighup;
  o["fbasename"] = c.fbasename;

  // SIP text can hold any bytes: invalid UTF-8 becomes U+FFFD instead of throwing.
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace voxmon::store
