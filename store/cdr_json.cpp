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
  return o;
}

}  // namespace

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

  // SIP text can hold any bytes: invalid UTF-8 becomes U+FFFD instead of throwing.
  return o.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace voxmon::store
