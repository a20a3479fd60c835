// /api/cdrs, /api/cdrs.csv, /api/cdr/ID, /api/cdr/ID/ladder, /api/cdr/ID/pcap,
// /api/cdr/ID/intervals.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/spool_lookup.hpp"
#include "gui/api.hpp"
#include "gui/call_location.hpp"
#include "gui/cdr_list.hpp"
#include "gui/ladder.hpp"

namespace voxmon::gui {

using nlohmann::json;

namespace {

constexpr uint64_t csv_row_limit = 100000;
constexpr uint32_t csv_page = 1000;

// "YYYY-MM-DD HH:MM:SS.mmm" whatever the store gave (MySQL drops a zero fraction).
std::string datetime_ms(const db_value& v) {
  std::string t = v.as_text().substr(0, 23);
  if (t.size() == 19)
    t += '.';
  if (t.size() >= 20 && t.size() < 23)
    t.append(23 - t.size(), '0');
  return t;
}

double scaled(const db_value& v, double div) { return v.as_real().value_or(0) / div; }

json scaled_json(const db_value& v, double div) {
  if (v.is_null())
    return nullptr;
  return std::round(scaled(v, div) * 1000) / 1000;
}

// One list row as JSON: VoIPmonitor's names, addresses as text, MOS and loss in plain units.
json list_row(const db_row& row, const db_features& f) {
  const auto& cols = list_columns();
  json o = json::object();
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto& c = cols[i];
    const auto& v = row[i];
    if (c == "ID")
      o["id"] = json_of(v);
    else if (c == "sipcallerip" || c == "sipcalledip")
      o[c] = ip_json(v, f);
    else if (c == "whohanged")
      o[c] = party_json(v);
    else if (c == "mos_min_mult10")
      o["mos_min"] = scaled_json(v, 10);
    else if (c == "a_packet_loss_perc_mult1000")
      o["a_loss_perc"] = scaled_json(v, 1000);
    else if (c == "b_packet_loss_perc_mult1000")
      o["b_loss_perc"] = scaled_json(v, 1000);
    else if (c == "calldate" || c == "callend")
      o[c] = datetime_ms(v);
    else
      o[c] = json_of(v);
  }
  return o;
}

std::string csv_value(const json& v) {
  if (v.is_null())
    return "";
  if (v.is_string())
    return csv_field(v.get<std::string>());
  return v.dump();
}

// The sensor to fetch the call's files from: when this node has none of them, the call was
// recorded by another sensor than this node, and this node can reach its sensors (the central
// node's hook). nullopt: the local spool is all there is.
std::optional<uint32_t> remote_sensor_of(const call_location& where, const core::spool_call_files& local,
                                         const config::settings& s, const gui_hooks& hooks) {
  if (!hooks.remote_pcap || !local.empty() || where.fbasename.empty() || !where.id_sensor ||
      *where.id_sensor == 0 || *where.id_sensor == s.id_sensor)
    return std::nullopt;
  return where.id_sensor;
}

// The HTTP status of a remote fetch that brought nothing.
unsigned status_of(core::remote_pcap_outcome o) {
  switch (o) {
    case core::remote_pcap_outcome::ok: return 200;
    case core::remote_pcap_outcome::not_found: return 404;
    case core::remote_pcap_outcome::not_connected: return 503;
    case core::remote_pcap_outcome::no_answer: return 504;
    case core::remote_pcap_outcome::too_large:
    case core::remote_pcap_outcome::failed: return 502;
  }
  return 502;
}

}  // namespace

std::optional<http_response> gui_api::call_files(const call_location& where, bool sip, bool rtp,
                                                 core::spool_call_files& files,
                                                 remote_call_files& remote) {
  files = core::find_call_files(settings_.spooldir, where.fbasename, where.calldate);
  const auto sensor = remote_sensor_of(where, files, settings_, hooks_);
  if (!sensor)
    return std::nullopt;
  remote = hooks_.remote_pcap({*sensor, where.fbasename, where.calldate, sip, rtp, false});
  if (remote.outcome != core::remote_pcap_outcome::ok)
    return error_json(status_of(remote.outcome), remote.error);
  files.sip = remote.sip;
  files.rtp = remote.rtp;
  return std::nullopt;
}

