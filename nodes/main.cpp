// voxmon: passive VoIP monitor. One binary; the role comes from the configuration.
#include <iostream>

#include "nodes/cli.hpp"
#include "config/cluster_settings.hpp"
#include "config/gui_settings.hpp"
#include "nodes/gui_node.hpp"
#include "nodes/live_node.hpp"
#include "nodes/mirror_node.hpp"
#include "nodes/offline_node.hpp"
#include "nodes/server_node.hpp"
#include "nodes/user_command.hpp"

#ifdef VOXMON_JEMALLOC
// jemalloc reads its options from this symbol first (then /etc/malloc.conf and MALLOC_CONF,
// which can override them). Heap memory on transparent huge pages: this is where batches,
// spool file buffers and the mirror's frames live, and a first touch then costs one fault per
// 2 MiB instead of one per 4 KiB page (docs/PERFORMANCE.md, spool section, "Sixth round").
extern "C" {
const char* malloc_conf = "thp:always,metadata_thp:always";
}
#endif

int main(int argc, char** argv) {
  if (auto code = voxmon::nodes::run_user_subcommand(argc, argv))  // voxmon user add|list|del
    return *code;
  auto cli = voxmon::nodes::parse_command_line(argc, argv);
  if (cli.what == voxmon::nodes::cli_outcome::action::exit)
    return cli.exit_code;
  if (voxmon::nodes::is_gui_only(cli.settings))  // gui_bind and nothing else: the web GUI alone
    return voxmon::nodes::run_gui(cli.settings);
  // The central node and the live daemon serve the GUI too (roles compose); a run over a file
  // and a mirror sender end or store nothing themselves.
  if (voxmon::config::is_gui(cli.settings) &&
      (!cli.settings.read_file.empty() || voxmon::config::is_mirror_sender(cli.settings)))
    std::cerr << "voxmon: warning: gui_bind is ignored with -r and on a mirror sender\n";
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
