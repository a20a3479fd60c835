#include "store/mysql_sink.hpp"

#include <cppconn/exception.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace voxmon::store {
namespace {

constexpr size_t text_width = 255;
constexpr size_t ua_width = 512;

bool valid_utf8(const std::string& s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
      return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return false;
    if (len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))
        return false;  // overlong or surrogate
    }
    if (len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
        return false;
    }
    i += len;
  }
  return true;
}

std::string decimal3(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  return buf;
}

template <class T>
std::string num(T v) { return std::to_string(v); }

std::string opt_seconds(const std::optional<core::timestamp_ns>& from,
                        const std::optional<core::timestamp_ns>& to) {
  if (!from || !to)
    return "NULL";
  return decimal3(core::seconds_between(*from, *to));
}

std::string payload_sql(bool present, int payload) {
  return present && payload >= 0 ? num(payload) : "NULL";
}

// cdr_next.fbasename: the Call-ID made a file name (as VoIPmonitor), the Call-ID when unset.
const std::string& fbasename_of(const core::cdr& c) {
  return c.fbasename.empty() ? c.callid : c.fbasename;
}

std::string quoted_date(core::timestamp_ns t) { return "'" + core::format_utc(t) + "'"; }

// (Call-ID as stored, id_sensor, calldate text): the replay key.
std::string dedup_key(const std::string& fbasename, uint32_t sensor, const std::string& date) {
  return fbasename + '\x01' + num(sensor) + '\x01' + date;
}

}  // namespace

std::string mysql_text(const std::string& s, size_t max_chars) {
  std::string out = s;
  if (!valid_utf8(out)) {
    // The JSON writer's replacement, so the database and JSON Lines hold the same text.
    const auto dumped = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out = nlohmann::json::parse(dumped).get<std::string>();
  }
  size_t chars = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if ((static_cast<unsigned char>(out[i]) & 0xC0) != 0x80 && chars++ == max_chars)
      return out.substr(0, i);
  }
  return out;
}

std::unique_ptr<mysql_sink> mysql_sink::open(const mysql_params& p, const mysql_schema_options& o,
                                             db_error& error) {
  auto db = mysql_db::connect(p, error);
  if (!db)
    return nullptr;
  try {
    mysql_schema_info info;
    if (auto e = ensure_mysql_schema(*db, o, info); !e.empty()) {
      error = {db_error_kind::permanent, 0, e};
      return nullptr;
    }
    std::unique_ptr<mysql_sink> sink(new mysql_sink(std::move(db), info));
    auto v = sink->db_->query("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment");
    // Multi-row INSERTs get consecutive ids only in lock modes 0 and 1 with increment 1.
    sink->consecutive_ids_ = !v.empty() && v[0].values[0] != "2" && v[0].values[1] == "1";
    if (info.partitioned)
      sink->partitions_until_ = utc_day(3);
    return sink;
  } catch (const sql::SQLException& e) {
    error = classify(e, "cannot create the schema on " + p.where());
    return nullptr;
  }
}

std::string mysql_sink::text(const std::string& s, size_t max_chars) {
  return db_->quote(mysql_text(s, max_chars));
}

std::string mysql_sink::ip(const core::ip_address& a) {
  if (schema_.ip_binary) {
    static const char* hex = "0123456789ABCDEF";
    std::string out = "X'";
    for (size_t i = 0; i < (a.is_v6 ? 16u : 4u); ++i) {
      out += hex[a.bytes[i] >> 4];
      out += hex[a.bytes[i] & 15];
    }
    return out + "'";
  }
  if (a.is_v6)
    return "NULL";  // an IPv6 address needs ipv6 = yes (VARBINARY columns)
  return num(core::read_be32(a.bytes.data()));
}

db_error mysql_sink::write(std::span<const core::cdr> batch) {
  if (batch.empty())
    return {};
  try {
    write_transaction(batch);
    return {};
  } catch (const sql::SQLException& e) {
    auto err = classify(e, db_->params().where());
    try {
      db_->exec("ROLLBACK");
    } catch (const sql::SQLException&) {
    }
    return err;
  }
}

