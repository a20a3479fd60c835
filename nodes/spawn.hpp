#pragma once
// spawn_* functions: read the settings, open what an actor needs (files, stores), and spawn it
// wired to the handles it depends on. Each returns an error a user can act on instead of an
// actor when something cannot be opened.
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <atomic>
#include <memory>
#include <vector>

#include "config/settings.hpp"
#include "actors/capture.hpp"
#include "actors/central_join.hpp"
#include "actors/cdr_writer.hpp"
#include "actors/mirror_ingest.hpp"
#include "messages/actors.hpp"
#include "messages/errors.hpp"
#include "store/mysql_store.hpp"

namespace voxmon::core {
class spool_index;
}

namespace voxmon::nodes {

// The MySQL store as configured (mysqlhost & co, journal). nullptr + error when the journal
// cannot be opened or the schema is too new; `warning` when the server is not reachable now.
std::unique_ptr<store::mysql_store> open_mysql_store(const config::settings& s, std::string& error,
                                                    std::string& warning);


// The CDR sinks the settings ask for: JSON Lines, SQLite or MySQL, and the central node when
// this is a sensor (server_destination).
// `capture_dropped`: the live node's capture drops, which a sensor reports to the central node.
caf::expected<sink_list> open_cdr_sinks(
  caf::actor_system& sys, const config::settings& s,
  std::shared_ptr<const std::atomic<uint64_t>> capture_dropped = nullptr);
// How a sensor (CDR uplink or mirror sender) joins its central node: server_destination,
// server_password, id_sensor, sensor name, version, TLS files.
caf::expected<join_options> join_options_of(const config::settings& s);
// sensor_name, or the host name.
std::string sensor_name(const config::settings& s);

caf::expected<cdr_writer_actor> spawn_cdr_writer(
  caf::actor_system& sys, const config::settings& s,
  std::shared_ptr<const std::atomic<uint64_t>> capture_dropped = nullptr);
// The spool_writer pool (per-call pcap files) when savesip/savertp/savertcp ask for it; an
// empty pool otherwise. A spool directory that cannot be created is reported on stderr and the
// pool still runs (its writes fail, are logged and counted as drops; the CDRs are unaffected).
struct spool_pool {
  std::vector<spool_writer_actor> writers;
  std::shared_ptr<core::spool_index> index;
};
spool_pool spawn_spool_writer(caf::actor_system& sys, const config::settings& s);
// Asks every member to close its files, saves the index; returns the summed report.
spool_report finish_spool(caf::actor_system& sys, const spool_pool& pool);

// The call timeouts of the settings (seconds -> packet-time nanoseconds).
core::call_timeouts call_timeouts_of(const config::settings& s);
// `sources`: how many sources feed the router (each ends with its own eof); the first
// `merged_sources` of them (live interfaces, when 2 or more) are merged in packet-time order.
caf::expected<call_router_actor> spawn_call_router(caf::actor_system& sys, const config::settings& s,
                                                   uint64_t source, cdr_writer_actor writer,
                                                   const spool_pool* spool = nullptr,
                                                   uint32_t sources = 1, uint32_t merged_sources = 0);
// The capture-side settings (id_sensor, SIP ports, batch size, decoder and TCP limits).
capture_config capture_config_of(const config::settings& s);
caf::expected<capture_actor> spawn_file_capture(caf::actor_system& sys, const config::settings& s,
                                                call_router_actor router);
// The HEP listener (hep = yes) on hep_bind:hep_bind_port, UDP and/or TCP (hep_bind_udp,
// hep_bind_tcp), detached, feeding `router`. A bind error names the address and port.
caf::expected<hep_listener_actor> spawn_hep_listener(caf::actor_system& sys, const config::settings& s,
                                                     call_router_actor router);

// The mirror receiver's door (packetbuffer_sender senders): each sensor's stream gets a router
// made from these settings with the sensor's id_sensor, feeding `writer` and the spool pool.
mirror_ingest_local_actor spawn_mirror_ingest(caf::actor_system& sys, const config::settings& s,
                                              cdr_writer_actor writer, const spool_pool& pool);

}  // namespace voxmon::nodes
