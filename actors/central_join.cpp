#include "actors/central_join.hpp"

#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "core/sensor_auth.hpp"
#include "messages/errors.hpp"

namespace voxmon {

std::string link_error_message(const caf::error& e) {
  const std::string text = error_text(e);
  if (text.find("disconnect_during_handshake") != std::string::npos)
    return "the central node closed the link while joining (not a voxmon central node?)";
  if (text.find("cannot_connect_to_node") != std::string::npos)
    return "cannot connect (is the central node running, and its port open?)";
  if (text.find("request_timeout") != std::string::npos)
    return "no answer within the request timeout";
  return text;
}

std::optional<joined_node> join_central_node(caf::actor_system& sys, const join_options& o,
                                             tunnel_map& tunnels, const caf::actor& presence,
                                             std::string& failures) {
  failures.clear();
  caf::scoped_actor self{sys};
  auto fail = [&](const server_address& server, const std::string& why) {
    failures += (failures.empty() ? "" : "; ") + server.text() + ": " + why;
  };
  for (const auto& server : o.servers) {
    auto& door = tunnels[server.text()];
    std::string why;
    if (!door)
      door = core::tls_tunnel::dial(server.host, server.port, o.tls, why);
    if (!door) {
      fail(server, why);
      continue;
    }
    auto registry =
      sys.middleman().remote_actor<sensor_registry_actor>("127.0.0.1", door->local_port());
    if (!registry) {
      const std::string tunnel_error = door->last_error();
      fail(server, tunnel_error.empty() ? link_error_message(registry.error()) : tunnel_error);
      continue;
    }
    sensor_hello hello{o.id_sensor, o.sensor_name, o.version};
    std::optional<std::string> nonce;
    self->request(*registry, o.request_timeout, join_atom::value, hello)
      .receive([&](std::string& n) { nonce = std::move(n); },
               [&](caf::error& e) { why = link_error_message(e); });
    std::optional<join_result> joined;
    if (nonce) {
      auth_proof proof{o.id_sensor, o.sensor_name, *nonce,
                       core::make_auth_proof(o.password, *nonce, o.id_sensor, o.sensor_name),
                       presence, o.spool};
      self->request(*registry, o.request_timeout, auth_atom::value, proof)
        .receive([&](join_result& r) { joined = std::move(r); },
                 [&](caf::error& e) { why = link_error_message(e); });
    }
    if (joined && !joined->accepted)
      why = "refused: " + joined->reason;
    if (!joined || !joined->accepted) {
      fail(server, why);
      continue;
    }
    return joined_node{std::move(*joined), server.text()};
  }
  return std::nullopt;
}

}  // namespace voxmon
