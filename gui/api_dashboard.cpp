// /api/dashboard: calls per time bucket, ASR, ACD, MOS distribution, worst destinations and
// sensors by MOS and by loss, over a time range (and optionally one sensor).
#include <algorithm>
#include <cmath>

#include "gui/api.hpp"
#include "gui/cdr_query.hpp"
#include "gui/dashboard_stats.hpp"

namespace voxmon::gui {

using nlohmann::json;

namespace {

// Bucket width giving at most ~1500 buckets over the range.
int64_t bucket_seconds(int64_t range_ms) {
  for (int64_t b : {60, 300, 900, 3600, 6 * 3600, 86400})
    if (range_ms / 1000 / b <= 1500)
      return b;
  return 86400;
}

json round3(double v) { return std::round(v * 1000) / 1000; }

}  // namespace

http_response gui_api::dashboard(context& c) {
  time_range range;
  std::optional<int64_t> sensor;
  for (const auto& [k, v] : c.query) {
    if (k == "sensor" && !v.empty()) {
      if (v.size() > 10 || v.find_first_not_of("0123456789") != std::string::npos)
        return error_json(400, "parameter 'sensor': expected a sensor id, got '" + v.substr(0, 40) + "'");
      sensor = std::stoll(v);
    } else if (k != "from" && k != "to" && k != "sensor") {
      return error_json(400, "unknown parameter '" + k.substr(0, 64) + "' (from, to, sensor)");
    }
  }
  if (auto e = parse_time_range(c.query, now_ms(), range))
    return error_json(400, *e);
  const db_features f = pool_->features();
  const bool mysql = f.dialect == sql_dialect::mysql;
  std::string where = " WHERE c.calldate >= ? AND c.calldate < ?";
  std::vector<sql_param> params = {sql_param::text(format_utc_ms(range.from_ms)),
                                   sql_param::text(format_utc_ms(range.to_ms))};
  if (sensor) {
    where += " AND c.id_sensor = ?";
    params.push_back(sql_param::integer(*sensor));
  }
  auto with = [&](std::vector<sql_param> head) {
    head.insert(head.end(), params.begin(), params.end());
    return head;
  };
  const int64_t bucket = bucket_seconds(range.to_ms - range.from_ms);
  const std::string loss = loss_formula(f);  // read from the covering cdr_gui_dashboard
  const std::string epoch = mysql ? "UNIX_TIMESTAMP(c.calldate)"
                                  : "CAST(strftime('%s', substr(c.calldate, 1, 19)) AS INTEGER)";
  const std::string has_loss = "(c.a_packet_loss_perc_mult1000 IS NOT NULL OR c.b_packet_loss_perc_mult1000 IS NOT NULL)";
  return with_db(*pool_, [&](gui_db& db) {
    // One scan for the totals, the time buckets and the MOS distribution: a row per bucket and
    // MOS value (at most ~1500 x 36), summed here (gui/dashboard_stats).
    auto grouped = db.query({"SELECT ((" + epoch + (mysql ? " DIV ?" : " / ?") + ") * ?) AS b, c.mos_min_mult10 AS m, "
                             "COUNT(*), SUM(CASE WHEN c.connect_duration IS NOT NULL THEN 1 ELSE 0 END), "
                             "SUM(c.connect_duration), SUM(CASE WHEN " + has_loss + " THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN " + has_loss + " THEN " + loss + " ELSE 0 END) FROM cdr c" + where +
                             " GROUP BY b, m ORDER BY b, m",
                             with({sql_param::integer(bucket), sql_param::integer(bucket)})});
    dashboard_totals totals;
    for (const auto& r : grouped.rows) {
      call_sums g;
      g.calls = r[2].as_int().value_or(0);
      g.answered = r[3].as_int().value_or(0);
      g.connect_sum = r[4].as_real().value_or(0);
      g.loss_calls = r[5].as_int().value_or(0);
      g.loss_sum_x1000 = r[6].as_int().value_or(0);
      const auto mos = r[1].as_int();
      if (mos) {
        g.mos_calls = g.calls;
        g.mos_sum_x10 = *mos * g.calls;
      }
      totals.add_row(r[0].as_int().value_or(0), mos, g);
    }
    const call_sums& t = totals.all;
    auto mean = [](double sum, int64_t n, double div) { return n ? round3(sum / static_cast<double>(n) / div) : json(nullptr); };
    json summary = {{"calls", t.calls},
                    {"answered", t.answered},
                    {"asr", t.calls ? round3(100.0 * t.answered / t.calls) : json(nullptr)},
                    {"acd", mean(t.connect_sum, t.answered, 1)},
                    {"mos_avg", mean(static_cast<double>(t.mos_sum_x10), t.mos_calls, 10)},
                    {"loss_avg", mean(static_cast<double>(t.loss_sum_x1000), t.loss_calls, 1000)}};
    json series = json::array();
    for (const auto& [start, g] : totals.per_bucket)
      series.push_back({{"t", format_utc_ms(start * 1000).substr(0, 16)},
                        {"calls", g.calls},
                        {"answered", g.answered},
                        {"calls_per_minute", round3(g.calls * 60.0 / bucket)}});
    const char* labels[] = {"1.0-1.5", "1.5-2.0", "2.0-2.5", "2.5-3.0", "3.0-3.5", "3.5-4.0", "4.0-4.5", "4.5-5.0"};
    json dist = json::array();
    for (size_t i = 0; i < 8; ++i)
      dist.push_back({{"mos", labels[i]}, {"calls", totals.mos_bins[i]}});
    const int64_t no_mos = totals.no_mos;

    // One scan per key (destination address, sensor) for both of its worst-of lists.
    auto by_key = [&](const std::string& key) {
      auto rows = db.query({"SELECT " + key + ", COUNT(*), SUM(c.mos_min_mult10), SUM(" + loss + ") FROM cdr c" +
                            where + " AND c.mos_min_mult10 IS NOT NULL GROUP BY " + key, params});
      std::vector<keyed_sums> out;
      out.reserve(rows.rows.size());
      for (auto& r : rows.rows) {
        keyed_sums k{std::move(r[0]), {}};
        k.sums.calls = k.sums.mos_calls = k.sums.loss_calls = r[1].as_int().value_or(0);
        k.sums.mos_sum_x10 = r[2].as_int().value_or(0);
        k.sums.loss_sum_x1000 = r[3].as_int().value_or(0);
        out.push_back(std::move(k));
      }
      return out;
    };
    auto listed = [&](const std::vector<keyed_sums>& rows, bool address) {
      json out = json::array();
      for (const auto& r : rows)
        out.push_back({{"key", address ? ip_json(r.key, f) : json_of(r.key)},
                       {"calls", r.sums.calls},
                       {"mos_avg", mean(static_cast<double>(r.sums.mos_sum_x10), r.sums.mos_calls, 10)},
                       {"loss_avg", mean(static_cast<double>(r.sums.loss_sum_x1000), r.sums.loss_calls, 1000)}});
      return out;
    };
    const auto destinations = by_key("c.sipcalledip");
    const auto sensors = by_key("c.id_sensor");
    json out = {{"from", format_utc_ms(range.from_ms)},
                {"to", format_utc_ms(range.to_ms)},
                {"range_capped", range.capped},
                {"bucket_seconds", bucket},
                {"summary", summary},
                {"per_bucket", series},
                {"mos_distribution", dist},
                {"no_mos", no_mos},
                {"worst_destinations_by_mos", listed(worst_by_mos(destinations), true)},
                {"worst_destinations_by_loss", listed(worst_by_loss(destinations), true)},
                {"worst_sensors_by_mos", listed(worst_by_mos(sensors), false)},
                {"worst_sensors_by_loss", listed(worst_by_loss(sensors), false)}};
    return json_response(200, out);
  });
}

}  // namespace voxmon::gui
