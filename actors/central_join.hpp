#pragma once
// Joining a central node, shared by the two kinds of remote sensor (CDR uplink and mirror
// sender): dial the server through core::tls_tunnel, reach its registry over CAF remote actors,
// say hello, answer the nonce with the HMAC proof (core/sensor_auth). Servers are tried in
// order (failover). Blocking: call it from a detached actor or a plain thread.
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tls_tunnel.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon {

struct server_address {
  std::string host;
  uint16_t port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};

struct join_options {
  std::vector<server_address> servers;  // failover order
  std::string password;
  uint32_t id_sensor = 0;
  std::string sensor_name;
  std::string version;
  core::tls_files tls;
  std::chrono::seconds request_timeout{15};
  spool_server_actor spool;  // a CDR sensor's spool, for the central node's pcap fetches
};

struct joined_node {
  join_result result;   // accepted, with the ingest handles
  std::string server;   // host:port of the server that took the join
};

// The tunnels are kept by the caller (one per server, made on first use, reused afterwards).
// `presence` lives as long as the link (the server monitors it). On failure, nothing and
// `failures`: every server's reason, in words.
using tunnel_map = std::map<std::string, std::unique_ptr<core::tls_tunnel>>;
std::optional<joined_node> join_central_node(caf::actor_system& sys, const join_options& o,
                                             tunnel_map& tunnels, const caf::actor& presence,
                                             std::string& failures);

// error_text, with CAF's link errors put in words.
std::string link_error_message(const caf::error& e);

}  // namespace voxmon
