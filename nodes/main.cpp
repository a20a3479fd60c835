// voxmon: passive VoIP monitor. One binary; the role comes from the configuration.
#include "nodes/cli.hpp"
#include "config/cluster_settings.hpp"
#include "nodes/live_node.hpp"
#include "nodes/mirror_node.hpp"
#include "nodes/offline_node.hpp"
#include "nodes/server_node.hpp"

int main(int argc, char** argv) {
  auto cli = voxmon::nodes::parse_command_line(argc, argv);
  if (cli.what == voxmon::nodes::cli_outcome::action::exit)
    return cli.exit_code;
  if (voxmon::config::is_mirror_sender(cli.settings))
    return voxmon::nodes::run_mirror_sender(cli.settings);
  // A server that also captures (interface or HEP) is the live daemon with the central
  // node's services; a server without capture is the server node.
  if (voxmon::config::is_server(cli.settings) && cli.settings.read_file.empty() &&
      !voxmon::nodes::is_live(cli.settings))
    return voxmon::nodes::run_server(cli.settings);
  if (voxmon::nodes::is_live(cli.settings))
    return voxmon::nodes::run_live(cli.settings, argc, argv);
  return voxmon::nodes::run_offline(cli.settings);
}
