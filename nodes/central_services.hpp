#pragma once
// The central node's services, for any node that has `server_bind`: the registry where sensors
// join (published on loopback, reached through the TLS tunnel on server_bind:server_bind_port),
// the CDR ingest for CDR-uploading sensors and the mirror ingest for mirror senders. They use
// the node's cdr_writer and spool pool, so a server that also captures (live node) and a
// server-only node (server node) are the same services.
#include <caf/actor_system.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/mirror_ingest.hpp"
#include "actors/pcap_relay.hpp"
#include "config/settings.hpp"
#include "core/tls_tunnel.hpp"
#include "gui/gui_server.hpp"
#include "messages/remote_messages.hpp"
#include "nodes/remote_pcap_fetch.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

class central_services {
 public:
  // Checks the password settings, spawns the services and opens the door. nullptr + an error a
  // user can act on, and `usage` = true when the settings are at fault (exit 2).
  static std::unique_ptr<central_services> start(caf::actor_system& sys, const config::settings& s,
                                                 cdr_writer_actor writer, const spool_pool& pool,
                                                 std::string& error);
  ~central_services();
  uint16_t port() const { return door_->local_port(); }
  // The mirror streams open now (status line, metrics); empty when the ingest does not answer.
  std::vector<mirror_feed_status> mirror_streams();
  // The registry's table of sensors (asked with the node's own password proof, as
  // `voxmon status --server` does); empty when the registry does not answer.
  std::vector<sensor_info> sensors();
  // Prometheus text for both: the sensor table and the mirror streams.
  std::string metrics();
  // A call's files from the CDR sensor that saved them (the GUI's remote_pcap hook; blocking,
  // thread-safe): through the pcap_relay to the sensor's spool_server, piece by piece.
  gui::remote_call_files fetch_remote_pcap(const gui::remote_pcap_query& q);
  // Ends every mirror stream (calls closed with the sighup mark, CDRs written), then stops the
  // registry and the ingests. The writer stays: the caller flushes and stops it.
  void stop();

 private:
  central_services(caf::actor_system& sys) : sys_(sys) {}
  caf::actor_system& sys_;
  sensor_registry_actor registry_;
  cdr_ingest_actor ingest_;
  mirror_ingest_local_actor mirror_;
  pcap_relay_actor relay_;
  remote_fetch_limits fetch_limits_;
  std::string password_;
  std::unique_ptr<core::tls_tunnel> door_;
  bool stopped_ = false;
};

}  // namespace voxmon::nodes
