#pragma once
// Substring searches through the number index (gui/number_index.hpp), kept current from the
// store: the first search loads the newest `max_calls` calls (about 1 s per million on MySQL),
// later ones first read the calls added since (at most once a second). A call committed late
// with an id below ones already read (two writer connections commit out of order) is caught by
// reading again everything added in the last `reread` seconds. The index only narrows: the
// list's SQL keeps every condition, so a call deleted from the store is simply not found.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "gui/cdr_query.hpp"
#include "gui/gui_db.hpp"
#include "gui/number_index.hpp"

namespace voxmon::gui {

class number_search {
 public:
  struct options {
    size_t max_calls = 2'000'000;                   // about 80 bytes each; 0: no index
    size_t max_candidates = 2000;                   // more matches: the SQL scan finds a page soon
    std::chrono::seconds reread{60};
    std::chrono::milliseconds refresh_every{1000};
  };
  number_search() : number_search(options{}) {}
  explicit number_search(options o) : options_(o), index_(o.max_calls) {}

  // For a "contains" filter on caller or called: the ids of the calls that can match (empty:
  // none), or nullopt when the SQL scan should run instead (another kind of filter, a range the
  // index does not hold completely, or more than max_candidates matches). Throws db_failure.
  std::optional<std::vector<int64_t>> candidates(gui_db& db, const cdr_filter& f);
  // Loads the index now (the GUI's start, on a thread of its own). Throws db_failure.
  void warm(gui_db& db);

 private:
  void refresh(gui_db& db);
  options options_;
  std::mutex mutex_;
  number_index index_;
  bool loaded_ = false;
  bool unusable_ = false;
  std::chrono::steady_clock::time_point last_refresh_{};
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> max_ids_;  // (when, max id read)
};

}  // namespace voxmon::gui