void mysql_sink::resolve_lookups(std::span<const core::cdr> batch) {
  auto resolve = [&](std::unordered_map<std::string, uint64_t>& cache, const char* table,
                     const char* column, size_t width, auto&& texts_of) {
    std::set<std::string> missing;
    for (const auto& c : batch)
      for (const std::string* t : texts_of(c))
        if (!t->empty() && !cache.count(*t))
          missing.insert(*t);
    if (missing.empty())
      return;
    std::string values, in;
    for (const auto& t : missing) {
      const std::string q = text(t, width);
      values += (values.empty() ? "(" : ",(") + q + ")";
      in += (in.empty() ? "" : ",") + q;
    }
    db_->exec(std::string("INSERT IGNORE INTO ") + table + " (" + column + ") VALUES " + values);
    auto rows = db_->query(std::string("SELECT id, ") + column + " FROM " + table + " WHERE " +
                           column + " IN (" + in + ")");
    std::unordered_map<std::string, uint64_t> stored;
    for (auto& r : rows)
      stored.emplace(r.values[1], std::stoull(r.values[0]));
    for (const auto& t : missing)
      if (auto it = stored.find(mysql_text(t, width)); it != stored.end())
        cache.emplace(t, it->second);
  };
  resolve(response_ids_, "cdr_sip_response", "lastSIPresponse", text_width,
          [](const core::cdr& c) { return std::vector<const std::string*>{&c.last_sip_response}; });
  resolve(ua_ids_, "cdr_ua", "ua", ua_width,
          [](const core::cdr& c) { return std::vector<const std::string*>{&c.a_ua, &c.b_ua}; });
  std::string sensors;
  for (const auto& c : batch)
    if (sensors_.insert(c.id_sensor).second)
      sensors += (sensors.empty() ? "(" : ",(") + num(c.id_sensor) + ")";
  if (!sensors.empty())
    db_->exec("INSERT IGNORE INTO sensors (id_sensor) VALUES " + sensors);
}

