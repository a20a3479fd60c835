#include "gui/cdr_query.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>
#include <stdexcept>

#include "core/text.hpp"

namespace voxmon::gui {

namespace {

constexpr int64_t day_ms = 24LL * 3600 * 1000;

bool digits(const std::string& s, size_t at, size_t n) {
  if (at + n > s.size())
    return false;
  for (size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

int num(const std::string& s, size_t at, size_t n) { return std::stoi(s.substr(at, n)); }

// A decimal number: digits, at most one '.', no sign or exponent, at most 12 characters.
std::optional<double> parse_decimal(const std::string& v) {
  if (v.empty() || v.size() > 12 || v.front() == '.' || v.back() == '.')
    return std::nullopt;
  int dots = 0;
  for (char c : v) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return std::nullopt;
  }
  if (dots > 1)
    return std::nullopt;
  return std::stod(v);
}

std::optional<int64_t> parse_integer(const std::string& v, int64_t max) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || v.size() > 18 || v[0] == '-' || v[0] == '+' || ec != std::errc{} ||
      p != v.data() + v.size() || n > max)
    return std::nullopt;
  return n;
}

std::string quoted(const std::string& v) {
  std::string s = v.size() > 64 ? v.substr(0, 64) + "..." : v;
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  return "'" + s + "'";
}

const char* sort_column(sort_key k) {
  switch (k) {
    case sort_key::calldate: return "c.calldate";
    case sort_key::duration: return "c.duration";
    case sort_key::mos: return "c.mos_min_mult10";
    case sort_key::loss: return nullptr;  // expression
    case sort_key::caller: return "c.caller";
    case sort_key::called: return "c.called";
  }
  return "c.calldate";
}

// The prefix's exclusive upper bound in byte order ("123" -> "124"); "" when there is none.
std::string prefix_upper(std::string p) {
  while (!p.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(p.back());
    if (last != 0xff) {
      ++last;
      return p;
    }
    p.pop_back();
  }
  return p;
}

std::string like_escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '%' || c == '_')
      out += '\\';
    out += c;
  }
  return out;
}

// `reverse_suffix`: a suffix is a prefix range on the reversed column (its index drives).
void text_condition(const std::string& column, const std::string& reverse_column,
                    const std::string& value, text_match m, const db_features& db,
                    bool reverse_suffix, sql_query& q) {
  const bool mysql = db.dialect == sql_dialect::mysql;
  switch (m) {
    case text_match::exact:
      q.sql += " AND " + column + " = ?";
      q.params.push_back(sql_param::text(value));
      return;
    case text_match::prefix:
      if (mysql) {  // utf8mb4_bin: a LIKE prefix is an index range
        q.sql += " AND " + column + " LIKE ? ESCAPE '\\\\'";
        q.params.push_back(sql_param::text(like_escape(value) + "%"));
        return;
      }
      q.sql += " AND " + column + " >= ?";
      q.params.push_back(sql_param::text(value));
      if (auto upper = prefix_upper(value); !upper.empty()) {
        q.sql += " AND " + column + " < ?";
        q.params.push_back(sql_param::text(upper));
      }
      return;
    case text_match::suffix:
      if (reverse_suffix)  // VoIPmonitor's indexed reversed copy
        return text_condition(reverse_column, "", core::text::utf8_reverse(value), text_match::prefix, db,
                              false, q);
      if (mysql)
        q.sql += " AND RIGHT(" + column + ", CHAR_LENGTH(?)) = ?";
      else
        q.sql += " AND substr(" + column + ", -length(?)) = ?";
      q.params.push_back(sql_param::text(value));
      q.params.push_back(sql_param::text(value));
      return;
    case text_match::contains:
      q.sql += mysql ? " AND LOCATE(?, " + column + ") > 0" : " AND instr(" + column + ", ?) > 0";
      q.params.push_back(sql_param::text(value));
      return;
  }
}

