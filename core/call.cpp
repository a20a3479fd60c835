#include "core/call.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>

#include "core/media_endpoints.hpp"
#include "core/rtp.hpp"

namespace voxmon::core {

namespace {

std::string_view ua_of(const sip_message& m) {
  return m.user_agent.empty() ? m.server : m.user_agent;
}

void add_unique(std::vector<endpoint>& v, const endpoint& e) {
  if (std::find(v.begin(), v.end(), e) == v.end())
    v.push_back(e);
}

bool contains(const std::vector<endpoint>& v, const endpoint& e) {
  return std::find(v.begin(), v.end(), e) != v.end();
}

// A ZRTP (RFC 6189) Confirm1, Confirm2 or Conf2ACK message: 12-byte ZRTP header (first byte
// 0x10, magic cookie "ZRTP" at 4..7), then preamble 0x505a, length, type block at 16..23.
// Seen once the key agreement completed: the media on these ports is SRTP from then on.
bool is_zrtp_confirm(std::span<const uint8_t> d) {
  if (d.size() < 24 || d[0] != 0x10 || d[4] != 'Z' || d[5] != 'R' || d[6] != 'T' || d[7] != 'P' ||
      d[12] != 0x50 || d[13] != 0x5a)
    return false;
  const std::string_view type(reinterpret_cast<const char*>(d.data() + 16), 8);
  return type == "Confirm1" || type == "Confirm2" || type == "Conf2ACK";
}

}  // namespace

call::call(std::string call_id, uint32_t id_sensor)
  : call_id_(std::move(call_id)), id_sensor_(id_sensor) {
}

bool call::sent_by_caller(const sip_message& m, const decoded_packet& p) const {
  auto from = parse_name_addr(m.from);
  if (from && !from->tag.empty() && !caller_tag_.empty()) {
    const bool caller_tag = from->tag == caller_tag_;
    return m.is_request ? caller_tag : !caller_tag;
  }
  // No tags to go by: the caller is whoever sent the first INVITE.
  return m.is_request ? p.src == sipcaller_ : p.dst == sipcaller_;
}

void call::on_sip(const sip_message& m, const decoded_packet& p) {
  ++sip_messages_;
  if (sip_messages_ == 1)
    first_ts_ = p.ts;
  last_ts_ = std::max(last_ts_, p.ts);
  if (p.has_vlan && !vlan_)
    vlan_ = p.vlan;

  if (m.is_request && m.method == sip_method::invite && !seen_invite_) {
    seen_invite_ = true;
    sipcaller_ = p.src;
    if (auto from = parse_name_addr(m.from)) {
      caller_tag_ = std::string(from->tag);
      caller_ = std::string(from->user);
      callername_ = std::string(from->display_name);
      caller_domain_ = std::string(from->host);
    }
    if (auto to = parse_name_addr(m.to)) {
      called_ = std::string(to->user);
      called_domain_ = std::string(to->host);
    }
  }
  const bool from_caller = sent_by_caller(m, p);
  if (auto ua = ua_of(m); !ua.empty()) {
    std::string& side = from_caller ? a_ua_ : b_ua_;
    if (side.empty())
      side = std::string(ua);
  }
  if (m.is_request)
    on_request(m, p, from_caller);
  else
    on_response(m, p, from_caller);
  learn_sdp(m, from_caller);
}

void call::on_request(const sip_message& m, const decoded_packet& p, bool from_caller) {
  switch (m.method) {
    case sip_method::invite: {
      if (!from_caller)
        break;
      sipcalled_ = p.dst;
      auto to = parse_name_addr(m.to);
      const bool initial = !to || to->tag.empty();
      if (initial && m.cseq_number != initial_cseq_) {
        // A new initial transaction (e.g. after a 401/407 challenge) starts a fresh outcome.
        initial_cseq_ = m.cseq_number;
        final_seen_ = false;
        if (!connect_ts_) {
          last_response_num_ = 0;
          last_response_.clear();
        }
      }
      break;
    }
    case sip_method::info:
      if (auto d = parse_sip_info_dtmf(m.content_type, m.body)) {
        dtmf_seen x;
        x.d.digit = d->digit;
        x.d.time = p.ts;
        x.d.duration_ms = d->duration_ms;
        x.d.type = 0;
        x.d.sender = from_caller ? party::caller : party::callee;
        x.d.src = p.src;
        x.d.dst = p.dst;
        dtmf_.push_back(x);
      }
      break;
    case sip_method::bye:
      if (!bye_ts_) {
        bye_ts_ = p.ts;
        bye_sender_ = from_caller ? party::caller : party::callee;
      }
      break;
    default:
      break;
  }
}

void call::on_response(const sip_message& m, const decoded_packet& p, bool) {
  const int code = m.status_code;
  if (m.cseq_method == sip_method::bye) {
    if (code >= 200 && code < 300 && bye_ts_)
      bye_confirmed_ = true;
    return;
  }
  if (m.cseq_method != sip_method::invite || m.cseq_number != initial_cseq_)
    return;
  if (code >= 180 && code < 190 && !first_18x_ts_)
    first_18x_ts_ = p.ts;
  auto record = [&] {
    last_response_num_ = code;
    last_response_ = std::to_string(code);
    if (!m.reason_phrase.empty())
      last_response_ += " " + std::string(m.reason_phrase);
  };
  if (code < 200) {
    if (!final_seen_)
      record();
  } else if (code < 300) {
    if (!connect_ts_)
      connect_ts_ = p.ts;
    if (!final_seen_ || last_response_num_ >= 300)
      record();
    final_seen_ = true;
  } else if (!final_seen_) {
    record();
    final_seen_ = true;
  }
}

void call::learn_sdp(const sip_message& m, bool from_caller) {
  auto body = sdp_body(m);
  if (!body)
    return;
  auto sdp = parse_sdp(*body);
  if (!sdp)
    return;
  auto& side = from_caller ? caller_media_ : callee_media_;
  for_each_announced_media(*sdp, [&](const announced_media& a, const sdp_media& media) {
    add_unique(side, a.rtp);
    if (media.srtp)
      add_unique(srtp_media_, a.rtp);
    for (size_t i = 0; i < media.payload_type_count; ++i) {
      const auto& pt = media.payload_types[i];
      payload_types_.learn(pt.pt, pt.encoding, pt.clock_rate);
    }
  });
}

// As tshark does: static payload types always use the RFC 3551 clock; dynamic ones the rtpmap
// clock of the call's SDP. 0 (jitter not updated) for telephone-event and unknown types.
uint32_t call::clock_rate(uint8_t pt) const {
  if (pt < 96)
    return static_payload_clock_rate(pt);
  return payload_types_.dynamic_clock(pt);
}

call::stream& call::stream_for(const decoded_packet& p, uint32_t ssrc) {
  for (auto& s : streams_)
    if (s.ssrc == ssrc && s.src == p.src && s.dst == p.dst)
      return s;
  streams_.emplace_back();
  auto& s = streams_.back();
  s.src = p.src;
  s.dst = p.dst;
  s.ssrc = ssrc;
  return s;
}

std::string_view call::encoding(uint8_t pt) const {
  if (pt < 96)
    return static_payload_name(pt);
  return payload_types_.dynamic_name(pt);
}

void call::add_events(const telephone_events_done& done, int stream_index,
                      const decoded_packet& p) {
  for (uint8_t i = 0; i < done.count; ++i) {
    const auto& e = done.events[i];
    dtmf_seen d;
    d.d.digit = e.digit;
    d.d.time = e.start;
    d.d.duration_ms = e.duration_ms;
    d.d.type = 1;
    d.d.src = p.src;
    d.d.dst = p.dst;
    d.stream = stream_index;
    dtmf_.push_back(d);  // per DTMF event, not per packet
  }
}

void call::on_capture_loss(timestamp_ns, uint64_t dropped) {
  capture_loss_ = true;
  capture_dropped_ += dropped;
}

void call::on_media(std::span<const uint8_t> data, const decoded_packet& p) {
  if (is_zrtp_confirm(data)) {
    if (std::find(zrtp_seen_.begin(), zrtp_seen_.end(), std::pair{p.src, p.dst}) ==
        zrtp_seen_.end())
      zrtp_seen_.emplace_back(p.src, p.dst);
    return;  // not RTP: no packet of a stream, and callend stays "last SIP or RTP packet"
  }
  if (looks_like_rtcp(data)) {
    ++rtcp_packets_;
    last_ts_ = std::max(last_ts_, p.ts);
    if (auto r = parse_rtcp_report(data))
      rtcp_.on_report(*r, p.ts);
    return;
  }
  auto h = parse_rtp(data);
  if (!h)
    return;
  ++rtp_packets_;
  last_ts_ = std::max(last_ts_, p.ts);
  if (!first_rtp_ts_)
    first_rtp_ts_ = p.ts;
  stream& s = stream_for(p, h->ssrc);
  if (s.payload < 0)
    s.payload = h->payload_type;
  const uint32_t clock = clock_rate(h->payload_type);
  s.stats.add(*h, p.ts, clock);
  const uint8_t pt = h->payload_type;
  media_kind kind = media_kind::audio;
  if (payload_types_.telephone_event(pt)) {
    kind = media_kind::event;
    add_events(s.events.add(data.subspan(h->payload_offset, h->payload_length), h->timestamp,
                            p.ts, payload_types_.event_clock(pt)),
               static_cast<int>(&s - streams_.data()), p);
  } else if (pt == 13 || pt == 19 || encoding(pt) == "CN") {
    kind = media_kind::comfort_noise;
  }
  s.quality.add(h->sequence, h->timestamp, p.ts, clock, h->marker, kind, s.stats.jitter_ms());
}

std::optional<party> call::stream_sender(const stream& s) const {
  if (contains(callee_media_, s.dst))
    return party::caller;
  if (contains(caller_media_, s.dst))
    return party::callee;
  if (contains(caller_media_, s.src))
    return party::caller;
  if (contains(callee_media_, s.src))
    return party::callee;
  return std::nullopt;
}

// SRTP when the receiver announced the endpoint with an SRTP profile (or keys), or when a ZRTP
// key agreement completed between the stream's two ends (either direction).
bool call::stream_srtp(const stream& s) const {
  if (contains(srtp_media_, s.dst))
    return true;
  for (const auto& [a, b] : zrtp_seen_)
    if ((a == s.src && b == s.dst) || (a == s.dst && b == s.src))
      return true;
  return false;
}

cdr call::finish(close_reason reason) const {
  cdr c;
  c.callid = call_id_;
  c.id_sensor = id_sensor_;
  c.calldate = first_ts_;
  c.callend = last_ts_;
  c.connect_time = connect_ts_;
  c.progress_time = first_18x_ts_ ? first_18x_ts_ : connect_ts_;
  c.first_rtp_time = first_rtp_ts_;
  c.caller = caller_;
  c.callername = callername_;
  c.caller_domain = caller_domain_;
  c.called = called_;
  c.called_domain = called_domain_;
  c.sipcaller = sipcaller_;
  c.sipcalled = sipcalled_;
  c.last_sip_response_num = last_response_num_;
  c.last_sip_response = last_response_;
  switch (reason) {
    case close_reason::absolute_timeout:
      c.bye = bye_code::absolute_timeout;
      break;
    case close_reason::rtp_timeout:
      c.bye = bye_code::rtp_timeout;
      break;
    case close_reason::sip_without_rtp:
      c.bye = bye_code::sip_without_rtp_timeout;
      break;
    default:
      if (!connect_ts_)
        c.bye = bye_code::never_answered;
      else if (bye_confirmed_)
        c.bye = bye_code::bye_confirmed;
      else if (bye_ts_)
        c.bye = bye_code::bye_unconfirmed;
      else
        c.bye = bye_code::answered_no_bye;
  }
  c.whohanged = bye_sender_;
  c.a_ua = a_ua_;
  c.b_ua = b_ua_;
  c.vlan = vlan_;
  c.capture_loss = capture_loss_;
  c.capture_dropped = capture_dropped_;
  c.sighup = reason == close_reason::sighup;
  // One-way network delay for the E-model: half the round trip caller <-> monitor <-> callee,
  // from the RTCP LSR/DLSR round trips of each side (0 for a side without them).
  double rtt_to[2] = {0, 0};  // [0] monitor <-> callee (caller's streams), [1] <-> caller
  for (const auto& s : streams_) {
    const auto* r = rtcp_.find(s.ssrc);
    const auto sender = stream_sender(s);
    if (r && r->rtt_count && sender) {
      double& v = rtt_to[*sender == party::caller ? 0 : 1];
      v = std::max(v, r->rtt_sum_ms / r->rtt_count);
    }
  }
  const double network_oneway_ms = (rtt_to[0] + rtt_to[1]) / 2.0;
  c.rtp.reserve(streams_.size());
  for (const auto& s : streams_) {
    cdr_rtp_stream r;
    r.src = s.src;
    r.dst = s.dst;
    r.ssrc = s.ssrc;
    r.payload = s.payload;
    r.received = s.stats.received();
    r.lost = s.stats.rfc3550_lost();
    r.avgjitter_ms = s.stats.mean_jitter_ms();
    r.maxjitter_ms = s.stats.max_jitter_ms();
    r.first_ts = s.stats.first_arrival();
    r.last_ts = s.stats.last_arrival();
    r.sender = stream_sender(s);
    r.srtp = stream_srtp(s);
    if (s.payload >= 0)
      r.codec = std::string(encoding(static_cast<uint8_t>(s.payload)));
    r.quality = s.quality.result(codec_impairment_for(r.codec), network_oneway_ms);
    if (const auto* rt = rtcp_.find(s.ssrc); rt && rt->reports) {
      cdr_rtcp x;
      const uint32_t clock = s.payload >= 0 ? clock_rate(static_cast<uint8_t>(s.payload)) : 0;
      const double per_ms = clock ? clock / 1000.0 : 8.0;  // 8 kHz when unknown
      x.reports = rt->reports;
      x.loss = rt->cumulative_lost;
      x.max_fraction_lost = rt->max_fraction_lost;
      x.avg_fraction_lost = rt->fraction_lost_sum / rt->reports;
      x.max_jitter_ms = rt->max_jitter / per_ms;
      x.avg_jitter_ms = rt->jitter_sum / rt->reports / per_ms;
      x.rtt_count = rt->rtt_count;
      x.avg_rtt_ms = rt->rtt_count ? rt->rtt_sum_ms / rt->rtt_count : 0.0;
      x.max_rtt_ms = rt->rtt_max_ms;
      if (rt->xr) {
        if (rt->xr->mos_lq != 127)
          x.xr_mos_lq = rt->xr->mos_lq / 10.0;
        if (rt->xr->mos_cq != 127)
          x.xr_mos_cq = rt->xr->mos_cq / 10.0;
        if (rt->xr->r_factor != 127)
          x.xr_r_factor = rt->xr->r_factor;
      }
      r.rtcp = x;
    }
    c.rtp.push_back(r);
  }
  // DTMF: RTP events still open at the end count too; in time order.
  for (const auto& d : dtmf_) {
    c.dtmf.push_back(d.d);
    if (d.stream >= 0)
      c.dtmf.back().sender = stream_sender(streams_[static_cast<size_t>(d.stream)]);
  }
  for (size_t i = 0; i < streams_.size(); ++i) {
    auto tracker = streams_[i].events;  // finish() without changing the call
    if (auto e = tracker.finish()) {
      cdr_dtmf d;
      d.digit = e->digit;
      d.time = e->start;
      d.duration_ms = e->duration_ms;
      d.type = 1;
      d.sender = stream_sender(streams_[i]);
      d.src = streams_[i].src;
      d.dst = streams_[i].dst;
      c.dtmf.push_back(d);
    }
  }
  std::stable_sort(c.dtmf.begin(), c.dtmf.end(),
                   [](const cdr_dtmf& x, const cdr_dtmf& y) { return x.time < y.time; });
  return c;
}

}  // namespace voxmon::core
