#pragma once
// What the GUI adds to a MySQL store for its list to stay fast on millions of calls (docs/GUI.md
// "Extra indexes"): VoIPmonitor's caller_reverse / called_reverse (as VIRTUAL generated
// columns, when the table lacks them) for suffix search, a VIRTUAL column with the loss the
// list sorts by, and an index per sort key with the id, the calldate order with the numbers,
// and the dashboard's columns. Added once (ALTER TABLE, in place: the node's inserts go on);
// later starts find them and change nothing.
#include "gui/sql.hpp"
#include "store/mysql_db.hpp"

namespace voxmon::gui {

// Adds what is missing; sets features.reverse_columns and features.gui_indexes. Throws
// sql::SQLException.
void add_mysql_gui_indexes(store::mysql_db& db, db_features& features);

}  // namespace voxmon::gui
