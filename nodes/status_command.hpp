#pragma once
// `voxmon [--config-file FILE] status --server HOST[:PORT]`: asks a central node which sensors
// it knows and prints them as a table. The password comes from the config file
// (server_password, server_password_file) or VOXMON_SERVER_PASSWORD.
#include <optional>

namespace voxmon::nodes {

// nullopt when argv is not the status subcommand; otherwise the exit code.
std::optional<int> run_status_subcommand(int argc, const char* const* argv);

}  // namespace voxmon::nodes
