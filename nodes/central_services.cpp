#include "nodes/central_services.hpp"

#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <iostream>

#include "actors/cdr_ingest.hpp"
#include "actors/sensor_registry.hpp"
#include "config/cluster_settings.hpp"
#include "core/metrics_text.hpp"
#include "core/mirror_metrics.hpp"
#include "core/sensor_auth.hpp"
#include "nodes/remoting.hpp"

namespace voxmon::nodes {

std::unique_ptr<central_services> central_services::start(caf::actor_system& sys,
                                                          const config::settings& s,
                                                          cdr_writer_actor writer,
                                                          const spool_pool& pool,
                                                          std::string& error) {
  auto password = config::server_password(s, error);
  if (!password)
    return nullptr;
  if (password->empty()) {
    error = "the server role needs server_password (or server_password_file): sensors prove "
            "they know it when they join";
    return nullptr;
  }
  std::unique_ptr<central_services> c(new central_services(sys));
  c->password_ = *password;
  c->ingest_ = sys.spawn(cdr_ingest, writer);
  c->mirror_ = spawn_mirror_ingest(sys, s, writer, pool);
  c->relay_ = sys.spawn(pcap_relay);
  c->fetch_limits_ = {std::chrono::seconds(s.remote_pcap_timeout), uint64_t{s.remote_pcap_max_mb} << 20};
  // The tunnel is made after the registry is published; the registry asks it for addresses.
  auto door_for_lookup = std::make_shared<std::atomic<core::tls_tunnel*>>(nullptr);
  sensor_registry_config rc;
  rc.password = *password;
  rc.relay = c->relay_;
  rc.address_of = [door_for_lookup](uint16_t port) {
    core::tls_tunnel* door = door_for_lookup->load();
    return door ? door->peer_of(port) : std::string();
  };
  c->registry_ = sys.spawn(sensor_registry, rc, c->ingest_, c->mirror_);
  // The registry is published on loopback only; the TLS tunnel is the door to the network.
  auto inner = sys.middleman().publish(c->registry_, 0, "127.0.0.1", /*reuse_addr=*/true);
  std::string why;
  if (inner)
    c->door_ = core::tls_tunnel::serve(s.server_bind, static_cast<uint16_t>(s.server_bind_port),
                                       *inner, tls_files_of(s), [](const std::string& w) {
                                         std::cerr << "voxmon: " << w << '\n';
                                       }, why);
  if (!c->door_) {
    error = "cannot listen on " + s.server_bind + ":" + std::to_string(s.server_bind_port) + ": " +
            (inner ? why : error_text(inner.error()));
    c->stop();
    return nullptr;
  }
  door_for_lookup->store(c->door_.get());
  if (auto w = tls_warning(s); !w.empty())
    std::cerr << "voxmon: warning: " << w << '\n';
  std::cerr << "voxmon: central node listening on " << s.server_bind << ':' << c->port() << '\n';
  return c;
}

central_services::~central_services() { stop(); }

std::vector<mirror_feed_status> central_services::mirror_streams() {
  std::vector<mirror_feed_status> out;
  caf::scoped_actor self{sys_};
  self->request(mirror_, std::chrono::seconds(2), status_atom::value)
    .receive([&](std::vector<mirror_feed_status>& v) { out = std::move(v); }, [](caf::error&) {});
  return out;
}

std::vector<sensor_info> central_services::sensors() {
  std::vector<sensor_info> out;
  if (stopped_)
    return out;
  caf::scoped_actor self{sys_};
  std::string nonce;
  self->request(registry_, std::chrono::seconds(2), join_atom::value,
                sensor_hello{0, "status", VOXMON_VERSION})
    .receive([&](std::string& n) { nonce = std::move(n); }, [](caf::error&) {});
  if (nonce.empty())
    return out;
  auth_proof proof{0, "status", nonce, core::make_auth_proof(password_, nonce, 0, "status"), {}, {}};
  self->request(registry_, std::chrono::seconds(3), status_atom::value, proof)
    .receive([&](std::vector<sensor_info>& v) { out = std::move(v); }, [](caf::error&) {});
  return out;
}

std::string central_services::metrics() {
  std::vector<core::sensor_metrics_row> rows;
  for (const auto& s : sensors())
    rows.push_back({s.id_sensor, s.name, s.up, s.mirror, s.cdrs, s.cdr_rate, s.last_heard_ms,
                    s.mirror_packets, s.dropped});
  return core::render_sensor_metrics(rows) + core::render_mirror_receiver_metrics(mirror_streams());
}

gui::remote_call_files central_services::fetch_remote_pcap(const gui::remote_pcap_query& q) {
  if (stopped_)
    return {core::remote_pcap_outcome::not_connected, "the central node is stopping", false, false, {}, {}, {}};
  return fetch_remote_call_files(sys_, relay_, q, fetch_limits_);
}

void central_services::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  caf::scoped_actor self{sys_};
  self->send_exit(registry_, caf::exit_reason::user_shutdown);
  // Mirror streams still open end as a stopped capture does: their calls get the sighup mark
  // and their CDRs are written before the stores close.
  self->request(mirror_, caf::infinite, done_atom::value).receive([](uint64_t) {}, [](caf::error&) {});
  self->send_exit(ingest_, caf::exit_reason::user_shutdown);
  self->send_exit(mirror_, caf::exit_reason::user_shutdown);
  self->send_exit(relay_, caf::exit_reason::user_shutdown);
}

}  // namespace voxmon::nodes
