#include "core/batch_builder.hpp"

#include "core/fragment_reassembler.hpp"

#include "core/rtp.hpp"
#include "core/sip_message.hpp"

namespace voxmon::core {

batch_builder::batch_builder(int link_type, uint32_t id_sensor,
                             const std::vector<std::pair<uint16_t, uint16_t>>& sip_ports,
                             size_t batch_packets, decoder_limits limits, tcp_limits tcp)
  : link_type_(link_type), id_sensor_(id_sensor), batch_packets_(batch_packets),
    decoder_(limits), tcp_(tcp) {
  for (auto [first, last] : sip_ports)
    for (uint32_t p = first; p <= last; ++p)
      sip_ports_.set(p);
  start_batch();
}

void batch_builder::start_batch() {
  current_ = pool_->take();
  current_->link_type = link_type_;
  current_->id_sensor = id_sensor_;
  // As many bytes as the largest batch so far held: a batch of 4096 RTP frames (~780 KB) would
  // otherwise grow its buffer twice, copying every frame again each time.
  current_->raw.reserve(raw_reserve_);
  current_->frames.reserve(batch_packets_);
  current_->packets.reserve(batch_packets_);
  current_->classes.reserve(batch_packets_);
}

bool batch_builder::add(timestamp_ns ts, const uint8_t* data, uint32_t caplen, uint32_t wirelen) {
  packet_batch& b = *current_;
  const auto offset = static_cast<uint32_t>(b.raw.size());
  b.raw.insert(b.raw.end(), data, data + caplen);
  const auto index = static_cast<uint32_t>(b.frames.size());
  b.frames.push_back({ts, offset, caplen, wirelen});
  last_ts_ = ts;
  decoded_packet p;
  const std::span<const uint8_t> frame{b.raw.data() + offset, caplen};
  const size_t packets_before = b.packets.size();
  if (decoder_.decode(link_type_, ts, frame, index, p, b.arena, wirelen) == decode_status::packet) {
    if (p.ts > last_packet_ts_)
      last_packet_ts_ = p.ts;
    if (p.proto == l4_protocol::tcp && decoder_.last_has_tcp_header()) {
      if (!add_tcp(b, p)) {
        b.classes.push_back(classify(p, b.payload(p)));
        b.packets.push_back(p);
      }
    } else if (p.proto == l4_protocol::sctp) {
      add_sctp(b, p);
    } else {
      b.classes.push_back(classify(p, b.payload(p)));
      b.packets.push_back(p);
    }
    if (const fragment_frames* f = decoder_.last_fragment_frames(); f && !f->frames.empty())
      add_fragment_frames(b, *f, packets_before);
  }
  if (ts >= next_tcp_expiry_ && tcp_.streams() != 0) {
    tcp_.expire(ts);
    next_tcp_expiry_ = ts + ns_per_second;
  }
  return b.frames.size() >= batch_packets_;
}

void batch_builder::add_fragment_frames(packet_batch& b, const fragment_frames& f,
                                        size_t first_packet) {
  const auto first = static_cast<uint32_t>(b.fragment_frames.size());
  const auto base = static_cast<uint32_t>(b.fragment_raw.size());
  b.fragment_raw.insert(b.fragment_raw.end(), f.bytes.begin(), f.bytes.end());
  for (frame_record r : f.frames) {
    r.offset += base;
    b.fragment_frames.push_back(r);
  }
  // Every packet made from this datagram (one, or several SIP messages over TCP/SCTP).
  for (size_t i = first_packet; i < b.packets.size(); ++i)
    b.fragment_lists.push_back({static_cast<uint32_t>(i), first,
                                static_cast<uint32_t>(f.frames.size())});
}

bool batch_builder::add_tcp(packet_batch& b, const decoded_packet& p) {
  std::span<const uint8_t> payload = b.payload(p);
  if (p.payload_in_arena) {  // reassembled from IP fragments: the arena is about to grow
    scratch_.assign(payload.begin(), payload.end());
    payload = scratch_;
  }
  const std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
  const bool may_start = sip_ports_.test(p.src.port) || sip_ports_.test(p.dst.port) ||
                         looks_like_sip(text);  // a WebSocket upgrade is recognised inside
  const tcp_segment seg{p.src, p.dst, decoder_.last_tcp_seq(), decoder_.last_tcp_flags(), p.ts,
                        payload};
  if (!tcp_.add(seg, may_start, b.arena))
    return false;
  for (const auto& m : tcp_.messages()) {
    decoded_packet q = p;
    q.payload_in_arena = true;
    q.payload_offset = m.offset;
    q.payload_length = m.length;
    b.classes.push_back(payload_class::sip);
    b.packets.push_back(q);
  }
  return true;
}

void batch_builder::add_sctp(packet_batch& b, const decoded_packet& p) {
  std::span<const uint8_t> chunks = b.payload(p);
  if (p.payload_in_arena) {  // the arena may grow while chunks are read
    scratch_.assign(chunks.begin(), chunks.end());
    chunks = scratch_;
  }
  sctp_.add(p.src, p.dst, chunks, b.arena);
  for (const auto& m : sctp_.messages()) {
    decoded_packet q = p;
    q.payload_length = m.length;
    if (m.in_arena) {
      q.payload_in_arena = true;
      q.payload_offset = m.offset;
    } else if (!p.payload_in_arena) {
      q.payload_offset = p.payload_offset + m.offset;
    } else {
      q.payload_offset = static_cast<uint32_t>(b.arena.size());
      b.arena.insert(b.arena.end(), chunks.begin() + m.offset,
                     chunks.begin() + m.offset + m.length);
    }
    b.classes.push_back(classify(q, b.payload(q)));
    b.packets.push_back(q);
    ++sctp_messages_;
  }
  if (sctp_.messages().empty()) {  // INIT, SACK, HEARTBEAT, a first fragment ...
    b.classes.push_back(payload_class::other);
    b.packets.push_back(p);
  }
}

payload_class batch_builder::classify(const decoded_packet& p,
                                      std::span<const uint8_t> payload) const {
  if (p.proto != l4_protocol::udp && p.proto != l4_protocol::tcp && p.proto != l4_protocol::sctp)
    return payload_class::other;
  if (payload.empty())
    return payload_class::other;
  const std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
  if (sip_ports_.test(p.src.port) || sip_ports_.test(p.dst.port) || looks_like_sip(text))
    return payload_class::sip;
  if (p.proto != l4_protocol::udp)
    return payload_class::other;
  // Told apart here, while the payload is in cache, so the router never touches it.
  return looks_like_rtcp(payload) ? payload_class::rtcp : payload_class::datagram;
}

batch_ptr batch_builder::take() {
  raw_reserve_ = std::max(raw_reserve_, current_->raw.size());
  batch_ptr done = batch_pool::share(pool_, std::move(current_));
  start_batch();
  return done;
}

void batch_builder::add_counters(run_stats& stats) const {
  const auto& c = decoder_.counters();
  stats.packets += c.frames;
  stats.bytes += c.bytes;
  stats.ip_in_ip += c.ip_in_ip;
  stats.reassembled += c.reassembled;
  for (size_t i = 0; i < c.drops.size(); ++i)
    stats.decode_drops[i] += c.drops[i];
  for (size_t i = 0; i < c.tunnels.size(); ++i)
    stats.decapsulated[i] += c.tunnels[i];
  const auto& t = tcp_.counters();
  stats.tcp_messages += t.messages;
  stats.websocket_messages += t.websocket;
  stats.tcp_retransmissions += t.retransmissions;
  stats.tcp_out_of_order += t.out_of_order;
  stats.tcp_gaps += t.gaps;
  stats.tcp_overflow += t.overflow;
  stats.sctp_messages += sctp_messages_;
}

}  // namespace voxmon::core