sql_param ip_param(const ip_filter& ip, const db_features& db) {
  if (db.dialect == sql_dialect::sqlite)
    return sql_param::text(ip.text);
  if (db.ip_binary)
    return sql_param::text(ip.bytes);
  const auto* b = reinterpret_cast<const unsigned char*>(ip.bytes.data());
  return sql_param::integer((int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
}

}  // namespace

std::optional<int64_t> parse_utc_time(const std::string& in) {
  std::string t = in;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z'))
    t.pop_back();
  if (t.size() < 10 || !digits(t, 0, 4) || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' ||
      !digits(t, 8, 2))
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = num(t, 0, 4) - 1900;
  tm.tm_mon = num(t, 5, 2) - 1;
  tm.tm_mday = num(t, 8, 2);
  int ms = 0;
  if (t.size() > 10) {
    if ((t[10] != ' ' && t[10] != 'T') || t.size() < 16 || !digits(t, 11, 2) || t[13] != ':' ||
        !digits(t, 14, 2))
      return std::nullopt;
    tm.tm_hour = num(t, 11, 2);
    tm.tm_min = num(t, 14, 2);
    size_t at = 16;
    if (t.size() > at) {
      if (t[at] != ':' || !digits(t, at + 1, 2))
        return std::nullopt;
      tm.tm_sec = num(t, at + 1, 2);
      at += 3;
      if (t.size() > at) {
        if (t[at] != '.' || !digits(t, at + 1, t.size() - at - 1) || t.size() - at - 1 > 3 ||
            t.size() == at + 1)
          return std::nullopt;
        std::string frac = t.substr(at + 1);
        frac.resize(3, '0');
        ms = std::stoi(frac);
      }
    }
  }
  if (tm.tm_year < 70 || tm.tm_year > 8099 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 59)
    return std::nullopt;
  const std::tm asked = tm;
  const time_t secs = timegm(&tm);
  if (tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon)  // 2026-02-30
    return std::nullopt;
  return int64_t{secs} * 1000 + ms;
}

std::optional<int64_t> parse_store_time(const std::string& text) { return parse_utc_time(text.substr(0, 23)); }

std::string format_utc_ms(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms - int64_t{secs} * 1000));
  return buf;
}

