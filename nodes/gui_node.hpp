#pragma once
// The standalone web GUI role: gui_bind set and nothing else to do (no capture file, no
// interface or HEP listener, no server_bind). Serves the GUI over the configured CDR store
// and spool until SIGTERM or SIGINT. docs/GUI.md.
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "gui/gui_server.hpp"

namespace voxmon::nodes {

bool is_gui_only(const config::settings& s);
int run_gui(const config::settings& s);

class central_services;
// The GUI inside another daemon (live sensor, central node): started when gui_bind is set,
// with the registry's table on its sensors page when the node is a central node. nullptr and
// no error when gui_bind is not set; nullptr and an error when it cannot start.
std::unique_ptr<gui::gui_server> start_embedded_gui(const config::settings& s,
                                                    central_services* central, std::string& error);

}  // namespace voxmon::nodes