http_response gui_api::cdr_list(context& c) {
  cdr_filter f;
  if (auto e = parse_cdr_filter(c.query, now_ms(), f))
    return error_json(400, *e);
  const db_features feats = pool_->features();
  const uint64_t offset = uint64_t{f.page - 1} * f.per_page;
  return with_db(*pool_, [&](gui_db& db) {
    auto [rows, total] = cdr_list_page(db, f, feats, offset, f.per_page, numbers_.get());
    json list = json::array();
    for (const auto& row : rows.rows)
      list.push_back(list_row(row, feats));
    json out = {{"from", format_utc_ms(f.range.from_ms)},
                {"to", format_utc_ms(f.range.to_ms)},
                {"range_capped", f.range.capped},
                {"page", f.page},
                {"per_page", f.per_page},
                {"total", std::min<int64_t>(total, count_limit)},
                {"total_capped", total > static_cast<int64_t>(count_limit)},
                {"rows", list}};
    if (f.range.capped)
      out["note"] = "the time range was cut to the last 366 days before 'to'";
    return json_response(200, out);
  });
}

http_response gui_api::cdr_csv(context& c) {
  cdr_filter f;
  if (auto e = parse_cdr_filter(c.query, now_ms(), f))
    return error_json(400, *e);
  f.page = 1;
  f.per_page = csv_page;
  struct state {
    std::shared_ptr<db_pool> pool;
    std::shared_ptr<number_search> numbers;
    cdr_filter filter;
    uint64_t offset = 0;
    bool header_done = false;
  };
  auto st = std::make_shared<state>(state{pool_, numbers_, f});
  static const std::vector<std::string> columns = {
      "id", "calldate", "callend", "duration", "connect_duration", "caller", "callername",
      "caller_domain", "called", "called_domain", "sipcallerip", "sipcallerport", "sipcalledip",
      "sipcalledport", "lastSIPresponseNum", "lastSIPresponse", "bye", "whohanged", "id_sensor",
      "a_lost", "b_lost", "mos_min", "a_loss_perc", "b_loss_perc", "a_payload", "b_payload"};
  http_response res;
  res.content_type = "text/csv; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"voxmon-cdrs.csv\"");
  res.headers.emplace_back("X-Voxmon-Row-Limit", std::to_string(csv_row_limit));
  res.producer = [st](std::string& chunk) {
    if (!st->header_done) {
      for (size_t i = 0; i < columns.size(); ++i)
        chunk += (i ? "," : "") + columns[i];
      chunk += "\r\n";
      st->header_done = true;
      const bool any = with_db(*st->pool, [&](gui_db& db) { return narrow_by_numbers(db, st->numbers.get(), st->filter); });
      if (!any)
        return false;  // no call has those numbers: the header only
    }
    const uint32_t limit = static_cast<uint32_t>(std::min<uint64_t>(csv_page, csv_row_limit - st->offset));
    const auto feats = st->pool->features();
    auto rows = with_db(*st->pool, [&](gui_db& db) { return cdr_list_rows(db, st->filter, feats, st->offset, limit); });
    for (const auto& row : rows.rows) {
      const json o = list_row(row, feats);
      for (size_t i = 0; i < columns.size(); ++i)
        chunk += (i ? "," : "") + csv_value(o[columns[i]]);
      chunk += "\r\n";
    }
    st->offset += rows.rows.size();
    return rows.rows.size() == limit && st->offset < csv_row_limit;
  };
  return res;
}

