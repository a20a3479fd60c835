#pragma once
// What a node needs to talk to other nodes: CAF's io middleman (BASP on loopback, carried
// between machines by core::tls_tunnel), heartbeats so a frozen peer is noticed, and the
// message types that cross the wire.
#include <caf/actor_system_config.hpp>

#include <string>

#include "config/settings.hpp"
#include "core/tls_tunnel.hpp"

namespace voxmon::nodes {

// Every node's actor system: scheduler threads (`threads`, 0 = one per core), CAF's own logger
// quiet, and remoting when the node links to others.
void configure_node(caf::actor_system_config& cfg, const config::settings& s);
// True when this node links to others (a server or a sensor).
bool uses_remoting(const config::settings& s);
void configure_remoting(caf::actor_system_config& cfg, const config::settings& s);
core::tls_files tls_files_of(const config::settings& s);
// The warning both ends print when no certificates are configured (empty when they are).
std::string tls_warning(const config::settings& s);

}  // namespace voxmon::nodes
