#pragma once
#include <iosfwd>

#include "messages/messages.hpp"

namespace voxmon::nodes {

// The short table of calls, then the summary line.
void print_run_report(std::ostream& out, const run_report& r, double elapsed_s, uint32_t table_rows);

}  // namespace voxmon::nodes
