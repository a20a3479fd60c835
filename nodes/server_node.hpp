#pragma once
// The central node (server_bind set): publishes the sensor registry over TLS on
// server_bind:server_bind_port, stores the CDRs its sensors upload (MySQL, JSON Lines ...), and
// runs until SIGTERM or SIGINT.
#include "config/settings.hpp"

namespace voxmon::nodes {

int run_server(const config::settings& s);

}  // namespace voxmon::nodes
