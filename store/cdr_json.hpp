#pragma once
// One CDR as one line of JSON (docs/CDR.md): plain units (seconds, ms), fixed key order, so
// the same capture gives byte-identical output on every run.
#include <string>

#include "core/cdr.hpp"

namespace voxmon::store {
std::string cdr_to_json_line(const core::cdr& c);  // without the trailing newline
// A stream's per-10-s series as the JSON array of its "intervals" key (the same text goes to
// the databases' cdr_rtp.intervals column): [{"t":0,"mos_f1":4.41,...},...].
std::string intervals_json_text(const std::vector<core::quality_interval>& intervals);
}
