#include "core/source_merge.hpp"

#include <algorithm>
#include <limits>

namespace voxmon::core {

source_merge::source_merge(uint32_t sources, uint32_t max_queued)
    : sources_(sources), max_queued_(std::max<uint32_t>(max_queued, 1)) {}

void source_merge::add(uint32_t source, batch_ptr batch) {
  auto& s = sources_.at(source);
  if (batch->packets.empty())
    return;  // nothing to route (frames that decoded to no packet)
  s.floor = std::max(s.floor, batch->packets.back().ts);
  s.queue.push_back(std::move(batch));
}

void source_merge::progress(uint32_t source, timestamp_ns floor) {
  auto& s = sources_.at(source);
  s.floor = std::max(s.floor, floor);
}

void source_merge::end(uint32_t source) { sources_.at(source).ended = true; }

int source_merge::earliest_head() const {
  int best = -1;
  timestamp_ns best_ts = 0;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const auto& s = sources_[i];
    if (s.queue.empty())
      continue;
    const timestamp_ns ts = s.queue.front()->packets[s.next].ts;
    if (best < 0 || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  return best;
}

timestamp_ns source_merge::release_limit() const {
  // Sources with a queued packet cannot bring one earlier than the earliest head; the others
  // can bring one at their floor.
  timestamp_ns limit = std::numeric_limits<timestamp_ns>::max();
  for (const auto& s : sources_)
    if (!s.ended && s.queue.empty())
      limit = std::min(limit, s.floor);
  return limit;
}

bool source_merge::over_bound() const {
  return std::any_of(sources_.begin(), sources_.end(),
                     [&](const source_state& s) { return s.queue.size() > max_queued_; });
}

int source_merge::slot_of(merge_round& round, const batch_ptr& b) {
  for (size_t i = round.batches.size(); i-- > 0;)
    if (round.batches[i] == b)
      return static_cast<int>(i);
  if (round.batches.size() > std::numeric_limits<uint8_t>::max())
    return -1;  // no slot left: the rest in the next round
  round.batches.push_back(b);
  return static_cast<int>(round.batches.size() - 1);
}

bool source_merge::take(merge_round& round, bool all) {
  round.clear();
  // The limit and the bound only change when a queue empties (floors do not change here).
  timestamp_ns limit = release_limit();
  bool over = over_bound();
  for (;;) {
    const int i = earliest_head();
    if (i < 0)
      break;
    auto& s = sources_[static_cast<size_t>(i)];
    const batch_ptr& b = s.queue.front();
    if (!all && b->packets[s.next].ts > limit) {
      if (!over)
        break;
      ++forced_;
    }
    const int slot = slot_of(round, b);
    if (slot < 0)
      break;
    round.order.push_back({static_cast<uint8_t>(slot), s.next});
    if (++s.next == b->packets.size()) {
      s.queue.pop_front();
      s.next = 0;
      limit = release_limit();
      over = over_bound();
    }
  }
  return !round.empty();
}

timestamp_ns source_merge::released_up_to() const {
  timestamp_ns t = std::numeric_limits<timestamp_ns>::max();
  for (const auto& s : sources_) {
    if (s.ended && s.queue.empty())
      continue;
    t = std::min(t, s.queue.empty() ? s.floor : s.queue.front()->packets[s.next].ts);
  }
  return t;
}

size_t source_merge::queued_batches() const {
  size_t n = 0;
  for (const auto& s : sources_)
    n += s.queue.size();
  return n;
}

}  // namespace voxmon::core
