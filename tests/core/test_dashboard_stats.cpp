// The dashboard's sums (gui/dashboard_stats): totals, buckets and MOS bins from grouped rows,
// and the worst-of lists' order.
#include <catch2/catch.hpp>

#include "gui/dashboard_stats.hpp"

using namespace voxmon::gui;

namespace {

call_sums sums(int64_t calls, int64_t answered, double connect, int64_t loss_calls, int64_t loss_sum) {
  call_sums s;
  s.calls = calls;
  s.answered = answered;
  s.connect_sum = connect;
  s.loss_calls = loss_calls;
  s.loss_sum_x1000 = loss_sum;
  return s;
}

db_value number(int64_t v) {
  db_value x;
  x.k = db_value::kind::integer;
  x.i = v;
  return x;
}

db_value text(const std::string& v) {
  db_value x;
  x.k = db_value::kind::text;
  x.s = v;
  return x;
}

keyed_sums key(db_value k, int64_t calls, int64_t mos_sum, int64_t loss_sum) {
  keyed_sums r{std::move(k), {}};
  r.sums.calls = r.sums.mos_calls = r.sums.loss_calls = calls;
  r.sums.mos_sum_x10 = mos_sum;
  r.sums.loss_sum_x1000 = loss_sum;
  return r;
}

}  // namespace

TEST_CASE("dashboard sums: buckets, MOS bins and totals from grouped rows", "[gui][dashboard]") {
  dashboard_totals t;
  // bucket 0: 3 calls without MOS, 2 with MOS 4.1; bucket 60: 1 call with MOS 1.0, 4 with 4.5
  auto with_mos = [](call_sums s, int64_t mos) {
    s.mos_calls = s.calls;
    s.mos_sum_x10 = mos * s.calls;
    return s;
  };
  t.add_row(0, std::nullopt, sums(3, 1, 12.5, 0, 0));
  t.add_row(0, 41, with_mos(sums(2, 2, 20, 2, 1500), 41));
  t.add_row(60, 10, with_mos(sums(1, 1, 3, 1, 20000), 10));
  t.add_row(60, 45, with_mos(sums(4, 4, 40, 4, 0), 45));
  CHECK(t.all.calls == 10);
  CHECK(t.all.answered == 8);
  CHECK(t.all.connect_sum == 75.5);
  CHECK(t.all.mos_calls == 7);
  CHECK(t.all.mos_sum_x10 == 2 * 41 + 10 + 4 * 45);
  CHECK(t.all.loss_calls == 7);
  CHECK(t.all.loss_sum_x1000 == 21500);
  REQUIRE(t.per_bucket.size() == 2);
  CHECK(t.per_bucket[0].first == 0);
  CHECK(t.per_bucket[0].second.calls == 5);
  CHECK(t.per_bucket[0].second.answered == 3);
  CHECK(t.per_bucket[1].first == 60);
  CHECK(t.per_bucket[1].second.calls == 5);
  CHECK(t.no_mos == 3);
  // 4.1 -> [4.0, 4.5) bin 6; 1.0 -> bin 0; 4.5 -> the last bin 7.
  CHECK(t.mos_bins == std::array<int64_t, 8>{1, 0, 0, 0, 0, 0, 2, 4});
}

TEST_CASE("dashboard worst-of lists: mean first, then more calls, then the key", "[gui][dashboard]") {
  std::vector<keyed_sums> rows = {
      key(number(30), 2, 80, 2000),   // MOS 4.0, loss 1.0 %
      key(number(10), 4, 160, 4000),  // MOS 4.0 (more calls: before 30), loss 1.0 %
      key(number(20), 1, 25, 9000),   // MOS 2.5, loss 9 %
      key(number(5), 2, 80, 2000),    // MOS 4.0, 2 calls like 30: the smaller key first
      key(number(7), 0, 0, 0),        // no call with MOS: left out
  };
  auto by_mos = worst_by_mos(rows);
  REQUIRE(by_mos.size() == 4);
  CHECK(by_mos[0].key.i == 20);
  CHECK(by_mos[1].key.i == 10);
  CHECK(by_mos[2].key.i == 5);
  CHECK(by_mos[3].key.i == 30);
  auto by_loss = worst_by_loss(rows);
  REQUIRE(by_loss.size() == 4);
  CHECK(by_loss[0].key.i == 20);
  CHECK(by_loss[1].key.i == 10);
  CHECK(by_loss[2].key.i == 5);
  CHECK(worst_by_mos(rows, 2).size() == 2);
  // Text keys (SQLite's addresses) in byte order; NULL first.
  std::vector<keyed_sums> texts = {key(text("10.0.0.9"), 1, 40, 0), key(text("10.0.0.10"), 1, 40, 0),
                                   key(db_value{}, 1, 40, 0)};
  auto t = worst_by_mos(texts);
  CHECK(t[0].key.is_null());
  CHECK(t[1].key.s == "10.0.0.10");
  CHECK(t[2].key.s == "10.0.0.9");
}
