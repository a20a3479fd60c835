#include "store/mysql_sink.hpp"

#include <cppconn/exception.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>

#include "store/cdr_sink.hpp"
#include "store/mysql_quality.hpp"

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
    sink->db2_ = mysql_db::connect(p, error);
    if (!sink->db2_)
      return nullptr;
    return sink;
  } catch (const sql::SQLException& e) {
    error = classify(e, "cannot create the schema on " + p.where());
    return nullptr;
  }
}

std::string mysql_sink::text(const std::string& s, size_t max_chars) {
  return db_->quote(mysql_text(s, max_chars));
}

sql_value mysql_sink::ip(const core::ip_address& a) {
  if (schema_.ip_binary)  // VARBINARY(16): the address bytes
    return sql_value::text(std::string(a.bytes.begin(), a.bytes.begin() + (a.is_v6 ? 16 : 4)));
  if (a.is_v6)
    return sql_value::null();  // an IPv6 address needs ipv6 = yes (VARBINARY columns)
  return sql_value::integer(core::read_be32(a.bytes.data()));
}

db_error mysql_sink::write(std::span<const core::cdr> batch) {
  if (batch.empty())
    return {};
  try {
    write_transaction(batch);
    return {};
  } catch (const sql::SQLException& e) {
    auto err = classify(e, db_->params().where());
    for (auto* db : {db_.get(), db2_.get()}) {
      try {
        if (db)
          db->exec("ROLLBACK");
      } catch (const sql::SQLException&) {
      }
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

void mysql_sink::build_chunk(std::span<const core::cdr* const> part, chunk_values& out) {
  using v = sql_value;
  auto lookup = [](const std::unordered_map<std::string, uint64_t>& m, const std::string& t) {
    auto it = m.find(t);
    return t.empty() || it == m.end() ? v::null() : v::integer(static_cast<int64_t>(it->second));
  };
  auto seconds = [](const std::optional<core::timestamp_ns>& from,
                    const std::optional<core::timestamp_ns>& to) {
    return from && to ? v::text(decimal3(core::seconds_between(*from, *to))) : v::null();
  };
  auto txt = [](const std::string& t, size_t width) { return v::text(mysql_text(t, width)); };
  auto payload = [](bool present, int pt) { return present && pt >= 0 ? v::integer(pt) : v::null(); };

  const size_t cdr_columns = 33 + cdr_quality_columns().size();
  const size_t rtp_columns = 13 + rtp_quality_columns().size();
  constexpr size_t next_columns = 4;
  out.clear();
  out.cdr.reserve(part.size() * cdr_columns);
  out.next.reserve(part.size() * next_columns);
  out.rtp.reserve(part.size() * 2 * rtp_columns);
  for (uint32_t k = 0; k < part.size(); ++k) {
    const auto& c = *part[k];
    const auto a = core::summarize_direction(c, core::party::caller);
    const auto b = core::summarize_direction(c, core::party::callee);
    auto jit10 = [](const core::direction_summary& d) {
      return d.present ? v::integer(std::llround(d.avgjitter_ms * 10.0)) : v::null();
    };
    auto maxjit = [](const core::direction_summary& d) {
      return d.present ? v::integer(std::llround(d.maxjitter_ms)) : v::null();
    };
    const auto calldate = v::text(core::format_utc(c.calldate));
    auto& r = out.cdr;
    r.push_back(calldate);
    r.push_back(v::text(core::format_utc(c.callend)));
    r.push_back(v::text(decimal3(core::seconds_between(c.calldate, c.callend))));
    r.push_back(seconds(c.connect_time, c.callend));
    r.push_back(seconds(c.calldate, c.progress_time));
    r.push_back(seconds(c.calldate, c.first_rtp_time));
    r.push_back(txt(c.caller, text_width));
    r.push_back(txt(c.callername, text_width));
    r.push_back(txt(c.caller_domain, text_width));
    r.push_back(txt(c.called, text_width));
    r.push_back(txt(c.called_domain, text_width));
    r.push_back(ip(c.sipcaller.addr));
    r.push_back(v::integer(c.sipcaller.port));
    r.push_back(ip(c.sipcalled.addr));
    r.push_back(v::integer(c.sipcalled.port));
    r.push_back(v::integer(c.last_sip_response_num));
    r.push_back(lookup(response_ids_, c.last_sip_response));
    r.push_back(v::integer(static_cast<int>(c.bye)));
    r.push_back(c.whohanged ? v::text(*c.whohanged == core::party::caller ? "caller" : "callee")
                            : v::null());
    r.push_back(lookup(ua_ids_, c.a_ua));
    r.push_back(lookup(ua_ids_, c.b_ua));
    r.push_back(v::integer(c.id_sensor));
    r.push_back(c.vlan ? v::integer(*c.vlan) : v::null());
    r.push_back(payload(a.present, a.payload));
    r.push_back(payload(b.present, b.payload));
    r.push_back(v::integer(a.present ? static_cast<int64_t>(a.received) : 0));
    r.push_back(v::integer(b.present ? static_cast<int64_t>(b.received) : 0));
    r.push_back(v::integer(a.present ? a.lost : 0));
    r.push_back(v::integer(b.present ? b.lost : 0));
    r.push_back(jit10(a));
    r.push_back(jit10(b));
    r.push_back(maxjit(a));
    r.push_back(maxjit(b));
    append_cdr_quality(r, c);

    out.next.insert(out.next.end(), {v::null(), calldate, txt(fbasename_of(c), text_width),
                                     v::integer(c.id_sensor)});
    for (const auto& s : c.rtp) {
      out.rtp.insert(out.rtp.end(),
                     {v::null(), calldate, ip(s.src.addr), v::integer(s.src.port),
                      ip(s.dst.addr), v::integer(s.dst.port), v::integer(s.ssrc),
                      payload(true, s.payload), v::integer(static_cast<int64_t>(s.received)),
                      v::integer(s.lost),
                      v::text(decimal3(core::seconds_between(c.calldate, s.first_ts))),
                      v::integer(std::llround(s.avgjitter_ms * 10.0)),
                      v::integer(std::llround(s.maxjitter_ms * 10.0))});
      append_stream_quality(out.rtp, s);
      out.rtp_owner.push_back(k);
    }
    for (const auto& d : c.dtmf) {
      out.dtmf.insert(
          out.dtmf.end(),
          {v::null(), calldate, txt(std::string(1, d.digit), 1), ip(d.src.addr), ip(d.dst.addr),
           v::text(decimal3(core::seconds_between(c.calldate, d.time))), v::integer(d.type),
           d.duration_ms ? v::text(decimal3(std::clamp(*d.duration_ms, 0.0, 999999.999)))
                         : v::null(),
           d.sender ? v::text(*d.sender == core::party::caller ? "caller" : "callee")
                    : v::null()});
      out.dtmf_owner.push_back(k);
    }
  }
}

void mysql_sink::insert_part(mysql_db& db, std::span<const core::cdr* const> all,
                             chunk_values& cv) {
  static const std::string cdr_head =
      "INSERT INTO cdr (calldate, callend, duration, connect_duration, progress_time, "
      "first_rtp_time, caller, callername, caller_domain, called, called_domain, sipcallerip, "
      "sipcallerport, sipcalledip, sipcalledport, lastSIPresponseNum, lastSIPresponse_id, bye, "
      "whohanged, a_ua_id, b_ua_id, id_sensor, vlan, a_payload, b_payload, a_received, "
      "b_received, a_lost, b_lost, a_avgjitter_mult10, b_avgjitter_mult10, a_maxjitter, "
      "b_maxjitter" + column_list(cdr_quality_columns()) + ") VALUES ";
  static const size_t cdr_columns = 33 + cdr_quality_columns().size();
  static const std::string next_head =
      "INSERT INTO cdr_next (cdr_ID, calldate, fbasename, id_sensor) VALUES ";
  static const std::string rtp_head =
      "INSERT INTO cdr_rtp (cdr_ID, calldate, saddr, sport, daddr, dport, ssrc, payload, "
      "received, loss, firsttime, avgjitter_mult10, maxjitter_mult10" +
      column_list(rtp_quality_columns()) + ") VALUES ";
  static const size_t rtp_columns = 13 + rtp_quality_columns().size();
  static const std::string dtmf_head =
      "INSERT INTO cdr_dtmf (cdr_ID, calldate, dtmf, saddr, daddr, firsttime, type, duration, "
      "sender) VALUES ";
  constexpr size_t next_columns = 4, dtmf_columns = 9;

  constexpr size_t chunk = 256;
  for (size_t at = 0; at < all.size(); at += chunk) {
    build_chunk(all.subspan(at, std::min(chunk, all.size() - at)), cv);
    std::vector<uint64_t> ids;
    ids.reserve(cv.next.size() / next_columns);
    if (consecutive_ids_) {
      db.insert_rows(cdr_head, cdr_columns, cv.cdr, [&](size_t, size_t count) {
        const uint64_t first = db.last_insert_id();
        for (size_t i = 0; i < count; ++i)
          ids.push_back(first + i);
      });
    } else {  // ids of one statement may not be consecutive: one row per statement
      for (size_t i = 0; i < cv.cdr.size() / cdr_columns; ++i) {
        std::vector<sql_value> one(cv.cdr.begin() + static_cast<std::ptrdiff_t>(i * cdr_columns),
                                   cv.cdr.begin() + static_cast<std::ptrdiff_t>((i + 1) * cdr_columns));
        db.insert_rows(cdr_head, cdr_columns, one);
        ids.push_back(db.last_insert_id());
      }
    }
    auto id = [&](size_t k) { return sql_value::integer(static_cast<int64_t>(ids.at(k))); };
    for (size_t k = 0; k < ids.size(); ++k)
      cv.next[k * next_columns] = id(k);
    for (size_t k = 0; k < cv.rtp_owner.size(); ++k)
      cv.rtp[k * rtp_columns] = id(cv.rtp_owner[k]);
    for (size_t k = 0; k < cv.dtmf_owner.size(); ++k)
      cv.dtmf[k * dtmf_columns] = id(cv.dtmf_owner[k]);
    db.insert_rows(next_head, next_columns, cv.next);
    db.insert_rows(rtp_head, rtp_columns, cv.rtp);
    db.insert_rows(dtmf_head, dtmf_columns, cv.dtmf);
  }
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

  // Two connections, one half of the batch each, in parallel: client (binding values) and server
  // work overlap. Each half is its own transaction; if one fails the whole batch is retried or
  // journaled, and the duplicate check skips the half that was committed.
  const std::span<const core::cdr* const> all(rows);
  if (db2_ && all.size() >= 64) {
    const size_t half = all.size() / 2;
    auto second = std::async(std::launch::async, [&] {
      db2_->exec("START TRANSACTION");
      insert_part(*db2_, all.subspan(half), chunks_[1]);
      db2_->exec("COMMIT");
    });
    std::exception_ptr failure;
    try {
      insert_part(*db_, all.subspan(0, half), chunks_[0]);
    } catch (...) {
      failure = std::current_exception();
    }
    try {
      second.get();
    } catch (...) {
      if (!failure)
        failure = std::current_exception();
    }
    if (failure)
      std::rethrow_exception(failure);
  } else {
    insert_part(*db_, all, chunks_[0]);
  }
  db_->exec("COMMIT");
  inserted_ += rows.size();
}

}  // namespace voxmon::store
