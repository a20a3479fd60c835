#include "core/batch_builder.hpp"

#include "core/rtp.hpp"
#include "core/sip_message.hpp"

namespace voxmon::core {

namespace {
constexpr size_t bytes_per_batch_hint = 256 * 1024;
}

batch_builder::batch_builder(int link_type, uint32_t id_sensor,
                             const std::vector<std::pair<uint16_t, uint16_t>>& sip_ports,
                             size_t batch_packets, decoder_limits limits)
  : link_type_(link_type), id_sensor_(id_sensor), batch_packets_(batch_packets),
    decoder_(limits) {
  for (auto [first, last] : sip_ports)
    for (uint32_t p = first; p <= last; ++p)
      sip_ports_.set(p);
  start_batch();
}

void batch_builder::start_batch() {
  current_ = std::make_unique<packet_batch>();
  current_->link_type = link_type_;
  current_->id_sensor = id_sensor_;
  current_->raw.reserve(bytes_per_batch_hint);
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
  if (decoder_.decode(link_type_, ts, frame, index, p, b.arena) == decode_status::packet) {
    b.classes.push_back(classify(p, b.payload(p)));
    b.packets.push_back(p);
  }
  return b.frames.size() >= batch_packets_;
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
  batch_ptr done{std::move(current_)};
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
}

}  // namespace voxmon::core