std::optional<std::string> parse_time_range(const query_params& q, int64_t now_ms, time_range& out) {
  auto get = [&](const char* k) -> std::string {
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  const std::string from = get("from"), to = get("to");
  std::optional<int64_t> f, t;
  if (!from.empty() && !(f = parse_utc_time(from)))
    return "parameter 'from': expected a UTC time like 2026-01-31 or 2026-01-31 13:45:00, got " + quoted(from);
  if (!to.empty() && !(t = parse_utc_time(to)))
    return "parameter 'to': expected a UTC time like 2026-01-31 or 2026-01-31 13:45:00, got " + quoted(to);
  out = {};
  out.to_ms = t ? *t : now_ms + day_ms;
  out.from_ms = f ? *f : out.to_ms - max_range_ms;
  if (out.from_ms >= out.to_ms)
    return std::string("parameter 'from' must be before 'to'");
  if (out.to_ms - out.from_ms > max_range_ms) {
    out.capped = f.has_value();
    out.from_ms = out.to_ms - max_range_ms;
  }
  return std::nullopt;
}

std::optional<std::string> parse_cdr_filter(const query_params& q, int64_t now_ms, cdr_filter& out,
                                            const std::vector<std::string>& allowed_extra) {
  static const std::set<std::string> known = {
      "from", "to", "caller", "called", "callid", "match", "ip", "sensor", "response",
      "whohanged", "mos_below", "loss_above", "min_duration", "max_duration", "sort", "dir",
      "page", "per_page"};
  for (const auto& [k, v] : q)
    if (!known.count(k) && std::find(allowed_extra.begin(), allowed_extra.end(), k) == allowed_extra.end())
      return "unknown parameter " + quoted(k);
  out = cdr_filter{};
  if (auto e = parse_time_range(q, now_ms, out.range))
    return e;
  auto get = [&](const char* k) -> std::string {
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  for (auto [name, field] : {std::pair{"caller", &out.caller}, std::pair{"called", &out.called},
                             std::pair{"callid", &out.callid}}) {
    *field = get(name);
    if (field->size() > max_text_filter)
      return std::string("parameter '") + name + "' is too long (at most " +
             std::to_string(max_text_filter) + " bytes)";
    for (unsigned char c : *field)
      if (c < 0x20 || c == 0x7f)
        return std::string("parameter '") + name + "' contains a control character";
  }
  if (const auto m = get("match"); !m.empty()) {
    if (m == "prefix") out.match = text_match::prefix;
    else if (m == "suffix") out.match = text_match::suffix;
    else if (m == "contains") out.match = text_match::contains;
    else if (m == "exact") out.match = text_match::exact;
    else return "parameter 'match': expected prefix, suffix, contains or exact, got " + quoted(m);
  }
  if (const auto ip = get("ip"); !ip.empty()) {
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    ip_filter f;
    if (::inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      f.bytes.assign(reinterpret_cast<char*>(buf), 4);
      ::inet_ntop(AF_INET, buf, text, sizeof text);
    } else if (::inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      f.bytes.assign(reinterpret_cast<char*>(buf), 16);
      f.v6 = true;
      ::inet_ntop(AF_INET6, buf, text, sizeof text);
    } else {
      return "parameter 'ip': expected an IPv4 or IPv6 address, got " + quoted(ip);
    }
    f.text = text;
    out.ip = f;
  }
  if (const auto s = get("sensor"); !s.empty()) {
    auto v = parse_integer(s, 4294967295LL);
    if (!v)
      return "parameter 'sensor': expected a sensor id (0..4294967295), got " + quoted(s);
    out.sensor = *v;
  }
  if (const auto r = get("response"); !r.empty()) {
    if (r.size() == 3 && r[0] >= '1' && r[0] <= '6' && (r[1] == 'x' || r[1] == 'X') &&
        (r[2] == 'x' || r[2] == 'X')) {
      const int base = (r[0] - '0') * 100;
      out.response = std::pair{base, base + 99};
    } else if (auto v = parse_integer(r, 699); v && (*v == 0 || *v >= 100)) {
      out.response = std::pair{static_cast<int>(*v), static_cast<int>(*v)};
    } else {
      return "parameter 'response': expected a SIP status code (100..699, 0 = none) or a class "
             "like 4xx, got " + quoted(r);
    }
  }
  if (const auto w = get("whohanged"); !w.empty()) {
    if (w == "caller") out.whohanged = 0;
    else if (w == "callee") out.whohanged = 1;
    else if (w == "none") out.whohanged = 2;
    else return "parameter 'whohanged': expected caller, callee or none, got " + quoted(w);
  }
  if (const auto m = get("mos_below"); !m.empty()) {
    auto v = parse_decimal(m);
    if (!v || *v < 1 || *v > 5)
      return "parameter 'mos_below': expected a MOS between 1 and 5, got " + quoted(m);
    out.mos_below_x10 = static_cast<int>(std::lround(*v * 10));
  }
  if (const auto l = get("loss_above"); !l.empty()) {
    auto v = parse_decimal(l);
    if (!v || *v > 100)
      return "parameter 'loss_above': expected a loss percentage between 0 and 100, got " + quoted(l);
    out.loss_above_x1000 = static_cast<int>(std::lround(*v * 1000));
  }
  for (auto [name, field] : {std::pair{"min_duration", &out.min_duration},
                             std::pair{"max_duration", &out.max_duration}}) {
    if (const auto d = get(name); !d.empty()) {
      auto v = parse_decimal(d);
      if (!v || *v > 1e7)
        return std::string("parameter '") + name + "': expected seconds (0..10000000), got " + quoted(d);
      *field = *v;
    }
  }
  if (out.min_duration && out.max_duration && *out.min_duration > *out.max_duration)
    return std::string("parameter 'min_duration' is larger than 'max_duration'");
  if (const auto s = get("sort"); !s.empty()) {
    if (s == "calldate") out.sort = sort_key::calldate;
    else if (s == "duration") out.sort = sort_key::duration;
    else if (s == "mos") out.sort = sort_key::mos;
    else if (s == "loss") out.sort = sort_key::loss;
    else if (s == "caller") out.sort = sort_key::caller;
    else if (s == "called") out.sort = sort_key::called;
    else return "parameter 'sort': expected calldate, duration, mos, loss, caller or called, got " + quoted(s);
  }
  if (const auto d = get("dir"); !d.empty()) {
    if (d == "asc") out.descending = false;
    else if (d == "desc") out.descending = true;
    else return "parameter 'dir': expected asc or desc, got " + quoted(d);
  }
  if (const auto p = get("per_page"); !p.empty()) {
    auto v = parse_integer(p, 1000000);
    if (!v || *v < 1 || *v > max_per_page)
      return "parameter 'per_page': expected 1.." + std::to_string(max_per_page) + ", got " + quoted(p);
    out.per_page = static_cast<uint32_t>(*v);
  }
  if (const auto p = get("page"); !p.empty()) {
    auto v = parse_integer(p, 1000000000);
    if (!v || *v < 1)
      return "parameter 'page': expected a page number from 1, got " + quoted(p);
    if (static_cast<uint64_t>(*v - 1) * out.per_page > max_offset)
      return "parameter 'page': pages beyond row " + std::to_string(max_offset) +
             " are not served; narrow the filter (time range, numbers)";
    out.page = static_cast<uint32_t>(*v);
  }
  return std::nullopt;
}

std::string loss_expression(const db_features& db) {
  if (db.dialect == sql_dialect::mysql && db.gui_indexes)
    return std::string("c.") + mysql_loss_column;  // the same, as an indexed VIRTUAL column
  return loss_formula(db);
}

std::string loss_formula(const db_features& db) {
  const char* fn = db.dialect == sql_dialect::mysql ? "GREATEST" : "MAX";
  return std::string(fn) + "(COALESCE(c.a_packet_loss_perc_mult1000, 0), "
                           "COALESCE(c.b_packet_loss_perc_mult1000, 0))";
}

namespace {

// How a SQLite list or count steers the planner (with the GUI's indexes, gui/gui_db.cpp). The
// WHERE and the order are the same in every plan: only the index that drives the query differs.
enum class plan : uint8_t {
  as_is,         // the planner's choice: the calldate index for the range, newest first
  numbers,       // a selective number, address or Call-ID filter drives; the range is checked
                 // on its rows ("+c.calldate" keeps the calldate index out), the few matches sorted
  time_numbers,  // other number searches (suffix, substring, short prefix): calldate order
                 // through cdr_gui_calldate_numbers (MySQL: mysql_calldate_index), the numbers
                 // compared in the index
  sort_index,    // sorted by another column without such filters: that column's cdr_gui_* index
                 // in order, the range checked in the index, stopping after the page
};

// SQLite with reversed number columns: a suffix of 4 characters or more is as selective as a
// long prefix (numbers differ most in their last digits).
constexpr size_t selective_suffix = 4;

bool selective_text(const std::string& v, text_match m, const db_features& db) {
  return !v.empty() && (m == text_match::exact || (m == text_match::prefix && v.size() >= 6) ||
                        (m == text_match::suffix && db.dialect == sql_dialect::sqlite &&
                         db.reverse_columns && v.size() >= selective_suffix));
}

plan plan_of(const cdr_filter& f, const db_features& db) {
  if (!db.gui_indexes)
    return plan::as_is;
  if (!f.id_in.empty())  // the candidates' primary keys drive
    return db.dialect == sql_dialect::mysql ? plan::as_is : plan::numbers;
  if (db.dialect == sql_dialect::mysql) {  // the optimizer picks among the indexes
    const bool selective = !f.callid.empty() || f.ip || selective_text(f.caller, f.match, db) ||
                           selective_text(f.called, f.match, db);
    if (!selective && f.sort != sort_key::calldate)
      return plan::sort_index;  // a plain ORDER BY over a key index (MOS ascending: two parts)
    if (f.sort == sort_key::calldate && f.match == text_match::contains && (!f.caller.empty() || !f.called.empty()))
      return plan::time_numbers;  // LOCATE() on the calldate-and-numbers index, rows read for matches
    return plan::as_is;
  }
  if (!f.callid.empty() || f.ip || selective_text(f.caller, f.match, db) || selective_text(f.called, f.match, db))
    return plan::numbers;
  if (!f.caller.empty() || !f.called.empty())  // many matches: the sort's index finds a page soon
    return f.many_matches && f.sort != sort_key::calldate ? plan::sort_index : plan::time_numbers;
  return f.sort == sort_key::calldate ? plan::as_is : plan::sort_index;
}

// SQLite: the sort's own index, named, when a number condition could draw the planner to
// another (the sort_index plan with a short prefix, a suffix or a substring).
std::string sort_index_hint(const cdr_filter& f, const db_features& db) {
  if (db.dialect != sql_dialect::sqlite || (f.caller.empty() && f.called.empty()))
    return "";
  switch (f.sort) {
    case sort_key::duration: return " INDEXED BY cdr_gui_duration";
    case sort_key::mos: return " INDEXED BY cdr_gui_mos";
    case sort_key::loss: return " INDEXED BY cdr_gui_loss";
    case sort_key::caller: return " INDEXED BY cdr_gui_caller";
    case sort_key::called: return " INDEXED BY cdr_gui_called";
    case sort_key::calldate: return "";
  }
  return "";
}

sql_query where_of(const cdr_filter& f, const db_features& db, plan p, bool range_off_index);

// The time range is the filter's only condition.
bool range_only(const cdr_filter& f) {
  return f.caller.empty() && f.called.empty() && f.callid.empty() && !f.ip && !f.sensor && !f.response &&
         !f.whohanged && !f.mos_below_x10 && !f.loss_above_x1000 && !f.min_duration && !f.max_duration;
}

}  // namespace

sql_query cdr_where(const cdr_filter& f, const db_features& db) { return where_of(f, db, plan_of(f, db), false); }

namespace {

sql_query where_of(const cdr_filter& f, const db_features& db, plan p, bool range_off_index) {
  // Suffixes on the reversed columns: on MySQL always (the optimizer weighs their index); on
  // SQLite where that index drives (plan numbers), not in a scan of the calldate index.
  const bool reverse_suffix = db.reverse_columns && (db.dialect == sql_dialect::mysql || p == plan::numbers);
  sql_query q;
  // SQLite's unary + keeps the calldate index out of a plan; MySQL would compare numbers.
  q.sql = range_off_index && db.dialect == sql_dialect::sqlite ? " WHERE +c.calldate >= ? AND +c.calldate < ?"
                                                               : " WHERE c.calldate >= ? AND c.calldate < ?";
  q.params.push_back(sql_param::text(format_utc_ms(f.range.from_ms)));
  q.params.push_back(sql_param::text(format_utc_ms(f.range.to_ms)));
  if (!f.caller.empty())
    text_condition("c.caller", "c.caller_reverse", f.caller, f.match, db, reverse_suffix, q);
  if (!f.called.empty())
    text_condition("c.called", "c.called_reverse", f.called, f.match, db, reverse_suffix, q);
  if (!f.id_in.empty()) {
    q.sql += " AND c.ID IN (";
    for (size_t i = 0; i < f.id_in.size(); ++i) {
      q.sql += i ? ", ?" : "?";
      q.params.push_back(sql_param::integer(f.id_in[i]));
    }
    q.sql += ")";
  }
  if (!f.callid.empty()) {
    q.sql += " AND c.ID IN (SELECT n.cdr_ID FROM cdr_next n WHERE n.fbasename = ?)";
    q.params.push_back(sql_param::text(f.callid));
  }
  if (f.ip) {
    if (db.dialect == sql_dialect::mysql && !db.ip_binary && f.ip->v6) {
      q.sql += " AND 1 = 0";  // IPv6 addresses are not stored without ipv6 = yes
    } else {
      q.sql += " AND (c.sipcallerip = ? OR c.sipcalledip = ?)";
      q.params.push_back(ip_param(*f.ip, db));
      q.params.push_back(ip_param(*f.ip, db));
    }
  }
  if (f.sensor) {
    q.sql += " AND c.id_sensor = ?";
    q.params.push_back(sql_param::integer(*f.sensor));
  }
  if (f.response) {
    q.sql += " AND c.lastSIPresponseNum BETWEEN ? AND ?";
    q.params.push_back(sql_param::integer(f.response->first));
    q.params.push_back(sql_param::integer(f.response->second));
  }
  if (f.whohanged) {
    if (*f.whohanged == 2) {
      q.sql += " AND c.whohanged IS NULL";
    } else if (db.dialect == sql_dialect::mysql) {
      q.sql += " AND c.whohanged = ?";
      q.params.push_back(sql_param::text(*f.whohanged == 0 ? "caller" : "callee"));
    } else {
      q.sql += " AND c.whohanged = ?";
      q.params.push_back(sql_param::integer(*f.whohanged));
    }
  }
  if (f.mos_below_x10) {
    q.sql += " AND c.mos_min_mult10 < ?";
    q.params.push_back(sql_param::integer(*f.mos_below_x10));
  }
  if (f.loss_above_x1000 && db.dialect == sql_dialect::mysql && db.gui_indexes) {
    q.sql += " AND " + loss_expression(db) + " > ?";  // the same for a limit >= 0, indexed
    q.params.push_back(sql_param::integer(*f.loss_above_x1000));
  } else if (f.loss_above_x1000) {
    q.sql += " AND (c.a_packet_loss_perc_mult1000 > ? OR c.b_packet_loss_perc_mult1000 > ?)";
    q.params.push_back(sql_param::integer(*f.loss_above_x1000));
    q.params.push_back(sql_param::integer(*f.loss_above_x1000));
  }
  if (f.min_duration) {
    q.sql += " AND c.duration >= ?";
    q.params.push_back(sql_param::real(*f.min_duration));
  }
  if (f.max_duration) {
    q.sql += " AND c.duration <= ?";
    q.params.push_back(sql_param::real(*f.max_duration));
  }
  return q;
}

std::string from_of(plan p, const db_features& db, const cdr_filter& f) {
  if (p == plan::sort_index)
    return " FROM cdr c" + sort_index_hint(f, db);
  if (p != plan::time_numbers)
    return " FROM cdr c";
  return db.dialect == sql_dialect::mysql ? std::string(" FROM cdr c FORCE INDEX (") + mysql_calldate_index + ")"
                                          : std::string(" FROM cdr c INDEXED BY cdr_gui_calldate_numbers");
}

}  // namespace

const std::vector<std::string>& list_columns() {
  static const std::vector<std::string> cols = {
      "ID", "calldate", "callend", "duration", "connect_duration", "caller", "callername",
      "caller_domain", "called", "called_domain", "sipcallerip", "sipcallerport", "sipcalledip",
      "sipcalledport", "lastSIPresponseNum", "lastSIPresponse", "bye", "whohanged", "id_sensor",
      "a_lost", "b_lost", "mos_min_mult10", "a_packet_loss_perc_mult1000",
      "b_packet_loss_perc_mult1000", "a_payload", "b_payload"};
  return cols;
}

bool cdr_list_in_parts(const cdr_filter& f, const db_features& db) {
  return plan_of(f, db) == plan::sort_index && f.sort == sort_key::mos && !f.descending;
}

sql_query cdr_list_query(const cdr_filter& f, const db_features& db, uint64_t offset, uint32_t limit,
                         list_part part) {
  const plan p = plan_of(f, db);
  sql_query where = where_of(f, db, p, p == plan::numbers || p == plan::sort_index);
  std::string select = "SELECT ";
  for (size_t i = 0; i < list_columns().size(); ++i) {
    const auto& c = list_columns()[i];
    select += (i ? ", " : "") + (c == "lastSIPresponse" ? std::string("r.lastSIPresponse") : "c." + c);
  }
  const std::string from = std::string(from_of(p, db, f)) + " LEFT JOIN cdr_sip_response r ON r.id = c.lastSIPresponse_id";
  const char* dir = f.descending ? " DESC" : " ASC";
  const std::string col = f.sort == sort_key::loss ? loss_expression(db) : sort_column(f.sort);
  sql_query q;
  if (cdr_list_in_parts(f, db)) {
    // Lowest MOS first, calls without MOS last: the calls with a MOS in cdr_gui_mos order, then
    // those without in id order (the same index); cdr_list_rows asks for the second part only
    // when the page reaches past the first. Keys first (from cdr_gui_mos alone: neither store
    // reads the rows it walks past), then the page's rows. On MySQL, with the time range as the
    // only condition, the calls without MOS are read from cdr_gui_mos too (MariaDB walks the
    // primary key otherwise); with other conditions, which need the rows, the optimizer chooses.
    if (part == list_part::whole)
      throw std::logic_error("cdr_list_query: MOS ascending is read in two parts");
    const bool with_mos = part == list_part::with_mos;
    const std::string hint = db.dialect == sql_dialect::mysql && !with_mos && range_only(f) ? " FORCE INDEX (cdr_gui_mos)"
                                                                                         : sort_index_hint(f, db);
    q.sql = select + " FROM (SELECT c.ID, c.calldate, c.mos_min_mult10 FROM cdr c" + hint + where.sql +
            (with_mos ? " AND c.mos_min_mult10 IS NOT NULL ORDER BY c.mos_min_mult10 ASC, c.ID ASC"
                      : " AND c.mos_min_mult10 IS NULL ORDER BY c.ID ASC") +
            " LIMIT ? OFFSET ?) k JOIN cdr c ON c.ID = k.ID AND c.calldate = k.calldate "
            "LEFT JOIN cdr_sip_response r ON r.id = c.lastSIPresponse_id ORDER BY k." +
            (with_mos ? std::string("mos_min_mult10 ASC, k.ID ASC") : std::string("ID ASC"));
    q.params = std::move(where.params);
    q.params.push_back(sql_param::integer(limit));
    q.params.push_back(sql_param::integer(static_cast<int64_t>(offset)));
    return q;
  }
  if (part != list_part::whole)
    throw std::logic_error("cdr_list_query: only MOS ascending is read in parts");
  std::string order = " ORDER BY ";
  if (f.sort == sort_key::mos && p != plan::sort_index)
    order += "(c.mos_min_mult10 IS NULL) ASC, ";  // calls without RTP last either way
  // (In the sort_index plan, descending: SQLite and MySQL order NULL below every number, so
  // calls without MOS come last without that term, and cdr_gui_mos gives the order.)
  order += col + dir + ", c.ID" + dir;
  if (db.dialect == sql_dialect::mysql && db.gui_indexes) {
    // Late row lookup: the page's keys from the index alone (MariaDB reads every row of a
    // backward index scan or an OFFSET otherwise), then only the page's rows.
    q.sql = select + " FROM (SELECT c.ID, c.calldate" + from_of(p, db, f) + where.sql + order +
            " LIMIT ? OFFSET ?) k JOIN cdr c ON c.ID = k.ID AND c.calldate = k.calldate "
            "LEFT JOIN cdr_sip_response r ON r.id = c.lastSIPresponse_id" + order;
  } else {
    q.sql = select + from + where.sql + order + " LIMIT ? OFFSET ?";
  }
  q.params = std::move(where.params);
  q.params.push_back(sql_param::integer(limit));
  q.params.push_back(sql_param::integer(static_cast<int64_t>(offset)));
  return q;
}

sql_query cdr_with_mos_count_query(const cdr_filter& f, const db_features& db, uint64_t cap) {
  sql_query where = where_of(f, db, plan_of(f, db), plan_of(f, db) == plan::numbers);
  where.sql = "SELECT COUNT(*) FROM (SELECT 1 FROM cdr c" + where.sql + " AND c.mos_min_mult10 IS NOT NULL LIMIT ?) t";
  where.params.push_back(sql_param::integer(static_cast<int64_t>(cap)));
  return where;
}

bool cdr_count_decides_plan(const cdr_filter& f, const db_features& db) {
  cdr_filter few = f;
  few.many_matches = false;
  return plan_of(few, db) == plan::time_numbers && f.sort != sort_key::calldate;
}

sql_query cdr_count_query(const cdr_filter& filter, const db_features& db) {
  cdr_filter f = filter;  // counted in time order whatever the list's plan
  f.many_matches = false;
  const plan p = plan_of(f, db);
  sql_query where = where_of(f, db, p, p == plan::numbers);
  where.sql = "SELECT COUNT(*) FROM (SELECT 1" + std::string(from_of(p, db, f)) + where.sql + " LIMIT ?) t";
  where.params.push_back(sql_param::integer(count_limit + 1));
  return where;
}

std::string csv_field(const std::string& value) {
  std::string v = value;
  if (!v.empty()) {
    const char c = v[0];
    const bool sign_text = (c == '+' || c == '-') && (v.size() == 1 || v[1] < '0' || v[1] > '9');
    if (c == '=' || c == '@' || c == '\t' || c == '\r' || sign_text)
      v = "'" + v;
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos)
    return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace voxmon::gui
