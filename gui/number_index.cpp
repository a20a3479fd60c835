#include "gui/number_index.hpp"

#include <algorithm>

namespace voxmon::gui {

void number_index::add(int64_t id, int64_t calldate_ms, std::string_view caller, std::string_view called) {
  if (!calls_.empty() && id <= calls_.back().id) {  // late or re-read: in place, once
    auto at = std::lower_bound(calls_.begin(), calls_.end(), id, [](const call& c, int64_t v) { return c.id < v; });
    if (at != calls_.end() && at->id == id)
      return;
    if (at == calls_.begin() && calls_.size() >= max_calls_)
      return;  // older than everything kept: it would be dropped at once
    calls_.insert(at, call{id, calldate_ms, std::string(caller), std::string(called)});
  } else {
    calls_.push_back(call{id, calldate_ms, std::string(caller), std::string(called)});
  }
  if (calls_.size() > max_calls_) {  // drop the oldest eighth at once (one move of the rest)
    const size_t drop = std::max<size_t>(1, calls_.size() - max_calls_ + max_calls_ / 8);
    for (size_t i = 0; i < drop; ++i)
      newest_dropped_ms_ = std::max(newest_dropped_ms_, calls_[i].calldate_ms);
    calls_.erase(calls_.begin(), calls_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

std::vector<int64_t> number_index::search(int64_t from_ms, int64_t to_ms, std::string_view caller,
                                          std::string_view called, size_t limit) const {
  std::vector<int64_t> out;
  for (const auto& c : calls_) {
    if (c.calldate_ms < from_ms || c.calldate_ms >= to_ms)
      continue;
    if (!caller.empty() && c.caller.find(caller) == std::string::npos)
      continue;
    if (!called.empty() && c.called.find(called) == std::string::npos)
      continue;
    if (out.size() == limit)
      break;
    out.push_back(c.id);
  }
  return out;
}

}  // namespace voxmon::gui
