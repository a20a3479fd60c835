#pragma once
// The voice quality columns of the MySQL store (schema versions 3 and 4): their names and types for
// mysql_schema, and their values for mysql_sink, generated from one list so the two cannot
// drift apart. cdr gets them per direction (a_/b_ prefix: the direction's main stream, RTCP
// as VoIPmonitor stores it: a_rtcp_* = what the caller reported about the callee's stream),
// cdr_rtp per stream (no prefix, RTCP about the stream itself). Names, types and units are
// VoIPmonitor's where it has the column (a_mos_f1_mult10, a_sl1, a_d50, a_rtcp_avgfr_mult10,
// a_rtp_ptime ...); docs/CDR.md lists each and marks voxmon's additions.
#include <string>
#include <vector>

#include "core/cdr.hpp"
#include "store/mysql_db.hpp"

namespace voxmon::store {

struct quality_column {
  std::string name;
  std::string type;
  int since = 3;  // schema version that added it (cdr_rtp.intervals: 4)
};

// cdr columns, in the order append_cdr_quality writes them.
const std::vector<quality_column>& cdr_quality_columns();
// cdr_rtp columns, in the order append_stream_quality writes them; the last one, `intervals`
// (schema 4), is the stream's per-10-s series as JSON text (store::intervals_json_text).
const std::vector<quality_column>& rtp_quality_columns();
// ",`a`,`b`..." for an INSERT column list.
std::string column_list(const std::vector<quality_column>& cols);

// Appends the values of cdr_quality_columns() (NULL for absent; codec cut to 32 characters).
void append_cdr_quality(std::vector<sql_value>& out, const core::cdr& c);
// The same for one stream and rtp_quality_columns().
void append_stream_quality(std::vector<sql_value>& out, const core::cdr_rtp_stream& s);

}  // namespace voxmon::store