void mysql_sink::write_transaction(std::span<const core::cdr> batch) {
  if (!partitions_until_.empty()) {
    core::timestamp_ns latest = 0;
    for (const auto& c : batch)
      latest = std::max(latest, c.calldate);
    const std::string day = core::format_utc(latest).substr(0, 10);
    if (day >= partitions_until_) {
      ensure_partitions_until(*db_, day);
      partitions_until_ = core::format_utc(latest + 86400 * core::ns_per_second).substr(0, 10);
    }
  }
  resolve_lookups(batch);
  db_->exec("START TRANSACTION");

  // Skip what is already stored (a replay) and repeats inside the batch.
  std::string in;
  for (const auto& c : batch)
    in += (in.empty() ? "" : ",") + text(fbasename_of(c), text_width);
  std::set<std::string> seen;
  for (auto& r : db_->query("SELECT fbasename, id_sensor, calldate FROM cdr_next WHERE fbasename IN (" +
                            in + ")"))
    seen.insert(dedup_key(r.values[0], static_cast<uint32_t>(std::stoul(r.values[1])), r.values[2]));
  std::vector<const core::cdr*> rows;
  for (const auto& c : batch)
    if (seen.insert(dedup_key(mysql_text(fbasename_of(c), text_width), c.id_sensor, core::format_utc(c.calldate))).second)
      rows.push_back(&c);
    else
      ++duplicates_;
  if (rows.empty()) {
    db_->exec("COMMIT");
    return;
  }

  auto lookup = [](const std::unordered_map<std::string, uint64_t>& m, const std::string& t) {
    auto it = m.find(t);
    return t.empty() || it == m.end() ? std::string("NULL") : num(it->second);
  };
  const std::string cdr_head =
      "INSERT INTO cdr (calldate, callend, duration, connect_duration, progress_time, "
      "first_rtp_time, caller, callername, caller_domain, called, called_domain, sipcallerip, "
      "sipcallerport, sipcalledip, sipcalledport, lastSIPresponseNum, lastSIPresponse_id, bye, "
      "whohanged, a_ua_id, b_ua_id, id_sensor, vlan, a_payload, b_payload, a_received, "
      "b_received, a_lost, b_lost, a_avgjitter_mult10, b_avgjitter_mult10, a_maxjitter, "
      "b_maxjitter) VALUES ";
  auto cdr_values = [&](const core::cdr& c) {
    const auto a = core::summarize_direction(c, core::party::caller);
    const auto b = core::summarize_direction(c, core::party::callee);
    auto jit10 = [](const core::direction_summary& d) {
      return d.present ? num(std::llround(d.avgjitter_ms * 10.0)) : std::string("NULL");
    };
    auto maxjit = [](const core::direction_summary& d) {
      return d.present ? num(std::llround(d.maxjitter_ms)) : std::string("NULL");
    };
    std::string v = "(";
    v += quoted_date(c.calldate) + "," + quoted_date(c.callend) + "," +
         decimal3(core::seconds_between(c.calldate, c.callend)) + "," +
         opt_seconds(c.connect_time, c.callend) + "," + opt_seconds(c.calldate, c.progress_time) +
         "," + opt_seconds(c.calldate, c.first_rtp_time) + ",";
    v += text(c.caller, text_width) + "," + text(c.callername, text_width) + "," +
         text(c.caller_domain, text_width) + "," + text(c.called, text_width) + "," +
         text(c.called_domain, text_width) + ",";
    v += ip(c.sipcaller.addr) + "," + num(c.sipcaller.port) + "," + ip(c.sipcalled.addr) + "," +
         num(c.sipcalled.port) + "," + num(c.last_sip_response_num) + "," +
         lookup(response_ids_, c.last_sip_response) + "," + num(static_cast<int>(c.bye)) + ",";
    v += c.whohanged ? (*c.whohanged == core::party::caller ? "'caller'," : "'callee',") : "NULL,";
    v += lookup(ua_ids_, c.a_ua) + "," + lookup(ua_ids_, c.b_ua) + "," + num(c.id_sensor) + "," +
         (c.vlan ? num(*c.vlan) : std::string("NULL")) + ",";
    v += payload_sql(a.present, a.payload) + "," + payload_sql(b.present, b.payload) + "," +
         num(a.present ? a.received : 0) + "," + num(b.present ? b.received : 0) + "," +
         num(a.present ? a.lost : 0) + "," + num(b.present ? b.lost : 0) + "," + jit10(a) + "," +
         jit10(b) + "," + maxjit(a) + "," + maxjit(b) + ")";
    return v;
  };

  std::vector<uint64_t> ids;
  if (consecutive_ids_) {
    std::string sql = cdr_head;
    sql.reserve(rows.size() * 400);
    for (size_t i = 0; i < rows.size(); ++i)
      sql += (i ? "," : "") + cdr_values(*rows[i]);
    db_->exec(sql);
    const uint64_t first = db_->last_insert_id();
    for (size_t i = 0; i < rows.size(); ++i)
      ids.push_back(first + i);
  } else {
    for (const auto* c : rows) {
      db_->exec(cdr_head + cdr_values(*c));
      ids.push_back(db_->last_insert_id());
    }
  }

  std::string next = "INSERT INTO cdr_next (cdr_ID, calldate, fbasename, id_sensor) VALUES ";
  std::string rtp =
      "INSERT INTO cdr_rtp (cdr_ID, calldate, saddr, sport, daddr, dport, ssrc, payload, "
      "received, loss, firsttime, avgjitter_mult10, maxjitter_mult10) VALUES ";
  bool any_rtp = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& c = *rows[i];
    const std::string id = num(ids[i]);
    next += (i ? ",(" : "(") + id + "," + quoted_date(c.calldate) + "," +
            text(fbasename_of(c), text_width) + "," + num(c.id_sensor) + ")";
    for (const auto& s : c.rtp) {
      rtp += (any_rtp ? ",(" : "(") + id + "," + quoted_date(c.calldate) + "," +
             ip(s.src.addr) + "," + num(s.src.port) + "," + ip(s.dst.addr) + "," +
             num(s.dst.port) + "," + num(s.ssrc) + "," + payload_sql(true, s.payload) + "," +
             num(s.received) + "," + num(s.lost) + "," +
             decimal3(core::seconds_between(c.calldate, s.first_ts)) + "," +
             num(std::llround(s.avgjitter_ms * 10.0)) + "," +
             num(std::llround(s.maxjitter_ms * 10.0)) + ")";
      any_rtp = true;
    }
  }
  db_->exec(next);
  if (any_rtp)
    db_->exec(rtp);
  db_->exec("COMMIT");
  inserted_ += rows.size();
}

}  // namespace voxmon::store
