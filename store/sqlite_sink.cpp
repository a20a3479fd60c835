#include "store/sqlite_sink.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/text.hpp"
#include "store/cdr_json.hpp"
#include "store/sqlite_schema.hpp"

namespace voxmon::store {
namespace {

constexpr const char* insert_cdr_sql =
    "INSERT INTO cdr (calldate, callend, duration, connect_duration, progress_time, "
    "first_rtp_time, caller, callername, caller_domain, called, called_domain, sipcallerip, "
    "sipcallerport, sipcalledip, sipcalledport, lastSIPresponseNum, lastSIPresponse_id, bye, "
    "whohanged, a_ua_id, b_ua_id, id_sensor, vlan, a_payload, b_payload, a_received, "
    "b_received, a_lost, b_lost, a_avgjitter_mult10, b_avgjitter_mult10, a_maxjitter, "
    "b_maxjitter, caller_reverse, called_reverse) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* insert_next_sql =
    "INSERT INTO cdr_next (cdr_ID, calldate, fbasename) VALUES (?,?,?)";
std::string insert_rtp_sql() {
  std::string sql =
      "INSERT INTO cdr_rtp (cdr_ID, saddr, sport, daddr, dport, ssrc, payload, received, loss, "
      "firsttime, avgjitter_mult10, maxjitter_mult10";
  for (const auto& c : sqlite_rtp_quality_columns())
    sql += ", " + c;
  sql += ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?";
  for (size_t i = 0; i < sqlite_rtp_quality_columns().size(); ++i)
    sql += ",?";
  return sql + ")";
}

constexpr const char* insert_dtmf_sql =
    "INSERT INTO cdr_dtmf (cdr_ID, saddr, daddr, firsttime, dtmf, type, duration, sender) "
    "VALUES (?,?,?,?,?,?,?,?)";

std::string update_quality_sql() {
  std::string sql = "UPDATE cdr SET ";
  bool first = true;
  for (const auto& c : sqlite_quality_columns()) {
    sql += (first ? "" : ", ") + c + " = ?";
    first = false;
  }
  return sql + " WHERE ID = ?";
}

// The column names of `table`; nullopt when they cannot be read.
std::optional<std::vector<std::string>> table_columns(sqlite3* db, const std::string& table) {
  std::vector<std::string> have;
  sqlite3_stmt* st = nullptr;
  const std::string info = "PRAGMA table_info(" + table + ")";
  if (sqlite3_prepare_v2(db, info.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return std::nullopt;
  while (sqlite3_step(st) == SQLITE_ROW)
    have.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  sqlite3_finalize(st);
  return have;
}

// Adds the quality columns a table of an older schema lacks.
bool ensure_quality_columns(sqlite3* db, const std::string& table,
                            const std::vector<std::string>& columns) {
  const auto have_columns = table_columns(db, table);
  if (!have_columns)
    return false;
  const auto& have = *have_columns;
  for (const auto& c : columns) {
    if (std::find(have.begin(), have.end(), c) != have.end())
      continue;
    const std::string sql = "ALTER TABLE " + table + " ADD COLUMN " + c + " " +
                            std::string(sqlite_column_type(c));
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return false;
  }
  return true;
}

// SQL function voxmon_reverse(text): core::text::utf8_reverse, for filling the reversed columns.
void sql_reverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
    return sqlite3_result_null(ctx);
  const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string r = core::text::utf8_reverse(std::string_view(t, static_cast<size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, r.data(), static_cast<int>(r.size()), SQLITE_TRANSIENT);
}

// Schema 5's caller_reverse / called_reverse on a table of an older schema: added and filled
// from the numbers (once: about 11 s per million calls).
bool ensure_reverse_columns(sqlite3* db) {
  const auto have = table_columns(db, "cdr");
  if (!have)
    return false;
  if (std::find(have->begin(), have->end(), "caller_reverse") != have->end())
    return true;
  if (sqlite3_create_function(db, "voxmon_reverse", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, sql_reverse,
                              nullptr, nullptr) != SQLITE_OK)
    return false;
  const bool ok = sqlite3_exec(db,
                               "ALTER TABLE cdr ADD COLUMN caller_reverse TEXT; "
                               "ALTER TABLE cdr ADD COLUMN called_reverse TEXT; "
                               "UPDATE cdr SET caller_reverse = voxmon_reverse(caller), "
                               "called_reverse = voxmon_reverse(called)",
                               nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_create_function(db, "voxmon_reverse", 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr);
  return ok;
}

// Binds parameters left to right; resets the statement first so it can be reused.
class binder {
 public:
  explicit binder(sqlite3_stmt* st) : st_(st) {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  binder& null() { return check(sqlite3_bind_null(st_, ++i_)); }
  binder& i64(int64_t v) { return check(sqlite3_bind_int64(st_, ++i_, v)); }
  binder& real(double v) { return check(sqlite3_bind_double(st_, ++i_, v)); }
  binder& text(const std::string& v) {
    return check(sqlite3_bind_text(st_, ++i_, v.data(), static_cast<int>(v.size()),
                                   SQLITE_TRANSIENT));
  }
  template <class T>
  binder& opt_i64(const std::optional<T>& v) { return v ? i64(static_cast<int64_t>(*v)) : null(); }
  binder& opt_real(const std::optional<double>& v) { return v ? real(*v) : null(); }
  // SQLITE_DONE on success; any bind error is reported before stepping.
  int step() { return rc_ != SQLITE_OK ? rc_ : sqlite3_step(st_); }

 private:
  binder& check(int rc) {
    if (rc_ == SQLITE_OK)
      rc_ = rc;
    return *this;
  }
  sqlite3_stmt* st_;
  int i_ = 0;
  int rc_ = SQLITE_OK;
};

std::optional<double> seconds_opt(const std::optional<core::timestamp_ns>& from,
                                  const std::optional<core::timestamp_ns>& to) {
  if (!from || !to)
    return std::nullopt;
  return core::seconds_between(*from, *to);
}

int64_t mult10(double ms) { return std::llround(ms * 10.0); }

std::optional<int64_t> payload_opt(bool present, int payload) {
  if (!present || payload < 0)
    return std::nullopt;
  return payload;
}

// The quality columns, in sqlite_quality_columns() order.
void bind_quality(binder& q, const core::cdr& c, const core::direction_summary& a,
                  const core::direction_summary& b) {
  auto opt = [](bool ok, int64_t v) { return ok ? std::optional<int64_t>(v) : std::nullopt; };
  for (const auto* d : {&a, &b}) {
    const core::cdr_rtp_stream* s = d->stream;
    for (size_t i = 0; i < core::jb_count; ++i) {
      const bool ok = s && s->quality.jb[i].intervals > 0;
      q.opt_i64(opt(ok, ok ? std::llround(s->quality.jb[i].mos_avg * 10) : 0));
      q.opt_i64(opt(ok, ok ? std::llround(s->quality.jb[i].mos_min * 10) : 0));
    }
    for (size_t i = 0; i < 10; ++i)
      q.opt_i64(opt(s, s ? static_cast<int64_t>(s->quality.sl[i]) : 0));
    for (size_t i = 0; i < 7; ++i)
      q.opt_i64(opt(s, s ? static_cast<int64_t>(s->quality.delay[i]) : 0));
    q.opt_i64(opt(s, s ? std::llround(s->quality.packet_loss_perc * 1000) : 0));
    // a_rtcp_*: what this side reported, i.e. RTCP about the other side's stream.
    const core::cdr_rtp_stream* other = d == &a ? b.stream : a.stream;
    const core::cdr_rtcp* r = other && other->rtcp ? &*other->rtcp : nullptr;
    q.opt_i64(opt(r, r ? r->loss : 0));
    q.opt_i64(opt(r, r ? r->max_fraction_lost : 0));
    q.opt_i64(opt(r, r ? std::llround(r->avg_fraction_lost * 10) : 0));
    q.opt_i64(opt(r, r ? std::llround(r->max_jitter_ms) : 0));
    q.opt_i64(opt(r, r ? std::llround(r->avg_jitter_ms * 10) : 0));
  }
  const auto m = core::call_mos_min(c);
  q.opt_i64(opt(m.has_value(), m ? std::llround(*m * 10) : 0));
  q.opt_i64(opt(a.stream, a.stream && a.stream->srtp));
  q.opt_i64(opt(b.stream, b.stream && b.stream->srtp));
  q.i64(c.capture_loss ? 1 : 0);
  q.i64(static_cast<int64_t>(c.capture_dropped));
  q.i64(c.sighup ? 1 : 0);
}

void bind_rtcp(binder& q, const core::cdr_rtcp& r);

// The per-stream quality columns, in sqlite_rtp_quality_columns() order. Units as the cdr
// columns: MOS x 10, loss percent x 1000, RTCP fraction lost 0..255 (avg x 10), jitter ms
// (avg x 10), round trip ms x 10.
void bind_stream_quality(binder& q, const core::cdr_rtp_stream& s) {
  const auto& k = s.quality;
  for (size_t i = 0; i < core::jb_count; ++i) {
    const bool ok = k.jb[i].intervals > 0;
    q.opt_i64(ok ? std::optional<int64_t>(std::llround(k.jb[i].mos_avg * 10)) : std::nullopt);
    q.opt_i64(ok ? std::optional<int64_t>(std::llround(k.jb[i].mos_min * 10)) : std::nullopt);
  }
  const auto m = core::stream_mos_min(s);
  q.opt_i64(m ? std::optional<int64_t>(std::llround(*m * 10)) : std::nullopt);
  for (size_t i = 0; i < core::jb_count; ++i)
    q.i64(static_cast<int64_t>(k.jb[i].late));
  for (size_t i = 0; i < 10; ++i)
    q.i64(static_cast<int64_t>(k.sl[i]));
  for (size_t i = 0; i < 7; ++i)
    q.i64(static_cast<int64_t>(k.delay[i]));
  q.i64(std::llround(k.packet_loss_perc * 1000));
  q.i64(static_cast<int64_t>(k.reordered));
  q.i64(static_cast<int64_t>(k.duplicates));
  if (s.codec.empty())
    q.null();
  else
    q.text(s.codec);
  q.opt_i64(k.ptime_ms ? std::optional<int64_t>(k.ptime_ms) : std::nullopt);
  q.i64(k.comfort_noise ? 1 : 0);
  q.i64(s.srtp ? 1 : 0);
  if (!s.rtcp) {
    for (int i = 0; i < 11; ++i)
      q.null();
  } else {
    bind_rtcp(q, *s.rtcp);
  }
  q.text(intervals_json_text(k.intervals));  // schema 4
}

void bind_rtcp(binder& q, const core::cdr_rtcp& r) {
  auto rtt = [&](double ms) {
    return r.rtt_count ? std::optional<int64_t>(std::llround(ms * 10)) : std::nullopt;
  };
  auto xr = [](const std::optional<double>& v) {
    return v ? std::optional<int64_t>(std::llround(*v * 10)) : std::nullopt;
  };
  q.i64(r.reports)
      .i64(r.loss)
      .i64(r.max_fraction_lost)
      .i64(std::llround(r.avg_fraction_lost * 10))
      .i64(std::llround(r.max_jitter_ms))
      .i64(std::llround(r.avg_jitter_ms * 10))
      .opt_i64(rtt(r.avg_rtt_ms))
      .opt_i64(rtt(r.max_rtt_ms))
      .opt_i64(xr(r.xr_mos_lq))
      .opt_i64(xr(r.xr_mos_cq))
      .opt_i64(r.xr_r_factor);
}

}  // namespace

std::unique_ptr<sqlite_sink> sqlite_sink::open(const std::string& path, std::string& error) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    error = "cannot open SQLite database '" + path + "': " +
            (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<sqlite_sink> sink(new sqlite_sink(db, path));
  sqlite3_busy_timeout(db, 5000);
  auto fail = [&](const std::string& what) {
    error = "SQLite database '" + path + "': " + what + ": " + sqlite3_errmsg(db);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return nullptr;
  };
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                   nullptr) != SQLITE_OK)
    return fail("cannot set journal mode");
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cannot begin");
  const std::string schema(sqlite_schema_sql());
  if (sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cannot create the schema");
  // The schema version: stamp a new database, refuse one written by a newer voxmon.
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM voxmon_schema", -1, &st, nullptr) !=
      SQLITE_OK)
    return fail("cannot read the schema version");
  rc = sqlite3_step(st);
  const bool stamped = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
  const int64_t version = stamped ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return fail("cannot read the schema version");
  if (stamped && (version < 1 || version > sqlite_schema_version)) {
    error = "SQLite database '" + path + "' has schema version " + std::to_string(version) +
            ", this voxmon writes version " + std::to_string(sqlite_schema_version);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return nullptr;
  }
  if (!ensure_quality_columns(db, "cdr", sqlite_quality_columns()) ||
      !ensure_quality_columns(db, "cdr_rtp", sqlite_rtp_quality_columns()))
    return fail("cannot add the voice quality columns");
  if (!ensure_reverse_columns(db))
    return fail("cannot add the reversed number columns");
  if (stamped && version < sqlite_schema_version) {
    const std::string bump =
        "UPDATE voxmon_schema SET version = " + std::to_string(sqlite_schema_version);
    if (sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail("cannot upgrade the schema version");
  }
  if (!stamped) {
    const std::string stamp =
        "INSERT INTO voxmon_schema (version) VALUES (" + std::to_string(sqlite_schema_version) + ")";
    if (sqlite3_exec(db, stamp.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail("cannot stamp the schema version");
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cannot commit the schema");
  if (auto e = sink->prepare(); !e.empty()) {
    error = "SQLite database '" + path + "': " + e;
    return nullptr;
  }
  return sink;
}

std::string sqlite_sink::prepare() {
  struct item {
    sqlite3_stmt** st;
    const char* sql;
  };
  static const std::string update_sql = update_quality_sql();
  static const std::string rtp_sql = insert_rtp_sql();
  const item items[] = {
      {&update_quality_, update_sql.c_str()},
      {&insert_dtmf_, insert_dtmf_sql},
      {&insert_cdr_, insert_cdr_sql},
      {&insert_next_, insert_next_sql},
      {&insert_rtp_, rtp_sql.c_str()},
      {&find_response_, "SELECT id FROM cdr_sip_response WHERE lastSIPresponse = ?"},
      {&insert_response_, "INSERT INTO cdr_sip_response (lastSIPresponse) VALUES (?)"},
      {&find_ua_, "SELECT id FROM cdr_ua WHERE ua = ?"},
      {&insert_ua_, "INSERT INTO cdr_ua (ua) VALUES (?)"},
      {&find_stored_, "SELECT 1 FROM cdr_next n JOIN cdr c ON c.ID = n.cdr_ID "
                      "WHERE n.fbasename = ? AND n.calldate = ? AND c.id_sensor = ? LIMIT 1"},
  };
  for (const auto& it : items)
    if (sqlite3_prepare_v3(db_, it.sql, -1, SQLITE_PREPARE_PERSISTENT, it.st, nullptr) !=
        SQLITE_OK)
      return std::string("cannot prepare statement: ") + sqlite3_errmsg(db_);
  return {};
}

sqlite_sink::~sqlite_sink() {
  for (sqlite3_stmt* st : {insert_cdr_, insert_next_, insert_rtp_, update_quality_, insert_dtmf_, find_response_,
                           insert_response_, find_ua_, insert_ua_, find_stored_})
    sqlite3_finalize(st);  // no-op on nullptr
  sqlite3_close(db_);
}

std::string sqlite_sink::lookup_id(sqlite3_stmt* find, sqlite3_stmt* insert,
                                   std::unordered_map<std::string, int64_t>& cache,
                                   const std::string& text, int64_t& id) {
  if (auto it = cache.find(text); it != cache.end()) {
    id = it->second;
    return {};
  }
  binder f(find);
  f.text(text);
  const int rc = f.step();
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64(find, 0);
  sqlite3_reset(find);
  if (rc == SQLITE_DONE) {
    binder ins(insert);
    ins.text(text);
    if (ins.step() != SQLITE_DONE)
      return sqlite3_errmsg(db_);
    id = sqlite3_last_insert_rowid(db_);
  } else if (rc != SQLITE_ROW) {
    return sqlite3_errmsg(db_);
  }
  cache.emplace(text, id);
  return {};
}

std::string sqlite_sink::write(std::span<const core::cdr> batch) {
  if (batch.empty())
    return {};
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return "sqlite:" + path_ + ": cannot begin transaction: " + sqlite3_errmsg(db_);

  auto fail = [&](const std::string& msg) {
    std::string text = "sqlite:" + path_ + ": " + msg;
    for (sqlite3_stmt* st : {insert_cdr_, insert_next_, insert_rtp_, update_quality_, insert_dtmf_, find_response_,
                             insert_response_, find_ua_, insert_ua_, find_stored_})
      sqlite3_reset(st);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    // Ids inserted in the rolled-back transaction are gone: forget every cached id.
    response_ids_.clear();
    ua_ids_.clear();
    return text;
  };
  // Empty text has no lookup row: the id column stays NULL.
  auto lookup = [&](sqlite3_stmt* find, sqlite3_stmt* insert,
                    std::unordered_map<std::string, int64_t>& cache, const std::string& text,
                    std::optional<int64_t>& id, std::string& err) {
    if (text.empty())
      return;
    int64_t v = 0;
    err = lookup_id(find, insert, cache, text, v);
    if (err.empty())
      id = v;
  };

  uint64_t skipped = 0;  // counted once the batch is committed
  for (const auto& c : batch) {
    const std::string calldate = core::format_utc(c.calldate);
    const std::string& fbasename = fbasename_of(c);
    // Already stored (this batch included): skipped, as the MySQL store does.
    binder fs(find_stored_);
    fs.text(fbasename).text(calldate).i64(c.id_sensor);
    const int found = fs.step();
    sqlite3_reset(find_stored_);
    if (found == SQLITE_ROW) {
      ++skipped;
      continue;
    }
    if (found != SQLITE_DONE)
      return fail(std::string("duplicate check: ") + sqlite3_errmsg(db_));
    std::optional<int64_t> response_id, a_ua_id, b_ua_id;
    std::string err;
    lookup(find_response_, insert_response_, response_ids_, c.last_sip_response, response_id, err);
    if (err.empty())
      lookup(find_ua_, insert_ua_, ua_ids_, c.a_ua, a_ua_id, err);
    if (err.empty())
      lookup(find_ua_, insert_ua_, ua_ids_, c.b_ua, b_ua_id, err);
    if (!err.empty())
      return fail(err);

    const auto a = core::summarize_direction(c, core::party::caller);
    const auto b = core::summarize_direction(c, core::party::callee);
    std::optional<int64_t> whohanged;
    if (c.whohanged)
      whohanged = *c.whohanged == core::party::caller ? 0 : 1;
    auto jitter10 = [](const core::direction_summary& d) {
      return d.present ? std::optional<int64_t>(mult10(d.avgjitter_ms)) : std::nullopt;
    };
    auto maxjitter = [](const core::direction_summary& d) {
      return d.present ? std::optional<int64_t>(std::llround(d.maxjitter_ms)) : std::nullopt;
    };

    binder cb(insert_cdr_);
    cb.text(calldate)
        .text(core::format_utc(c.callend))
        .real(core::seconds_between(c.calldate, c.callend))
        .opt_real(seconds_opt(c.connect_time, c.callend))
        .opt_real(seconds_opt(c.calldate, c.progress_time))
        .opt_real(seconds_opt(c.calldate, c.first_rtp_time))
        .text(c.caller)
        .text(c.callername)
        .text(c.caller_domain)
        .text(c.called)
        .text(c.called_domain)
        .text(c.sipcaller.addr.to_string())
        .i64(c.sipcaller.port)
        .text(c.sipcalled.addr.to_string())
        .i64(c.sipcalled.port)
        .i64(c.last_sip_response_num)
        .opt_i64(response_id)
        .i64(static_cast<int>(c.bye))
        .opt_i64(whohanged)
        .opt_i64(a_ua_id)
        .opt_i64(b_ua_id)
        .i64(c.id_sensor)
        .opt_i64(c.vlan)
        .opt_i64(payload_opt(a.present, a.payload))
        .opt_i64(payload_opt(b.present, b.payload))
        .i64(static_cast<int64_t>(a.present ? a.received : 0))
        .i64(static_cast<int64_t>(b.present ? b.received : 0))
        .i64(a.present ? a.lost : 0)
        .i64(b.present ? b.lost : 0)
        .opt_i64(jitter10(a))
        .opt_i64(jitter10(b))
        .opt_i64(maxjitter(a))
        .opt_i64(maxjitter(b))
        .text(core::text::utf8_reverse(c.caller))
        .text(core::text::utf8_reverse(c.called));
    if (cb.step() != SQLITE_DONE)
      return fail(std::string("insert into cdr: ") + sqlite3_errmsg(db_));
    const int64_t cdr_id = sqlite3_last_insert_rowid(db_);

    binder qb(update_quality_);
    bind_quality(qb, c, a, b);
    qb.i64(cdr_id);
    if (qb.step() != SQLITE_DONE)
      return fail(std::string("update cdr quality: ") + sqlite3_errmsg(db_));
    for (const auto& d : c.dtmf) {
      binder db(insert_dtmf_);
      std::optional<int64_t> sender;
      if (d.sender)
        sender = *d.sender == core::party::caller ? 0 : 1;
      db.i64(cdr_id)
          .text(d.src.addr.to_string())
          .text(d.dst.addr.to_string())
          .real(core::seconds_between(c.calldate, d.time))
          .text(std::string(1, d.digit))
          .i64(d.type)
          .opt_real(d.duration_ms)
          .opt_i64(sender);
      if (db.step() != SQLITE_DONE)
        return fail(std::string("insert into cdr_dtmf: ") + sqlite3_errmsg(db_));
    }

    binder nb(insert_next_);
    nb.i64(cdr_id).text(calldate).text(fbasename);
    if (nb.step() != SQLITE_DONE)
      return fail(std::string("insert into cdr_next: ") + sqlite3_errmsg(db_));

    for (const auto& s : c.rtp) {
      binder rb(insert_rtp_);
      rb.i64(cdr_id)
          .text(s.src.addr.to_string())
          .i64(s.src.port)
          .text(s.dst.addr.to_string())
          .i64(s.dst.port)
          .i64(s.ssrc)
          .opt_i64(payload_opt(true, s.payload))
          .i64(static_cast<int64_t>(s.received))
          .i64(s.lost)
          .real(core::seconds_between(c.calldate, s.first_ts))
          .i64(mult10(s.avgjitter_ms))
          .i64(mult10(s.maxjitter_ms));
      bind_stream_quality(rb, s);
      if (rb.step() != SQLITE_DONE)
        return fail(std::string("insert into cdr_rtp: ") + sqlite3_errmsg(db_));
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail(std::string("commit: ") + sqlite3_errmsg(db_));
  duplicates_ += skipped;
  return {};
}

}  // namespace voxmon::store
