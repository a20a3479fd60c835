#pragma once
// Where a subcommand word (`pcap`, `status`) stands in argv: only --config-file FILE may come
// before it. -1 when argv is not that subcommand.
#include <string>

namespace voxmon::nodes {

inline int subcommand_index(int argc, const char* const* argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config-file" || a == "-c") {
      ++i;
      continue;
    }
    if (a.rfind("--config-file=", 0) == 0)
      continue;
    return a == name ? i : -1;
  }
  return -1;
}

}  // namespace voxmon::nodes
