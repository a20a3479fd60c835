#pragma once
// The standalone node reading one capture file: capture -> call_router -> calls -> cdr_writer.
#include "config/settings.hpp"

namespace voxmon::nodes {

// Runs the whole file through the pipeline, prints the call table and the summary line, and
// returns the process exit code (0, or 1 when the input or a store could not be used at all).
int run_offline(const config::settings& s);

}  // namespace voxmon::nodes
