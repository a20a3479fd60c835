#pragma once
// Merges the batches of several live sources (one per interface) into one stream in packet-time
// order, so that a call whose packets arrive on two interfaces is routed in the order the wire
// saw them (the INVITE before its 200 OK, the 200 OK's SDP before the RTP it announced, the BYE
// before its 200 OK), whichever interface's thread handed its batch over first.
//
// Each source's packets are taken to come in time order. A packet is released once no source
// can still bring an earlier one: every other source either has a packet queued (its head is
// known) or has promised, with progress() or with the newest packet of its latest batch, that
// nothing earlier is coming. A source that stays silent without promising holds the others
// back, but not for ever: once a source has more than `max_queued` batches waiting, its packets
// are released anyway (in the best order known), so the batches alive stay bounded.
#include <cstdint>
#include <deque>
#include <vector>

#include "core/packet_batch.hpp"

namespace voxmon::core {

// Packets released together: `order` lists them in time order, each as (slot in `batches`,
// index into that batch's packets).
struct merge_round {
  struct entry {
    uint8_t slot = 0;
    uint32_t index = 0;
  };
  std::vector<batch_ptr> batches;
  std::vector<entry> order;
  void clear() {
    batches.clear();
    order.clear();
  }
  bool empty() const { return order.empty(); }
};

class source_merge {
 public:
  static constexpr uint32_t default_max_queued = 4;
  explicit source_merge(uint32_t sources, uint32_t max_queued = default_max_queued);

  // A source's next batch (its packets after every one it gave before).
  void add(uint32_t source, batch_ptr batch);
  // The source will bring no packet earlier than `floor` any more.
  void progress(uint32_t source, timestamp_ns floor);
  // The source brings nothing more.
  void end(uint32_t source);

  // Moves every packet that can be released now into `round` (cleared first). With `all`,
  // every queued packet (the end of the input). Returns !round.empty().
  bool take(merge_round& round, bool all = false);

  // Packet time up to which everything has been released or is queued: the earliest time a
  // packet not yet released can have. A timer tick must not move the calls' clock past it.
  timestamp_ns released_up_to() const;
  size_t queued_batches() const;
  // Packets released before the other sources had promised (a source was silent too long).
  uint64_t forced() const { return forced_; }

 private:
  struct source_state {
    std::deque<batch_ptr> queue;
    uint32_t next = 0;        // next packet of queue.front()
    timestamp_ns floor = 0;   // no packet not yet queued is earlier than this
    bool ended = false;
  };
  // The source whose head packet is the earliest, or -1 when no packet is queued.
  int earliest_head() const;
  // The latest time a packet may have to be released now: the earliest floor of the sources
  // with nothing queued (the others' heads are all known).
  timestamp_ns release_limit() const;
  bool over_bound() const;
  // `b`'s slot in the round (added if new), or -1 when the round has no slot left.
  static int slot_of(merge_round& round, const batch_ptr& b);

  std::vector<source_state> sources_;
  uint32_t max_queued_;
  uint64_t forced_ = 0;
};

}  // namespace voxmon::core
