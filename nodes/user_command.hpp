#pragma once
// `voxmon [--config-file FILE] [--db URL] user add NAME --role admin|viewer`, `user list`,
// `user del NAME`: the web GUI's users in the voxmon_users table of the CDR store. `add` reads
// the password from standard input (its first line) when that is not a terminal, else asks for
// it twice without echo.
#include <optional>

namespace voxmon::nodes {

// When argv is the user subcommand: runs it and returns its exit code (0, 1 = failed, 2 =
// usage); nullopt otherwise.
std::optional<int> run_user_subcommand(int argc, const char* const* argv);

}  // namespace voxmon::nodes
