#pragma once
// The router's brain, without actors: which call each packet belongs to (Call-ID for SIP, the
// endpoints announced in SDP for RTP/RTCP), when a call is created, and when it closes. Every
// timeout runs on packet time, and every decision is made here in capture order, so the same
// input always gives the same calls, the same CDRs and the same close order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tsl/robin_map.h>

#include "core/call.hpp"
#include "core/packet_batch.hpp"
#include "core/run_stats.hpp"
#include "core/source_merge.hpp"

namespace voxmon::core {

struct call_timeouts {
  timestamp_ns rtp = 300 * ns_per_second;
  timestamp_ns sip_without_rtp = 3600 * ns_per_second;
  timestamp_ns absolute = 14400 * ns_per_second;
  timestamp_ns bye = 20 * ns_per_second;
  timestamp_ns auth_retry = 60 * ns_per_second;  // after 401/407: wait for the new INVITE
};

enum class packet_role : uint8_t { sip, media };

struct routed_packet {
  uint32_t index = 0;       // into packet_batch::packets
  uint32_t sip_offset = 0;  // where the SIP message starts in the payload (several per TCP segment)
  packet_role role = packet_role::sip;
  uint8_t batch = 0;        // which of a delivery's batches (see delivery_coalescer)
};

struct call_creation {
  uint64_t call_key = 0;
  std::string call_id;
};
struct call_delivery {
  uint64_t call_key = 0;
  std::vector<routed_packet> packets;
};
struct call_closing {
  uint64_t call_key = 0;
  close_reason reason = close_reason::end_of_input;
  uint64_t close_seq = 0;   // 0, 1, 2 ... in the order calls close: the CDR order
};

// What the router must do for one batch, in this order: create calls, deliver packets, close.
struct routing_plan {
  std::vector<call_creation> created;
  std::vector<call_delivery> deliveries;
  std::vector<call_closing> closings;
  void clear() {
    created.clear();
    deliveries.clear();
    closings.clear();
  }
};

class call_directory {
 public:
  explicit call_directory(call_timeouts t) : timeouts_(t) {}

  // Routes a batch's packets; the deliveries' routed_packet::batch is 0.
  void route(const packet_batch& batch, routing_plan& plan, run_stats& stats);
  // Routes packets of several batches in the round's order (core::source_merge); the
  // deliveries' routed_packet::batch is the packet's slot in round.batches.
  void route(const merge_round& round, routing_plan& plan, run_stats& stats);
  // Closes every open call (end of input), oldest first.
  void close_all(routing_plan& plan, close_reason reason = close_reason::end_of_input);
  // Packet time moves on without a packet (a live capture's idle tick): closes the calls that
  // are due at `now`, as a packet with that time would. A time behind the packets is a no-op.
  void advance(timestamp_ns now, routing_plan& plan) {
    if (now >= next_expiry_check_) {
      expire(now, plan);
      next_expiry_check_ = now + ns_per_second;
    }
  }
  // New timeouts (SIGHUP reload); they apply from the next check on.
  void set_timeouts(const call_timeouts& t) { timeouts_ = t; }

  size_t open_calls() const { return calls_.size(); }
  // Keys of the calls open now, oldest first (a capture loss concerns exactly these).
  std::vector<uint64_t> open_call_keys() const;
  uint64_t closed_calls() const { return next_close_seq_; }
  size_t media_endpoints() const { return by_endpoint_.size(); }

 private:
  struct entry {
    std::string call_id;
    timestamp_ns first_ts = 0;
    timestamp_ns last_ts = 0;
    timestamp_ns last_sip_ts = 0;
    bool had_media = false;
    bool answered = false;
    bool ending = false;            // BYE seen, or a final failure to the INVITE
    bool challenged = false;        // the final failure was a 401/407 challenge
    std::vector<endpoint> endpoints;
    size_t delivery = 0;            // index into the plan's deliveries ...
    uint64_t delivery_route = 0;    // ... when this equals route_seq_ (set in this route())
  };
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  void route_packet(const packet_batch& batch, uint8_t slot, uint32_t index, routing_plan& plan,
                    run_stats& stats);
  void route_sip(const packet_batch& batch, uint8_t slot, uint32_t index, routing_plan& plan,
                 run_stats& stats);
  void route_media(const packet_batch& batch, uint8_t slot, uint32_t index, routing_plan& plan,
                   run_stats& stats);
  void deliver(uint64_t key, entry& e, routed_packet p, routing_plan& plan);
  void learn_endpoints(uint64_t key, entry& e, const sip_message& m);
  void expire(timestamp_ns now, routing_plan& plan);
  std::optional<close_reason> due(const entry& e, timestamp_ns now) const;
  void close(uint64_t key, close_reason reason, routing_plan& plan);

  call_timeouts timeouts_;
  // Keys grow with creation order; anything that walks calls_ in an order that shows (expiry,
  // close_all) sorts the keys first, so closes stay deterministic.
  std::unordered_map<uint64_t, entry> calls_;
  std::unordered_map<std::string, uint64_t, string_hash, std::equal_to<>> by_call_id_;
  // Looked up once or twice for every RTP packet: open addressing keeps the key beside the
  // slot, one cache miss per lookup instead of a bucket, a node and the key's compare.
  // The entry pointer stays valid while the call is open (calls_ is node-based) and the close
  // removes every endpoint that still names the call.
  struct endpoint_owner {
    uint64_t key = 0;
    entry* call = nullptr;
  };
  tsl::robin_map<endpoint, endpoint_owner, endpoint_hash> by_endpoint_;
  uint64_t next_key_ = 1;
  uint64_t route_seq_ = 0;  // route() calls so far
  uint64_t next_close_seq_ = 0;
  timestamp_ns next_expiry_check_ = 0;
  std::vector<std::pair<uint64_t, close_reason>> due_;  // scratch for expire()
};

}  // namespace voxmon::core
