#pragma once
// The sensor daemon: live capture on one or more interfaces (and other live sources such as the
// HEP listener) -> call_router -> calls -> cdr_writer (+ spool writers), running in the
// foreground until SIGTERM/SIGINT. Status line every 10 s, optional metrics endpoint, SIGHUP
// reload, pid file, privilege drop.
#include "config/settings.hpp"

namespace voxmon::nodes {

// True when the settings ask for the daemon (an interface, or HEP) and no file is given.
bool is_live(const config::settings& s);

// Runs until SIGTERM/SIGINT; returns the exit code: 0 after a clean stop, 2 when a capture
// cannot be opened (bad interface, bad filter, no permission) or the settings are unusable,
// 1 when a store fails, 3 when CDRs wait in the journal / outbox. `argc/argv` are parsed again
// on SIGHUP (the config file is re-read).
int run_live(const config::settings& s, int argc, char** argv);

}  // namespace voxmon::nodes
