#pragma once
// A page of the CDR list (rows in list_columns() order), read with cdr_list_query: one query,
// or for MOS ascending the calls with a MOS and then, only when the page reaches past them,
// the calls without one (the second part of a search that matches few calls without MOS would
// otherwise walk all of them: MariaDB cannot tell before it has read them).
#include <cstdint>

#include "gui/cdr_query.hpp"
#include "gui/gui_db.hpp"
#include "gui/number_search.hpp"

namespace voxmon::gui {

db_result cdr_list_rows(gui_db& db, const cdr_filter& f, const db_features& feats, uint64_t offset,
                        uint32_t limit);

// A page with the filter's total (at most count_limit + 1): counted first where the count picks
// the plan (cdr_count_decides_plan), from the page itself when it is not full (the last page:
// a search that scans the range then scans it once), else counted after.
struct cdr_page {
  db_result rows;
  int64_t total = 0;
};
// A "contains" search asks `numbers` (when given) for its candidates first.
cdr_page cdr_list_page(gui_db& db, const cdr_filter& f, const db_features& feats, uint64_t offset,
                       uint32_t limit, number_search* numbers = nullptr);
// `f` narrowed to the number index's candidates (id_in) where it has them; false when the
// search has no match at all.
bool narrow_by_numbers(gui_db& db, number_search* numbers, cdr_filter& f);

}  // namespace voxmon::gui
