#include "store/cdr_decode.hpp"

#include <nlohmann/json.hpp>

namespace voxmon::store {
namespace {

using json = nlohmann::json;

json endpoint_json(const core::endpoint& e) {
  return json::array({json::binary_t(std::vector<uint8_t>(
                          e.addr.bytes.begin(), e.addr.bytes.begin() + (e.addr.is_v6 ? 16 : 4))),
                      e.port});
}

core::endpoint endpoint_of(const json& j) {
  core::endpoint e;
  const auto& b = j.at(0).get_binary();
  if (b.size() == 16)
    e.addr = core::ip_address::from_v6(b.data());
  else if (b.size() == 4)
    e.addr = core::ip_address::from_v4(b.data());
  else
    throw std::runtime_error("bad address length");
  e.port = j.at(1).get<uint16_t>();
  return e;
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T>
std::optional<T> opt_of(const json& j) {
  if (j.is_null())
    return std::nullopt;
  return j.get<T>();
}

json party_json(const std::optional<core::party>& p) {
  return p ? json(static_cast<int>(*p)) : json(nullptr);
}

std::optional<core::party> party_of(const json& j) {
  if (j.is_null())
    return std::nullopt;
  const int v = j.get<int>();
  if (v != 0 && v != 1)
    throw std::runtime_error("bad party");
  return static_cast<core::party>(v);
}

// Strings travel as MessagePack bin, so any byte sequence survives unchanged.
json bytes(const std::string& s) { return json::binary_t(std::vector<uint8_t>(s.begin(), s.end())); }
std::string text_of(const json& j) {
  const auto& b = j.get_binary();
  return std::string(b.begin(), b.end());
}

}  // namespace

std::string encode_cdr(const core::cdr& c) {
  json rtp = json::array();
  for (const auto& s : c.rtp)
    rtp.push_back(json::array({endpoint_json(s.src), endpoint_json(s.dst), s.ssrc, s.payload,
                               s.received, s.lost, s.avgjitter_ms, s.maxjitter_ms, s.first_ts,
                               s.last_ts, party_json(s.sender), bytes(s.codec)}));
  json dtmf = json::array();
  for (const auto& d : c.dtmf)
    dtmf.push_back(json::array({static_cast<int>(d.digit), d.time, opt(d.duration_ms), d.type,
                                party_json(d.sender), endpoint_json(d.src), endpoint_json(d.dst)}));
  json j = json::array({1,  // encoding version
                        bytes(c.callid), c.id_sensor, c.calldate, c.callend, opt(c.connect_time),
                        opt(c.progress_time), opt(c.first_rtp_time), bytes(c.caller),
                        bytes(c.callername), bytes(c.caller_domain), bytes(c.called),
                        bytes(c.called_domain), endpoint_json(c.sipcaller),
                        endpoint_json(c.sipcalled), c.last_sip_response_num,
                        bytes(c.last_sip_response), static_cast<int>(c.bye),
                        party_json(c.whohanged), bytes(c.a_ua), bytes(c.b_ua), opt(c.vlan),
                        std::move(rtp), bytes(c.fbasename), std::move(dtmf)});
  const auto v = json::to_msgpack(j);
  return std::string(v.begin(), v.end());
}

std::optional<core::cdr> decode_cdr(std::string_view data, std::string& error) {
  try {
    const json j = json::from_msgpack(data.begin(), data.end());
    if (!j.is_array() || j.size() != 25 || j.at(0).get<int>() != 1) {
      error = "not an encoded CDR (unknown layout)";
      return std::nullopt;
    }
    core::cdr c;
    size_t i = 1;
    c.callid = text_of(j.at(i++));
    c.id_sensor = j.at(i++).get<uint32_t>();
    c.calldate = j.at(i++).get<core::timestamp_ns>();
    c.callend = j.at(i++).get<core::timestamp_ns>();
    c.connect_time = opt_of<core::timestamp_ns>(j.at(i++));
    c.progress_time = opt_of<core::timestamp_ns>(j.at(i++));
    c.first_rtp_time = opt_of<core::timestamp_ns>(j.at(i++));
    c.caller = text_of(j.at(i++));
    c.callername = text_of(j.at(i++));
    c.caller_domain = text_of(j.at(i++));
    c.called = text_of(j.at(i++));
    c.called_domain = text_of(j.at(i++));
    c.sipcaller = endpoint_of(j.at(i++));
    c.sipcalled = endpoint_of(j.at(i++));
    c.last_sip_response_num = j.at(i++).get<int>();
    c.last_sip_response = text_of(j.at(i++));
    c.bye = static_cast<core::bye_code>(j.at(i++).get<int>());
    c.whohanged = party_of(j.at(i++));
    c.a_ua = text_of(j.at(i++));
    c.b_ua = text_of(j.at(i++));
    c.vlan = opt_of<uint16_t>(j.at(i++));
    for (const auto& s : j.at(i++)) {
      core::cdr_rtp_stream r;
      r.src = endpoint_of(s.at(0));
      r.dst = endpoint_of(s.at(1));
      r.ssrc = s.at(2).get<uint32_t>();
      r.payload = s.at(3).get<int>();
      r.received = s.at(4).get<uint64_t>();
      r.lost = s.at(5).get<int64_t>();
      r.avgjitter_ms = s.at(6).get<double>();
      r.maxjitter_ms = s.at(7).get<double>();
      r.first_ts = s.at(8).get<core::timestamp_ns>();
      r.last_ts = s.at(9).get<core::timestamp_ns>();
      r.sender = party_of(s.at(10));
      r.codec = text_of(s.at(11));
      c.rtp.push_back(std::move(r));
    }
    c.fbasename = text_of(j.at(i++));
    for (const auto& d : j.at(i++)) {
      core::cdr_dtmf x;
      x.digit = static_cast<char>(d.at(0).get<int>());
      x.time = d.at(1).get<core::timestamp_ns>();
      x.duration_ms = opt_of<double>(d.at(2));
      x.type = d.at(3).get<uint8_t>();
      x.sender = party_of(d.at(4));
      x.src = endpoint_of(d.at(5));
      x.dst = endpoint_of(d.at(6));
      c.dtmf.push_back(std::move(x));
    }
    return c;
  } catch (const std::exception& e) {
    error = std::string("not an encoded CDR: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace voxmon::store
