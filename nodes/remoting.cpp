#include "nodes/remoting.hpp"

#include <caf/io/middleman.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "config/cluster_settings.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon::nodes {

void configure_node(caf::actor_system_config& cfg, const config::settings& s) {
  const size_t threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  // sharing (one queue for all workers) is the default: CAF 0.17's work stealing walks the
  // victim's whole queue on every steal (double_ended_queue::take_tail -> find_predecessor),
  // which took a third of the CPU with thousands of call actors (docs/PERFORMANCE.md).
  cfg.set("scheduler.policy", s.scheduler == "stealing" ? caf::atom("stealing") : caf::atom("sharing"));
  if (uses_remoting(s))
    configure_remoting(cfg, s);
}

bool uses_remoting(const config::settings& s) {
  return config::is_server(s) || config::is_sensor(s);
}

core::tls_files tls_files_of(const config::settings& s) {
  return {s.tls_cert, s.tls_key, s.tls_ca};
}

void configure_remoting(caf::actor_system_config& cfg, const config::settings&) {
  cfg.load<caf::io::middleman>();
  // Without heartbeats a peer that froze (or a cut cable) is never noticed.
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(2)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(10)});
  add_remote_message_types(cfg);
}

std::string tls_warning(const config::settings& s) {
  if (tls_files_of(s).complete())
    return {};
  return "no tls_cert/tls_key/tls_ca configured: the link to the other node is encrypted, but "
         "the server is not authenticated (a throwaway key, not checked); the server_password "
         "challenge still applies";
}

}  // namespace voxmon::nodes
