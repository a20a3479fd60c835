// voxmon: passive VoIP monitor. One binary; the role comes from the configuration.
#include "nodes/cli.hpp"
#include "nodes/offline_node.hpp"

int main(int argc, char** argv) {
  auto cli = voxmon::nodes::parse_command_line(argc, argv);
  if (cli.what == voxmon::nodes::cli_outcome::action::exit)
    return cli.exit_code;
  return voxmon::nodes::run_offline(cli.settings);
}