http_response gui_api::cdr_detail(context&, int64_t id) {
  const db_features feats = pool_->features();
  call_location where;
  auto found = with_db(*pool_, [&](gui_db& db) -> std::optional<json> {
    auto r = db.query({"SELECT c.*, r.lastSIPresponse AS lastSIPresponse, ua.ua AS a_ua, ub.ua AS b_ua, "
                       "n.fbasename AS fbasename FROM cdr c "
                       "LEFT JOIN cdr_sip_response r ON r.id = c.lastSIPresponse_id "
                       "LEFT JOIN cdr_ua ua ON ua.id = c.a_ua_id LEFT JOIN cdr_ua ub ON ub.id = c.b_ua_id "
                       "LEFT JOIN cdr_next n ON n.cdr_ID = c.ID WHERE c.ID = ?",
                       {sql_param::integer(id)}});
    if (r.rows.empty())
      return std::nullopt;
    json cdr = json::object();
    std::string fbasename, calldate;
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const auto& name = r.columns[i];
      const auto& v = r.rows[0][i];
      if (name == "sipcallerip" || name == "sipcalledip")
        cdr[name] = ip_json(v, feats);
      else if (name == "whohanged")
        cdr[name] = party_json(v);
      else if (name == "calldate" || name == "callend")
        cdr[name] = datetime_ms(v);
      else
        cdr[name] = json_of(v);
      if (name == "fbasename")
        fbasename = v.as_text();
      if (name == "calldate")
        calldate = v.as_text();
      if (name == "id_sensor")
        where.id_sensor = sensor_of(v);
    }
    where.fbasename = fbasename;
    where.calldate = calldate_ns(calldate);
    json rtp = json::array();
    auto streams = db.query({"SELECT * FROM cdr_rtp WHERE cdr_ID = ? ORDER BY ID", {sql_param::integer(id)}});
    for (const auto& row : streams.rows) {
      json s = json::object();
      for (size_t i = 0; i < streams.columns.size(); ++i) {
        const auto& name = streams.columns[i];
        if (name == "saddr" || name == "daddr")
          s[name] = ip_json(row[i], feats);
        else if (name != "calldate" && name != "cdr_ID" && name != "intervals")  // series: /intervals
          s[name] = json_of(row[i]);
      }
      rtp.push_back(s);
    }
    json dtmf = json::array();
    auto digits = db.query({"SELECT dtmf, firsttime, type, duration, sender, saddr, daddr FROM cdr_dtmf "
                            "WHERE cdr_ID = ? ORDER BY firsttime, ID", {sql_param::integer(id)}});
    for (const auto& row : digits.rows) {
      const auto type = row[2].as_int();
      dtmf.push_back({{"digit", row[0].as_text()},
                      {"time", json_of(row[1])},
                      {"type", type ? json(*type == 1 ? "rfc2833" : "sip_info") : json(nullptr)},
                      {"duration", json_of(row[3])},
                      {"sender", party_json(row[4])},
                      {"saddr", ip_json(row[5], feats)},
                      {"daddr", ip_json(row[6], feats)}});
    }
    return json{{"id", id}, {"cdr", cdr}, {"rtp", rtp}, {"dtmf", dtmf}};
  });
  if (!found)
    return error_json(404, "no call with id " + std::to_string(id));
  json& out = *found;
  const auto files = core::find_call_files(settings_.spooldir, where.fbasename.empty() ? "-" : where.fbasename,
                                           where.calldate);
  out["pcap"] = {{"sip", !where.fbasename.empty() && !files.sip.empty()},
                 {"rtp", !where.fbasename.empty() && !files.rtp.empty()}};
  // Asked after the store's connection is back in the pool: a sensor may take seconds.
  if (auto sensor = remote_sensor_of(where, files, settings_, hooks_)) {
    const auto remote = hooks_.remote_pcap({*sensor, where.fbasename, where.calldate, true, true, true});
    out["pcap"] = {{"sip", remote.has_sip}, {"rtp", remote.has_rtp}, {"sensor", *sensor}};
    if (remote.outcome != core::remote_pcap_outcome::ok && remote.outcome != core::remote_pcap_outcome::not_found)
      out["pcap"]["error"] = remote.error;
  }
  return json_response(200, out);
}

// Each stream's per-10-s series from cdr_rtp.intervals (the JSON text the node wrote, the
// same array as the JSON Lines' rtp[].intervals); null for rows written before schema 4.
http_response gui_api::cdr_intervals(context& c, int64_t id) {
  if (!c.query.empty())
    return error_json(400, "unknown parameter '" + c.query.begin()->first.substr(0, 64) +
                               "' (this endpoint takes none)");
  const db_features feats = pool_->features();
  return with_db(*pool_, [&](gui_db& db) {
    auto call = db.query({"SELECT ID FROM cdr WHERE ID = ?", {sql_param::integer(id)}});
    if (call.rows.empty())
      return error_json(404, "no call with id " + std::to_string(id));
    auto rows = db.query({"SELECT ID, saddr, sport, daddr, dport, ssrc, codec, firsttime, intervals "
                          "FROM cdr_rtp WHERE cdr_ID = ? ORDER BY ID", {sql_param::integer(id)}});
    json streams = json::array();
    for (size_t k = 0; k < rows.rows.size(); ++k) {
      const auto& row = rows.rows[k];
      json series = nullptr;
      if (!row[8].is_null()) {
        series = json::parse(row[8].as_text(), nullptr, false);
        if (series.is_discarded() || !series.is_array())
          series = nullptr;
      }
      streams.push_back({{"index", k}, {"rtp_id", json_of(row[0])}, {"saddr", ip_json(row[1], feats)},
                         {"sport", json_of(row[2])}, {"daddr", ip_json(row[3], feats)},
                         {"dport", json_of(row[4])}, {"ssrc", json_of(row[5])},
                         {"codec", json_of(row[6])}, {"firsttime", json_of(row[7])},
                         {"intervals", series}});
    }
    return json_response(200, json{{"id", id}, {"interval_seconds", 10}, {"streams", streams}});
  });
}

