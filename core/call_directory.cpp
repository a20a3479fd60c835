#include "core/call_directory.hpp"

#include <algorithm>

#include "core/media_endpoints.hpp"

namespace voxmon::core {

namespace {

constexpr size_t max_endpoints_per_call = 64;

// Methods that never create call state: they are counted, not tracked.
bool is_non_call_method(sip_method m) {
  switch (m) {
    case sip_method::register_:
    case sip_method::options:
    case sip_method::subscribe:
    case sip_method::notify:
    case sip_method::message:
    case sip_method::publish:
      return true;
    default:
      return false;
  }
}

std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

void call_directory::route(const packet_batch& batch, routing_plan& plan, run_stats& stats) {
  ++route_seq_;  // every entry's `delivery` index from an earlier batch is stale from now on
  for (uint32_t i = 0; i < batch.packets.size(); ++i)
    route_packet(batch, 0, i, plan, stats);
}

void call_directory::route(const merge_round& round, routing_plan& plan, run_stats& stats) {
  ++route_seq_;
  for (const auto& e : round.order)
    route_packet(*round.batches[e.slot], e.slot, e.index, plan, stats);
}

void call_directory::route_packet(const packet_batch& batch, uint8_t slot, uint32_t i,
                                  routing_plan& plan, run_stats& stats) {
  const timestamp_ns now = batch.packets[i].ts;
  if (now >= next_expiry_check_) {
    expire(now, plan);
    next_expiry_check_ = now + ns_per_second;
  }
  switch (batch.classes[i]) {
    case payload_class::sip:
      route_sip(batch, slot, i, plan, stats);
      break;
    case payload_class::datagram:
    case payload_class::rtcp:
      route_media(batch, slot, i, plan, stats);
      break;
    case payload_class::other:
      ++stats.other_packets;
      break;
  }
}

void call_directory::route_sip(const packet_batch& batch, uint8_t slot, uint32_t index, routing_plan& plan,
                               run_stats& stats) {
  const decoded_packet& p = batch.packets[index];
  const std::string_view payload = as_text(batch.payload(p));
  size_t offset = 0;
  bool any = false;
  // A TCP segment may carry several SIP messages; UDP carries one.
  while (offset < payload.size()) {
    auto parsed = parse_sip(payload.substr(offset));
    if (!parsed.message) {
      // Only CRLF keep-alives (or nothing) left is not an error.
      if (!any && parsed.error != sip_parse_error::empty)
        ++stats.sip_bad;
      return;
    }
    any = true;
    const sip_message& m = *parsed.message;
    ++stats.sip_messages;
    const routed_packet rp{index, static_cast<uint32_t>(offset), packet_role::sip, slot};
    offset += std::max<size_t>(m.message_length, 1);

    uint64_t key = 0;
    if (auto it = by_call_id_.find(m.call_id); it != by_call_id_.end()) {
      key = it->second;
    } else if (m.is_request && m.method == sip_method::invite) {
      key = next_key_++;
      auto& e = calls_[key];
      e.call_id = std::string(m.call_id);
      e.first_ts = p.ts;
      by_call_id_.emplace(e.call_id, key);
      plan.created.push_back({key, e.call_id});
      ++stats.calls;
    } else {
      const sip_method method = m.is_request ? m.method : m.cseq_method;
      if (is_non_call_method(method))
        ++stats.sip_non_call;
      else
        ++stats.sip_outside_call;
      continue;
    }
    entry& e = calls_[key];
    e.last_ts = std::max(e.last_ts, p.ts);
    e.last_sip_ts = p.ts;
    if (m.is_request) {
      if (m.method == sip_method::bye) {
        e.ending = true;
        e.challenged = false;
      } else if (m.method == sip_method::invite && !e.answered) {
        auto to = parse_name_addr(m.to);
        if (!to || to->tag.empty())
          e.ending = e.challenged = false;  // a new attempt, e.g. after a 401/407 challenge
      }
    } else if (m.cseq_method == sip_method::invite && m.status_code >= 200) {
      if (m.status_code < 300) {
        e.answered = true;
      } else if (!e.answered && !e.ending) {
        e.ending = true;
        e.challenged = m.status_code == 401 || m.status_code == 407;
      }
    }
    learn_endpoints(key, e, m);
    deliver(key, e, rp, plan);
    if (m.message_length == 0)
      break;
  }
}

void call_directory::route_media(const packet_batch& batch, uint8_t slot, uint32_t index, routing_plan& plan,
                                 run_stats& stats) {
  const decoded_packet& p = batch.packets[index];
  auto it = by_endpoint_.find(p.dst);
  if (it == by_endpoint_.end())
    it = by_endpoint_.find(p.src);
  if (it == by_endpoint_.end()) {
    ++stats.unmatched_udp;
    return;
  }
  const uint64_t key = it->second.key;
  entry& e = *it->second.call;
  if (batch.classes[index] == payload_class::rtcp)
    ++stats.rtcp_packets;
  else
    ++stats.rtp_packets;
  e.had_media = true;
  e.last_ts = std::max(e.last_ts, p.ts);
  deliver(key, e, {index, 0, packet_role::media, slot}, plan);
}

void call_directory::deliver(uint64_t key, entry& e, routed_packet p, routing_plan& plan) {
  if (e.delivery_route != route_seq_) {
    e.delivery_route = route_seq_;
    e.delivery = plan.deliveries.size();
    plan.deliveries.push_back({key, {}});
  }
  plan.deliveries[e.delivery].packets.push_back(p);
}

void call_directory::learn_endpoints(uint64_t key, entry& e, const sip_message& m) {
  auto body = sdp_body(m);
  if (!body)
    return;
  auto sdp = parse_sdp(*body);
  if (!sdp)
    return;
  for_each_announced_media(*sdp, [&](const announced_media& a, const sdp_media&) {
    for (const endpoint& ep : {a.rtp, a.rtcp}) {
      if (ep.port == 0)
        continue;
      // Only endpoints the call lists are routed to it: its close removes exactly those, so
      // the map never names a closed call (beyond 64 endpoints, new ones are not followed).
      if (std::find(e.endpoints.begin(), e.endpoints.end(), ep) == e.endpoints.end()) {
        if (e.endpoints.size() >= max_endpoints_per_call)
          continue;
        e.endpoints.push_back(ep);
      }
      by_endpoint_[ep] = {key, &e};  // the newest announcement wins
    }
  });
}

std::optional<close_reason> call_directory::due(const entry& e, timestamp_ns now) const {
  const timestamp_ns idle = now - e.last_ts;
  const timestamp_ns linger = e.challenged ? timeouts_.auth_retry : timeouts_.bye;
  if (now - e.first_ts > timeouts_.absolute)
    return close_reason::absolute_timeout;
  if (e.ending && now - e.last_sip_ts > linger)
    return close_reason::ended;
  if (e.had_media && idle > timeouts_.rtp)
    return close_reason::rtp_timeout;
  if (!e.had_media && idle > timeouts_.sip_without_rtp)
    return close_reason::sip_without_rtp;
  return std::nullopt;
}

void call_directory::expire(timestamp_ns now, routing_plan& plan) {
  due_.clear();
  for (const auto& [key, e] : calls_)
    if (auto reason = due(e, now))
      due_.push_back({key, *reason});
  std::sort(due_.begin(), due_.end());  // oldest first
  for (const auto& [key, reason] : due_)
    close(key, reason, plan);
}

std::vector<uint64_t> call_directory::open_call_keys() const {
  std::vector<uint64_t> keys;
  keys.reserve(calls_.size());
  for (const auto& kv : calls_)
    keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void call_directory::close(uint64_t key, close_reason reason, routing_plan& plan) {
  auto it = calls_.find(key);
  if (it == calls_.end())
    return;
  entry& e = it->second;
  for (const endpoint& ep : e.endpoints) {
    auto m = by_endpoint_.find(ep);
    if (m != by_endpoint_.end() && m->second.key == key)
      by_endpoint_.erase(m);
  }
  auto id = by_call_id_.find(e.call_id);
  if (id != by_call_id_.end() && id->second == key)
    by_call_id_.erase(id);
  plan.closings.push_back({key, reason, next_close_seq_++});
  calls_.erase(it);
}

void call_directory::close_all(routing_plan& plan, close_reason reason) {
  for (uint64_t key : open_call_keys())
    close(key, reason, plan);
}

}  // namespace voxmon::core
