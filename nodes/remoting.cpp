#include "nodes/remoting.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <chrono>

#include "config/cluster_settings.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon::nodes {

bool uses_remoting(const config::settings& s) {
  return config::is_server(s) || config::is_sensor(s);
}

void configure_remoting(caf::actor_system_config& cfg, const config::settings& s) {
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = s.tls_cert;
  cfg.openssl_key = s.tls_key;
  cfg.openssl_cafile = s.tls_ca;
  // Without heartbeats a peer that froze (or a cut cable) is never noticed.
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(2)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(10)});
  add_remote_message_types(cfg);
}

std::string tls_warning(const config::settings& s) {
  if (!s.tls_cert.empty() && !s.tls_ca.empty())
    return {};
  return "no tls_cert/tls_ca configured: the link to the other node is encrypted, but the "
         "server is not authenticated (anonymous key exchange); the server_password "
         "challenge still applies";
}

}  // namespace voxmon::nodes
