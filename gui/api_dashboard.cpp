// /api/dashboard: calls per time bucket, ASR, ACD, MOS distribution, worst destinations and
// sensors by MOS and by loss, over a time range (and optionally one sensor).
#include <algorithm>
#include <cmath>

#include "gui/api.hpp"
#include "gui/cdr_query.hpp"

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

json avg_json(const db_value& v, double div) {
  if (v.is_null())
    return nullptr;
  return round3(v.as_real().value_or(0) / div);
}

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
  const std::string loss = loss_expression(f);
  const std::string epoch = mysql ? "UNIX_TIMESTAMP(c.calldate)"
                                  : "CAST(strftime('%s', substr(c.calldate, 1, 19)) AS INTEGER)";
  return with_db(*pool_, [&](gui_db& db) {
    auto totals = db.query({"SELECT COUNT(*), SUM(CASE WHEN c.connect_duration IS NOT NULL THEN 1 ELSE 0 END), "
                            "AVG(c.connect_duration), AVG(c.mos_min_mult10), "
                            "AVG(CASE WHEN c.a_packet_loss_perc_mult1000 IS NOT NULL OR "
                            "c.b_packet_loss_perc_mult1000 IS NOT NULL THEN " + loss + " END) FROM cdr c" + where,
                            params});
    const auto& t = totals.rows.at(0);
    const int64_t calls = t[0].as_int().value_or(0);
    const int64_t answered = t[1].as_int().value_or(0);
    json summary = {{"calls", calls},
                    {"answered", answered},
                    {"asr", calls ? round3(100.0 * answered / calls) : json(nullptr)},
                    {"acd", t[2].is_null() ? json(nullptr) : round3(t[2].as_real().value_or(0))},
                    {"mos_avg", avg_json(t[3], 10)},
                    {"loss_avg", avg_json(t[4], 1000)}};

    auto per = db.query({"SELECT ((" + epoch + (mysql ? " DIV ?" : " / ?") + ") * ?) AS b, COUNT(*), "
                         "SUM(CASE WHEN c.connect_duration IS NOT NULL THEN 1 ELSE 0 END) FROM cdr c" + where +
                         " GROUP BY b ORDER BY b",
                         with({sql_param::integer(bucket), sql_param::integer(bucket)})});
    json series = json::array();
    for (const auto& r : per.rows) {
      const int64_t n = r[1].as_int().value_or(0);
      series.push_back({{"t", format_utc_ms(r[0].as_int().value_or(0) * 1000).substr(0, 16)},
                        {"calls", n},
                        {"answered", r[2].as_int().value_or(0)},
                        {"calls_per_minute", round3(n * 60.0 / bucket)}});
    }

    auto mos = db.query({"SELECT c.mos_min_mult10, COUNT(*) FROM cdr c" + where +
                         " GROUP BY c.mos_min_mult10", params});
    // Bins of 0.5: [1.0, 1.5) ... [4.0, 4.5), [4.5, 5.0]; calls without MOS apart.
    const char* labels[] = {"1.0-1.5", "1.5-2.0", "2.0-2.5", "2.5-3.0", "3.0-3.5", "3.5-4.0", "4.0-4.5", "4.5-5.0"};
    int64_t bins[8] = {}, no_mos = 0;
    for (const auto& r : mos.rows) {
      const int64_t n = r[1].as_int().value_or(0);
      if (r[0].is_null()) {
        no_mos += n;
        continue;
      }
      const int64_t x10 = r[0].as_int().value_or(10);
      const int64_t bin = std::clamp<int64_t>((x10 - 10) / 5, 0, 7);
      bins[bin] += n;
    }
    json dist = json::array();
    for (int i = 0; i < 8; ++i)
      dist.push_back({{"mos", labels[i]}, {"calls", bins[i]}});

    auto worst = [&](const std::string& key, const std::string& order) {
      auto rows = db.query({"SELECT " + key + ", COUNT(*), AVG(c.mos_min_mult10), AVG(" + loss +
                            ") FROM cdr c" + where + " AND c.mos_min_mult10 IS NOT NULL GROUP BY " + key +
                            " ORDER BY " + order + ", " + key + " LIMIT 10", params});
      json out = json::array();
      for (const auto& r : rows.rows) {
        json k = key == "c.sipcalledip" ? ip_json(r[0], f) : json_of(r[0]);
        out.push_back({{"key", k}, {"calls", r[1].as_int().value_or(0)},
                       {"mos_avg", avg_json(r[2], 10)}, {"loss_avg", avg_json(r[3], 1000)}});
      }
      return out;
    };
    json out = {{"from", format_utc_ms(range.from_ms)},
                {"to", format_utc_ms(range.to_ms)},
                {"range_capped", range.capped},
                {"bucket_seconds", bucket},
                {"summary", summary},
                {"per_bucket", series},
                {"mos_distribution", dist},
                {"no_mos", no_mos},
                {"worst_destinations_by_mos", worst("c.sipcalledip", "AVG(c.mos_min_mult10) ASC, COUNT(*) DESC")},
                {"worst_destinations_by_loss", worst("c.sipcalledip", "AVG(" + loss + ") DESC, COUNT(*) DESC")},
                {"worst_sensors_by_mos", worst("c.id_sensor", "AVG(c.mos_min_mult10) ASC, COUNT(*) DESC")},
                {"worst_sensors_by_loss", worst("c.id_sensor", "AVG(" + loss + ") DESC, COUNT(*) DESC")}};
    return json_response(200, out);
  });
}

}  // namespace voxmon::gui
