#include "gui/cdr_list.hpp"

#include <algorithm>

namespace voxmon::gui {

db_result cdr_list_rows(gui_db& db, const cdr_filter& f, const db_features& feats, uint64_t offset,
                        uint32_t limit) {
  if (!cdr_list_in_parts(f, feats))
    return db.query(cdr_list_query(f, feats, offset, limit));
  db_result page = db.query(cdr_list_query(f, feats, offset, limit, list_part::with_mos));
  if (page.rows.size() >= limit)
    return page;
  // The calls with a MOS end inside this page (or before it): how many there are.
  uint64_t with_mos = offset + page.rows.size();
  if (page.rows.empty() && offset > 0)
    with_mos = static_cast<uint64_t>(db.query(cdr_with_mos_count_query(f, feats, offset)).first_int());
  const uint64_t rest_offset = offset > with_mos ? offset - with_mos : 0;
  const auto rest_limit = static_cast<uint32_t>(limit - page.rows.size());
  db_result rest = db.query(cdr_list_query(f, feats, rest_offset, rest_limit, list_part::without_mos));
  if (page.columns.empty())
    page.columns = rest.columns;
  for (auto& r : rest.rows)
    page.rows.push_back(std::move(r));
  return page;
}

bool narrow_by_numbers(gui_db& db, number_search* numbers, cdr_filter& f) {
  if (!numbers)
    return true;
  auto ids = numbers->candidates(db, f);
  if (!ids)
    return true;
  if (ids->empty())
    return false;
  f.id_in = std::move(*ids);
  return true;
}

cdr_page cdr_list_page(gui_db& db, const cdr_filter& filter, const db_features& feats, uint64_t offset,
                       uint32_t limit, number_search* numbers) {
  cdr_page out;
  cdr_filter f = filter;
  if (!narrow_by_numbers(db, numbers, f))
    return out;  // no call has those numbers
  if (cdr_count_decides_plan(f, feats)) {
    out.total = db.query(cdr_count_query(f, feats)).first_int();
    f.many_matches = out.total > static_cast<int64_t>(count_limit);
    out.rows = cdr_list_rows(db, f, feats, offset, limit);
    return out;
  }
  out.rows = cdr_list_rows(db, f, feats, offset, limit);
  if (out.rows.rows.size() < limit && (!out.rows.rows.empty() || offset == 0))
    out.total = static_cast<int64_t>(offset + out.rows.rows.size());
  else
    out.total = db.query(cdr_count_query(f, feats)).first_int();
  return out;
}

}  // namespace voxmon::gui
