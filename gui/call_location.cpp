#include "gui/call_location.hpp"

#include <cctype>

#include "gui/cdr_query.hpp"

namespace voxmon::gui {

std::optional<core::timestamp_ns> calldate_ns(const std::string& text) {
  auto ms = parse_store_time(text);
  if (!ms)
    return std::nullopt;
  return core::timestamp_ns{*ms} * 1'000'000;
}

std::optional<uint32_t> sensor_of(const db_value& v) {
  const auto n = v.as_int();
  if (!n || *n < 0 || *n > 0xffffffffLL)
    return std::nullopt;
  return static_cast<uint32_t>(*n);
}

std::optional<call_location> locate_call(db_pool& pool, int64_t id) {
  return with_db(pool, [&](gui_db& db) -> std::optional<call_location> {
    auto r = db.query({"SELECT c.calldate, n.fbasename, c.id_sensor FROM cdr c LEFT JOIN cdr_next n "
                       "ON n.cdr_ID = c.ID WHERE c.ID = ?", {sql_param::integer(id)}});
    if (r.rows.empty())
      return std::nullopt;
    return call_location{r.rows[0][1].as_text(), calldate_ns(r.rows[0][0].as_text()),
                         sensor_of(r.rows[0][2])};
  });
}

std::string download_name(const std::string& fbasename) {
  std::string name = fbasename.substr(0, 180);
  for (auto& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_' && ch != '@')
      ch = '_';
  return name;
}

}  // namespace voxmon::gui
