#pragma once
// One CDR as one line of JSON (docs/CDR.md): plain units (seconds, ms), fixed key order, so
// the same capture gives byte-identical output on every run.
#include <string>

#include "core/cdr.hpp"

namespace voxmon::store {
std::string cdr_to_json_line(const core::cdr& c);  // without the trailing newline
}
