#include "gui/number_search.hpp"

namespace voxmon::gui {

namespace {

constexpr int64_t chunk = 100000;
constexpr int64_t first_reread_ids = 10000;  // ids below the first load's highest that may commit late

}  // namespace

void number_search::refresh(gui_db& db) {
  const auto now = std::chrono::steady_clock::now();
  if (loaded_ && now - last_refresh_ < options_.refresh_every)
    return;
  int64_t after = 0;
  if (!loaded_) {  // the newest max_calls calls
    const int64_t max = db.query({"SELECT MAX(ID) FROM cdr", {}}).first_int();
    after = std::max<int64_t>(0, max - static_cast<int64_t>(options_.max_calls));
    if (after > 0) {  // the calls left out: searches reaching back to them scan in SQL
      auto older = db.query({"SELECT calldate FROM cdr WHERE ID <= ? ORDER BY calldate DESC LIMIT 1",
                             {sql_param::integer(after)}});
      if (!older.rows.empty()) {
        const auto newest = parse_store_time(older.rows[0][0].as_text());
        if (!newest) {
          unusable_ = true;
          return;
        }
        index_.missing_up_to(*newest);
      }
    }
  } else {  // from the highest id read `reread` ago: what committed late below it since
    while (max_ids_.size() > 1 && now - max_ids_[1].first >= options_.reread)
      max_ids_.pop_front();
    after = max_ids_.front().second;
  }
  for (;;) {
    auto rows = db.query({"SELECT ID, calldate, caller, called FROM cdr WHERE ID > ? ORDER BY ID LIMIT ?",
                          {sql_param::integer(after), sql_param::integer(chunk)}});
    for (const auto& r : rows.rows) {
      const int64_t id = r[0].as_int().value_or(0);
      const auto calldate = parse_store_time(r[1].as_text());
      if (!calldate) {  // a call the index cannot place: searches scan in SQL from now on
        unusable_ = true;
        return;
      }
      index_.add(id, *calldate, r[2].as_text(), r[3].as_text());
      after = id;
    }
    if (static_cast<int64_t>(rows.rows.size()) < chunk)
      break;
  }
  if (!loaded_)  // the first minute re-reads the last ids of the load as well
    max_ids_.emplace_back(now - options_.reread, std::max<int64_t>(0, index_.max_id() - first_reread_ids));
  if (max_ids_.back().second != index_.max_id())
    max_ids_.emplace_back(now, index_.max_id());
  loaded_ = true;
  last_refresh_ = now;
}

void number_search::warm(gui_db& db) {
  std::lock_guard lock(mutex_);
  if (!unusable_ && options_.max_calls > 0)
    refresh(db);
}

std::optional<std::vector<int64_t>> number_search::candidates(gui_db& db, const cdr_filter& f) {
  if (f.match != text_match::contains || (f.caller.empty() && f.called.empty()))
    return std::nullopt;
  std::lock_guard lock(mutex_);
  if (unusable_ || options_.max_calls == 0)
    return std::nullopt;
  refresh(db);
  if (unusable_ || !index_.covers(f.range.from_ms))
    return std::nullopt;
  auto ids = index_.search(f.range.from_ms, f.range.to_ms, f.caller, f.called, options_.max_candidates + 1);
  if (ids.size() > options_.max_candidates)
    return std::nullopt;
  return ids;
}

}  // namespace voxmon::gui
