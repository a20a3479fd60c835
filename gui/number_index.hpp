#pragma once
// The GUI's in-memory copy of each call's id, start time and numbers, for substring searches
// ("contains"), which no B-tree index serves: MariaDB compares the numbers of every call of the
// range (about 0.4 us per call: 422 ms for a month of a million calls), a scan of this copy
// takes a few ms. Pure: gui/number_search.hpp fills it from the store and keeps it current.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace voxmon::gui {

class number_index {
 public:
  explicit number_index(size_t max_calls) : max_calls_(max_calls) {}

  // A call; an id already held is ignored (ids come mostly in ascending order).
  void add(int64_t id, int64_t calldate_ms, std::string_view caller, std::string_view called);
  // Beyond max_calls the lowest ids are dropped; then only ranges starting after the newest
  // start time dropped are complete here.
  bool covers(int64_t from_ms) const { return from_ms > newest_dropped_ms_; }
  // Calls that were never added (a store with more than max_calls) started up to `ms`.
  void missing_up_to(int64_t ms) { newest_dropped_ms_ = std::max(newest_dropped_ms_, ms); }
  // Ids (ascending) of the calls starting in [from_ms, to_ms) whose caller contains `caller`
  // and whose called contains `called` (an empty text matches all), at most `limit`.
  std::vector<int64_t> search(int64_t from_ms, int64_t to_ms, std::string_view caller, std::string_view called,
                              size_t limit) const;
  int64_t max_id() const { return calls_.empty() ? 0 : calls_.back().id; }
  size_t size() const { return calls_.size(); }

 private:
  struct call {
    int64_t id;
    int64_t calldate_ms;
    std::string caller, called;
  };
  size_t max_calls_;
  std::vector<call> calls_;  // by id
  int64_t newest_dropped_ms_ = INT64_MIN;
};

}  // namespace voxmon::gui
