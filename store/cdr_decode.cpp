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

json quality_json(const core::stream_quality_result& q) {
  json jb = json::array();
  for (const auto& b : q.jb)
    jb.push_back(json::array({b.mos_avg, b.mos_min, b.intervals, b.frames, b.lost, b.late}));
  json series = json::array();
  for (const auto& i : q.intervals)
    series.push_back(json::array({i.index, i.expected, i.lost, i.mos_f1, i.mos_adapt, i.jitter_ms}));
  return json::array({std::move(jb), q.sl, q.delay, q.expected, q.lost, q.packet_loss_perc,
                      q.reordered, q.duplicates, q.ptime_ms, q.comfort_noise,
                      std::move(series)});
}

core::stream_quality_result quality_of(const json& j) {
  core::stream_quality_result q;
  const auto& jb = j.at(0);
  if (jb.size() != q.jb.size())
    throw std::runtime_error("bad jitter buffer count");
  for (size_t b = 0; b < q.jb.size(); ++b) {
    const auto& x = jb.at(b);
    q.jb[b] = {x.at(0).get<double>(), x.at(1).get<double>(), x.at(2).get<uint32_t>(),
               x.at(3).get<uint64_t>(), x.at(4).get<uint64_t>(), x.at(5).get<uint64_t>()};
  }
  q.sl = j.at(1).get<decltype(q.sl)>();
  q.delay = j.at(2).get<decltype(q.delay)>();
  q.expected = j.at(3).get<uint64_t>();
  q.lost = j.at(4).get<uint64_t>();
  q.packet_loss_perc = j.at(5).get<double>();
  q.reordered = j.at(6).get<uint64_t>();
  q.duplicates = j.at(7).get<uint64_t>();
  q.ptime_ms = j.at(8).get<uint32_t>();
  q.comfort_noise = j.at(9).get<bool>();
  if (j.size() > 10) {  // the interval series, added within encoding 2 (older records lack it)
    const auto& series = j.at(10);
    if (series.size() > core::max_quality_intervals)
      throw std::runtime_error("too many quality intervals");
    q.intervals.reserve(series.size());
    for (const auto& x : series)
      q.intervals.push_back({x.at(0).get<uint32_t>(), x.at(1).get<uint64_t>(),
                             x.at(2).get<uint64_t>(), x.at(3).get<double>(),
                             x.at(4).get<double>(), x.at(5).get<double>()});
  }
  return q;
}

json rtcp_json(const std::optional<core::cdr_rtcp>& r) {
  if (!r)
    return nullptr;
  return json::array({r->reports, r->loss, r->max_fraction_lost, r->avg_fraction_lost,
                      r->max_jitter_ms, r->avg_jitter_ms, r->rtt_count, r->avg_rtt_ms,
                      r->max_rtt_ms, opt(r->xr_mos_lq), opt(r->xr_mos_cq), opt(r->xr_r_factor)});
}

std::optional<core::cdr_rtcp> rtcp_of(const json& j) {
  if (j.is_null())
    return std::nullopt;
  core::cdr_rtcp r;
  r.reports = j.at(0).get<uint32_t>();
  r.loss = j.at(1).get<int32_t>();
  r.max_fraction_lost = j.at(2).get<uint8_t>();
  r.avg_fraction_lost = j.at(3).get<double>();
  r.max_jitter_ms = j.at(4).get<double>();
  r.avg_jitter_ms = j.at(5).get<double>();
  r.rtt_count = j.at(6).get<uint32_t>();
  r.avg_rtt_ms = j.at(7).get<double>();
  r.max_rtt_ms = j.at(8).get<double>();
  r.xr_mos_lq = opt_of<double>(j.at(9));
  r.xr_mos_cq = opt_of<double>(j.at(10));
  r.xr_r_factor = opt_of<uint8_t>(j.at(11));
  return r;
}

// Encoding 1 (before the quality fields) is still read: a journal written by an older voxmon
// replays with empty quality results.
constexpr int encoding_version = 2;

}  // namespace

std::string encode_cdr(const core::cdr& c) {
  json rtp = json::array();
  for (const auto& s : c.rtp)
    rtp.push_back(json::array({endpoint_json(s.src), endpoint_json(s.dst), s.ssrc, s.payload,
                               s.received, s.lost, s.avgjitter_ms, s.maxjitter_ms, s.first_ts,
                               s.last_ts, party_json(s.sender), bytes(s.codec),
                               quality_json(s.quality), rtcp_json(s.rtcp), s.srtp}));
  json dtmf = json::array();
  for (const auto& d : c.dtmf)
    dtmf.push_back(json::array({static_cast<int>(d.digit), d.time, opt(d.duration_ms), d.type,
                                party_json(d.sender), endpoint_json(d.src), endpoint_json(d.dst)}));
  json j = json::array({encoding_version,
                        bytes(c.callid), c.id_sensor, c.calldate, c.callend, opt(c.connect_time),
                        opt(c.progress_time), opt(c.first_rtp_time), bytes(c.caller),
                        bytes(c.callername), bytes(c.caller_domain), bytes(c.called),
                        bytes(c.called_domain), endpoint_json(c.sipcaller),
                        endpoint_json(c.sipcalled), c.last_sip_response_num,
                        bytes(c.last_sip_response), static_cast<int>(c.bye),
                        party_json(c.whohanged), bytes(c.a_ua), bytes(c.b_ua), opt(c.vlan),
                        std::move(rtp), bytes(c.fbasename), std::move(dtmf), c.capture_loss,
                        c.capture_dropped, c.sighup});
  const auto v = json::to_msgpack(j);
  return std::string(v.begin(), v.end());
}

std::optional<core::cdr> decode_cdr(std::string_view data, std::string& error) {
  try {
    const json j = json::from_msgpack(data.begin(), data.end());
    const int version = j.is_array() && !j.empty() && j.at(0).is_number_integer()
                            ? j.at(0).get<int>() : 0;
    // Encoding 2 has 27 items, 28 since the sighup mark was added (a last optional item).
    if ((version != 1 || j.size() != 25) && (version != 2 || (j.size() != 27 && j.size() != 28))) {
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
      if (version >= 2) {
        r.quality = quality_of(s.at(12));
        r.rtcp = rtcp_of(s.at(13));
        r.srtp = s.at(14).get<bool>();
      }
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
    if (version >= 2) {
      c.capture_loss = j.at(i++).get<bool>();
      c.capture_dropped = j.at(i++).get<uint64_t>();
      if (i < j.size())  // added within encoding 2; older records end before it
        c.sighup = j.at(i++).get<bool>();
    }
    return c;
  } catch (const std::exception& e) {
    error = std::string("not an encoded CDR: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace voxmon::store
