#pragma once
// The dashboard's figures from a few grouped rows instead of one query per figure (three scans
// of the range instead of seven): pure arithmetic over what gui/api_dashboard.cpp reads.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "gui/gui_db.hpp"

namespace voxmon::gui {

// Sums of one group of calls (a time bucket and MOS value, or a destination or sensor).
struct call_sums {
  int64_t calls = 0;
  int64_t answered = 0;         // with connect_duration
  double connect_sum = 0;       // seconds, over the answered calls
  int64_t mos_calls = 0;        // with mos_min_mult10
  int64_t mos_sum_x10 = 0;
  int64_t loss_calls = 0;       // with either direction's loss
  int64_t loss_sum_x1000 = 0;   // the larger direction's, per call
  void add(const call_sums& o);
};

// Figures of a range: totals, per time bucket, the MOS distribution.
struct dashboard_totals {
  call_sums all;
  std::vector<std::pair<int64_t, call_sums>> per_bucket;  // bucket start (s since the epoch), ascending
  std::array<int64_t, 8> mos_bins{};  // [1.0, 1.5) ... [4.0, 4.5), [4.5, 5.0]
  int64_t no_mos = 0;
  // One row of "GROUP BY bucket, mos_min_mult10" (rows of a bucket adjacent, buckets ascending).
  void add_row(int64_t bucket_start, std::optional<int64_t> mos_x10, const call_sums& sums);
};

// The 10 worst keys (destination address or sensor) by MOS (lowest mean first) or by loss
// (highest mean first), ties by more calls, then by key; keys with MOS only.
struct keyed_sums {
  db_value key;
  call_sums sums;
};
std::vector<keyed_sums> worst_by_mos(std::vector<keyed_sums> rows, size_t n = 10);
std::vector<keyed_sums> worst_by_loss(std::vector<keyed_sums> rows, size_t n = 10);

}  // namespace voxmon::gui
