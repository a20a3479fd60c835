#pragma once
// The CDR list filter of /api/cdrs, /api/cdrs.csv and /api/dashboard: parsed and validated
// from the query parameters (every problem is a message for a 400 answer), then turned into
// parameterised SQL for SQLite or MySQL. Pure functions: tests/core/test_gui_query.cpp.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gui/sql.hpp"

namespace voxmon::gui {

using query_params = std::map<std::string, std::string>;

inline constexpr int64_t max_range_ms = 366LL * 24 * 3600 * 1000;  // longer ranges are cut
inline constexpr uint32_t max_per_page = 500;
inline constexpr uint64_t max_offset = 100000;     // deeper pages: narrow the filter instead
inline constexpr uint64_t count_limit = 10000;     // totals above this are reported as "more than"
inline constexpr size_t max_text_filter = 255;

enum class text_match : uint8_t { prefix, suffix, contains, exact };
enum class sort_key : uint8_t { calldate, duration, mos, loss, caller, called };

struct ip_filter {
  std::string text;   // canonical text (inet_ntop)
  std::string bytes;  // 4 or 16 address bytes
  bool v6 = false;
};

struct time_range {
  int64_t from_ms = 0;  // inclusive
  int64_t to_ms = 0;    // exclusive
  bool capped = false;  // the request asked for more than max_range_ms
};

struct cdr_filter {
  time_range range;
  std::string caller, called, callid;
  text_match match = text_match::prefix;
  std::optional<ip_filter> ip;
  std::optional<int64_t> sensor;
  std::optional<std::pair<int, int>> response;  // lastSIPresponseNum in [first, second]
  std::optional<int> whohanged;                 // 0 caller, 1 callee, 2 nobody (no BYE)
  std::optional<int> mos_below_x10;             // mos_min_mult10 < this
  std::optional<int> loss_above_x1000;          // either direction's loss % x 1000 > this
  std::optional<double> min_duration, max_duration;
  sort_key sort = sort_key::calldate;
  bool descending = true;
  uint32_t page = 1;
  uint32_t per_page = 50;
  // Not a parameter: the count found more than count_limit matches (gui/cdr_list.cpp sets it
  // where cdr_count_decides_plan), so a sorted list walks its key's index and checks the
  // numbers on each row instead of reading every match and sorting them.
  bool many_matches = false;
  // Not a parameter: the number index's candidates for a "contains" search (gui/number_search);
  // the list reads these calls only (every condition still applies). Never empty.
  std::vector<int64_t> id_in;
};

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.mmm]]" (or 'T' instead of the space, optional 'Z'), UTC.
std::optional<int64_t> parse_utc_time(const std::string& text);
// "YYYY-MM-DD HH:MM:SS.mmm"
std::string format_utc_ms(int64_t ms);
// A calldate as either store gives it ("YYYY-MM-DD HH:MM:SS", SQLite's ".mmm", MySQL
// DATETIME(3)'s ".mmm000") -> ms since the epoch.
std::optional<int64_t> parse_store_time(const std::string& text);

// Reads from/to (default: the 366 days up to now + 1 day) and caps the range; an error message
// on a malformed time or from >= to.
std::optional<std::string> parse_time_range(const query_params& q, int64_t now_ms, time_range& out);

// Every parameter of /api/cdrs (`allowed_extra` names other parameters the caller accepts,
// e.g. "part"); an error message on an unknown parameter or a bad value. Empty values count as
// absent.
std::optional<std::string> parse_cdr_filter(const query_params& q, int64_t now_ms, cdr_filter& out,
                                            const std::vector<std::string>& allowed_extra = {});

// "WHERE ..." (with the leading keyword) on `cdr c`, with its parameters.
sql_query cdr_where(const cdr_filter& f, const db_features& db);
// The list is read in one query (`whole`), except MOS ascending on the GUI's indexes
// (cdr_list_in_parts): the calls with a MOS (`with_mos`, lowest first), then those without
// (`without_mos`, by id), each paged on its own; gui/cdr_list.hpp puts a page together.
enum class list_part : uint8_t { whole, with_mos, without_mos };
bool cdr_list_in_parts(const cdr_filter& f, const db_features& db);
// Columns of a list row, in this order (see list_columns()). Throws std::logic_error for a part
// the filter is not read in.
sql_query cdr_list_query(const cdr_filter& f, const db_features& db, uint64_t offset, uint32_t limit,
                         list_part part = list_part::whole);
// SELECT COUNT(*) of the filter's calls with a MOS, counting at most `cap`.
sql_query cdr_with_mos_count_query(const cdr_filter& f, const db_features& db, uint64_t cap);
// SQLite: a number search (short prefix, suffix, substring) sorted by another key than
// calldate; its count comes first and sets many_matches.
bool cdr_count_decides_plan(const cdr_filter& f, const db_features& db);
// SELECT COUNT(*) of the filter, counting at most count_limit + 1 rows.
sql_query cdr_count_query(const cdr_filter& f, const db_features& db);
const std::vector<std::string>& list_columns();

// The loss of a call: the worse direction's loss % x 1000 (0 without RTP). loss_expression is
// for sorting and filtering (on MySQL with the GUI's indexes the indexed VIRTUAL column);
// loss_formula computes it from the two columns, for aggregates that read a covering index
// (a VIRTUAL column would make MariaDB read every row).
std::string loss_expression(const db_features& db);
std::string loss_formula(const db_features& db);

// CSV: a field quoted when needed, and a leading = + - @ (followed by a non-digit), tab or CR
// prefixed with ' so spreadsheets do not run it as a formula.
std::string csv_field(const std::string& value);

}  // namespace voxmon::gui