http_response gui_api::cdr_ladder(context&, int64_t id) {
  const auto where = locate_call(*pool_, id);
  if (!where)
    return error_json(404, "no call with id " + std::to_string(id));
  if (where->fbasename.empty())
    return error_json(404, "call " + std::to_string(id) + " has no file name in cdr_next: no pcap to read");
  core::spool_call_files files;
  remote_call_files remote;  // its copies live until the ladder is built
  if (auto failed = call_files(*where, true, false, files, remote))
    return *failed;
  if (files.sip.empty())
    return error_json(404, "no SIP pcap of call " + std::to_string(id) + " ('" + where->fbasename +
                               "') in spool '" + settings_.spooldir + "' (savesip off, or cleaned)");
  call_ladder l;
  std::string error;
  if (!build_ladder(files.sip, l, error))
    return error_json(500, "cannot read the SIP pcap: " + error);
  json msgs = json::array();
  const int64_t t0 = l.messages.empty() ? 0 : l.messages.front().ts_ns;
  for (const auto& m : l.messages) {
    const int64_t ms = m.ts_ns / 1'000'000;
    msgs.push_back({{"time", format_utc_ms(ms)},
                    {"rel", std::round(static_cast<double>(m.ts_ns - t0) / 1e6) / 1000},
                    {"src", m.src}, {"dst", m.dst}, {"from", m.src_col}, {"to", m.dst_col},
                    {"request", m.request}, {"label", m.label}, {"cseq", m.cseq},
                    {"transport", m.transport}, {"text", m.text}});
  }
  json out{{"id", id}, {"hosts", l.hosts}, {"messages", msgs}, {"packets", l.packets},
           {"not_sip", l.not_sip}, {"truncated", l.truncated}};
  if (remote.has_sip)
    out["sensor"] = *where->id_sensor;  // read from that sensor's spool
  return json_response(200, out);
}

http_response gui_api::cdr_pcap(context& c, int64_t id) {
  std::string part = "merged";
  for (const auto& [k, v] : c.query) {
    if (k != "part")
      return error_json(400, "unknown parameter '" + k.substr(0, 64) + "' (only part=sip|rtp|merged)");
    part = v;
  }
  if (part != "sip" && part != "rtp" && part != "merged")
    return error_json(400, "parameter 'part': expected sip, rtp or merged");
  const auto where = locate_call(*pool_, id);
  if (!where)
    return error_json(404, "no call with id " + std::to_string(id));
  if (where->fbasename.empty())
    return error_json(404, "call " + std::to_string(id) + " has no file name in cdr_next: no pcap");
  core::spool_call_files files;
  remote_call_files remote;  // its copies live until they are merged
  if (auto failed = call_files(*where, part != "rtp", part != "sip", files, remote))
    return *failed;
  std::vector<std::filesystem::path> chosen;
  if (part != "rtp")
    chosen.insert(chosen.end(), files.sip.begin(), files.sip.end());
  if (part != "sip")
    chosen.insert(chosen.end(), files.rtp.begin(), files.rtp.end());
  if (chosen.empty())
    return error_json(404, "no " + (part == "merged" ? std::string("pcap") : part == "sip" ? "SIP pcap" : "RTP pcap") +
                               " of call " + std::to_string(id) + " ('" + where->fbasename + "') in spool '" +
                               settings_.spooldir + "'");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> tmp(std::tmpfile(), &std::fclose);
  if (!tmp)
    return error_json(500, "cannot create a temporary file for the pcap");
  std::string error;
  if (!core::merge_call_pcap(chosen, tmp.get(), error))
    return error_json(500, "cannot merge the call's pcap files: " + error);
  std::rewind(tmp.get());
  auto file = std::shared_ptr<std::FILE>(tmp.release(), &std::fclose);
  http_response res;
  res.content_type = "application/vnd.tcpdump.pcap";
  res.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + download_name(where->fbasename) + "-" + part + ".pcap\"");
  res.producer = [file](std::string& chunk) {
    chunk.resize(256 * 1024);
    const size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
    chunk.resize(n);
    return n > 0;
  };
  return res;
}

}  // namespace voxmon::gui
