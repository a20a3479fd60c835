#pragma once
// Capture side: collects frames into a packet_batch, decodes each one and classifies its
// payload (SIP by port or by content, other UDP as a media candidate), so that the router
// receives ready-made batches. One builder per capture source. SIP over TCP and WebSocket is
// reassembled here (tcp_reassembler): each complete message becomes its own packet whose
// payload is in the batch's arena; SCTP DATA chunks become one packet each.
#include <bitset>
#include <memory>
#include <vector>

#include "core/batch_pool.hpp"
#include "core/packet_batch.hpp"
#include "core/packet_decoder.hpp"
#include "core/run_stats.hpp"
#include "core/sctp_reassembler.hpp"
#include "core/tcp_reassembler.hpp"

namespace voxmon::core {

struct fragment_frames;

class batch_builder {
 public:
  batch_builder(int link_type, uint32_t id_sensor, const std::vector<std::pair<uint16_t, uint16_t>>& sip_ports,
                size_t batch_packets, decoder_limits limits = {}, tcp_limits tcp = {});

  // Copies and decodes one captured frame. Returns true when the batch is full.
  bool add(timestamp_ns ts, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
  bool empty() const { return current_->frames.empty(); }
  // Stamps the batch being started (empty) with its source mark (packet_batch::source_mark).
  void mark_source(uint64_t mark) {
    if (empty())
      current_->source_mark = mark;
  }
  size_t pending_frames() const { return current_->frames.size(); }  // in the batch being built
  // Hands the finished batch over (immutable from now on) and starts a new one.
  batch_ptr take();

  // Capture counters (frames, bytes, decode drops) added into `stats`.
  void add_counters(run_stats& stats) const;
  timestamp_ns last_ts() const { return last_ts_; }
  // Latest packet time decoded so far (HEP's own time for HEP; 0 before the first packet).
  timestamp_ns last_packet_ts() const { return last_packet_ts_; }

 private:
  payload_class classify(const decoded_packet& p, std::span<const uint8_t> payload) const;
  void start_batch();
  bool add_tcp(packet_batch& b, const decoded_packet& p);
  void add_sctp(packet_batch& b, const decoded_packet& p);
  // Copies the earlier fragments of the datagram this frame completed into the batch, listed
  // for the packets from `first_packet` on.
  void add_fragment_frames(packet_batch& b, const fragment_frames& f, size_t first_packet);

  static constexpr size_t min_raw_reserve = 256 * 1024;
  static constexpr size_t kept_batches = 16;  // batches given back and kept for reuse
  int link_type_;
  uint32_t id_sensor_;
  size_t batch_packets_;
  std::bitset<65536> sip_ports_;
  packet_decoder decoder_;
  std::shared_ptr<batch_pool> pool_ = std::make_shared<batch_pool>(kept_batches);
  std::unique_ptr<packet_batch> current_;
  size_t raw_reserve_ = min_raw_reserve;  // frame bytes reserved per batch
  timestamp_ns last_ts_ = 0;
  timestamp_ns last_packet_ts_ = 0;
  tcp_reassembler tcp_;
  timestamp_ns next_tcp_expiry_ = 0;
  std::vector<uint8_t> scratch_;  // a TCP payload that sits in the arena, copied out
  sctp_reassembler sctp_;
  uint64_t sctp_messages_ = 0;
};

}  // namespace voxmon::core
