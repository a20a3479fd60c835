#pragma once
// Gathers each call's packets over several batches before they are sent to its call actor.
//
// A batch of 4,096 packets spread over 20,000 open calls gives most calls a single packet, and
// one actor message per packet costs more than the analysis of the packet (scheduler, mailbox,
// cache misses). So the router does not send a call its packets after every batch: it keeps
// them pending until the call has `packets` of them, or until the batch the pending packets
// began in is no longer among the newest `held_batches` batches, or is `max_age` of packet
// time older than the newest batch. Pending packets refer into their batches, so the router
// holds at most `held_batches` + 1 batches; every source keeps more batches than that alive
// (`source_batches_in_flight`), so a source never waits for credit the router holds.
//
// A call's packets always reach it in routing order; flush_call() must come before anything
// else the router sends the call (close, capture loss).
#include <cstdint>
#include <deque>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/call_directory.hpp"

namespace voxmon::core {

struct coalescing_limits {
  uint32_t packets = 32;               // send once a call has this many packets pending
  uint32_t held_batches = 32;          // ... or its oldest batch is older than the newest 32
  timestamp_ns max_age = 100'000'000;  // ... or its oldest batch began 100 ms before the newest
};

// Batches a source keeps alive at most: the router's held batches plus room for the calls and
// spool writers still working on sent ones.
constexpr uint32_t source_batches_in_flight = coalescing_limits{}.held_batches + 8;

// The packets of one call, from one or more batches (routed_packet::batch indexes `batches`).
struct pending_packets {
  std::vector<batch_ptr> batches;
  std::vector<routed_packet> packets;
};

// Calls f(batch, routed_packet, decoded_packet) for each packet in order. The packets were
// written by the capture on another core and are read here for the first time, so the loop
// prefetches, ahead of the packet it works on, each packet's record (8 ahead), its frame record
// (5 ahead) and its first payload bytes (2 ahead): without it, these three dependent cache
// misses were most of a call actor's time.
template <class F>
void visit_packets(const pending_packets& m, F&& f) {
  const auto& rps = m.packets;
  const size_t n = rps.size();
  auto batch = [&](size_t i) -> const packet_batch& { return *m.batches[rps[i].batch]; };
  auto record = [&](size_t i) -> const decoded_packet& { return batch(i).packets[rps[i].index]; };
  for (size_t i = 0; i < n; ++i) {
    if (i + 8 < n)
      __builtin_prefetch(&record(i + 8));
    if (i + 5 < n && !record(i + 5).payload_in_arena)
      __builtin_prefetch(&batch(i + 5).frames[record(i + 5).frame_index]);
    if (i + 2 < n)
      __builtin_prefetch(batch(i + 2).payload(record(i + 2)).data());
    f(batch(i), rps[i], record(i));
  }
}

class delivery_coalescer {
 public:
  explicit delivery_coalescer(coalescing_limits limits = {}) : limits_(limits) {}

  // Takes one routed batch's deliveries (their packet vectors are consumed) and calls
  // send(call_key, pending_packets&&) for every call whose packets are due now.
  template <class Send>
  void add(const batch_ptr& batch, std::vector<call_delivery>& deliveries, Send&& send) {
    add(std::span<const batch_ptr>(&batch, 1), batch->packets.empty() ? 0 : batch->packets.front().ts,
        deliveries, send);
  }

  // The same for packets routed from several batches at once (a core::merge_round): each
  // routed_packet::batch indexes `batches`; `first_ts` is the time of the round's first packet.
  template <class Send>
  void add(std::span<const batch_ptr> batches, timestamp_ns first_ts,
           std::vector<call_delivery>& deliveries, Send&& send) {
    held_.push_back({next_seq_, first_ts, {}});
    auto& started = held_.back().started;
    for (auto& d : deliveries) {
      auto [it, fresh] = pending_.try_emplace(d.call_key);
      entry& e = it->second;
      if (fresh) {
        e.first_seq = next_seq_;
        started.push_back(d.call_key);
      }
      append(e, batches, d.packets);
      if (e.p.packets.size() >= limits_.packets)
        send_pending(it, send);
    }
    ++next_seq_;
    const timestamp_ns newest = held_.back().first_ts;
    while (!held_.empty() && (held_.size() > limits_.held_batches ||
                              newest - held_.front().first_ts > limits_.max_age)) {
      const held_batch& oldest = held_.front();
      for (uint64_t key : oldest.started)
        if (auto it = pending_.find(key); it != pending_.end() && it->second.first_seq == oldest.seq)
          send_pending(it, send);
      held_.pop_front();
    }
  }

  // Sends the call's pending packets now (before its close, or a capture loss).
  template <class Send>
  void flush_call(uint64_t call_key, Send&& send) {
    if (auto it = pending_.find(call_key); it != pending_.end())
      send_pending(it, send);
  }

  template <class Send>
  void flush_all(Send&& send) {
    for (auto it = pending_.begin(); it != pending_.end();)
      send_pending(it++, send);
    held_.clear();
  }

  size_t pending_calls() const { return pending_.size(); }
  size_t held_batches() const { return held_.size(); }

 private:
  struct entry {
    pending_packets p;
    uint64_t first_seq = 0;  // the batch its pending packets began in
  };
  struct held_batch {
    uint64_t seq = 0;
    timestamp_ns first_ts = 0;
    std::vector<uint64_t> started;  // calls whose pending packets began in this batch
  };
  using map = std::unordered_map<uint64_t, entry>;

  // Appends packets whose routed_packet::batch indexes `batches`, renumbered to e's batches.
  static void append(entry& e, std::span<const batch_ptr> batches, std::vector<routed_packet>& packets);

  template <class Send>
  void send_pending(map::iterator it, Send& send) {
    send(it->first, std::move(it->second.p));
    pending_.erase(it);
  }

  coalescing_limits limits_;
  map pending_;
  std::deque<held_batch> held_;
  uint64_t next_seq_ = 0;
};

}  // namespace voxmon::core
