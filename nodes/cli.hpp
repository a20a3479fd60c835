#pragma once
// The command line: flags, --help, --version, and how they combine with --config-file
// (the file first, then every flag given overrides it).
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace voxmon::nodes {

struct cli_outcome {
  enum class action { run, exit } what = action::run;
  int exit_code = 0;               // for action::exit
  config::settings settings;
};

// Parses argv; prints help, version, warnings and errors itself (to stdout/stderr).
cli_outcome parse_command_line(int argc, const char* const* argv);

}  // namespace voxmon::nodes
