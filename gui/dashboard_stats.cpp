#include "gui/dashboard_stats.hpp"

#include <algorithm>

namespace voxmon::gui {

namespace {

// ORDER BY key as the store sorts it: numbers by value (MySQL's INT addresses, sensor ids),
// text by bytes, NULL first.
bool key_less(const db_value& a, const db_value& b) {
  if (a.is_null() || b.is_null())
    return a.is_null() && !b.is_null();
  if (a.k != db_value::kind::text && b.k != db_value::kind::text)
    return a.as_real().value_or(0) < b.as_real().value_or(0);
  return a.as_text() < b.as_text();
}

double mean(int64_t sum, int64_t n) { return n ? static_cast<double>(sum) / static_cast<double>(n) : 0.0; }

std::vector<keyed_sums> top(std::vector<keyed_sums> rows, size_t n, bool by_mos) {
  std::erase_if(rows, [](const keyed_sums& r) { return r.sums.mos_calls == 0; });
  auto value = [&](const keyed_sums& r) {
    return by_mos ? mean(r.sums.mos_sum_x10, r.sums.mos_calls) : -mean(r.sums.loss_sum_x1000, r.sums.loss_calls);
  };
  auto less = [&](const keyed_sums& a, const keyed_sums& b) {
    const double va = value(a), vb = value(b);
    if (va != vb)
      return va < vb;
    if (a.sums.calls != b.sums.calls)
      return a.sums.calls > b.sums.calls;
    return key_less(a.key, b.key);
  };
  const size_t k = std::min(n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(k), rows.end(), less);
  rows.resize(k);
  return rows;
}

}  // namespace

void call_sums::add(const call_sums& o) {
  calls += o.calls;
  answered += o.answered;
  connect_sum += o.connect_sum;
  mos_calls += o.mos_calls;
  mos_sum_x10 += o.mos_sum_x10;
  loss_calls += o.loss_calls;
  loss_sum_x1000 += o.loss_sum_x1000;
}

void dashboard_totals::add_row(int64_t bucket_start, std::optional<int64_t> mos_x10, const call_sums& sums) {
  all.add(sums);
  if (per_bucket.empty() || per_bucket.back().first != bucket_start)
    per_bucket.emplace_back(bucket_start, call_sums{});
  per_bucket.back().second.add(sums);
  if (!mos_x10) {
    no_mos += sums.calls;
    return;
  }
  mos_bins[static_cast<size_t>(std::clamp<int64_t>((*mos_x10 - 10) / 5, 0, 7))] += sums.calls;
}

std::vector<keyed_sums> worst_by_mos(std::vector<keyed_sums> rows, size_t n) { return top(std::move(rows), n, true); }
std::vector<keyed_sums> worst_by_loss(std::vector<keyed_sums> rows, size_t n) { return top(std::move(rows), n, false); }

}  // namespace voxmon::gui
