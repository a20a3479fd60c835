#include "nodes/server_node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "actors/cdr_ingest.hpp"
#include "actors/mirror_ingest.hpp"
#include "actors/sensor_registry.hpp"
#include "config/cluster_settings.hpp"
#include "core/tls_tunnel.hpp"
#include "core/mirror_metrics.hpp"
#include "nodes/metrics_server.hpp"
#include "nodes/remoting.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

namespace {

// Writes what the writer still holds, closes the spool files, stops the actors and waits.
void stop_all(caf::actor_system& sys, const cdr_writer_actor& writer,
              std::initializer_list<caf::actor> others, const spool_pool& pool) {
  {
    caf::scoped_actor self{sys};
    for (const auto& a : others)
      self->send_exit(a, caf::exit_reason::user_shutdown);
    // sync of nothing: answers once every CDR the writer holds is written and the sinks flushed.
    self->request(writer, caf::infinite, sync_atom::value, uint64_t{0}, uint64_t{0})
      .receive([](uint64_t) {}, [](caf::error&) {});
    finish_spool(sys, pool);
    self->send_exit(writer, caf::exit_reason::user_shutdown);
  }  // a scoped actor counts as running: it must be gone before the wait
  sys.await_all_actors_done();  // the registry asks the tunnel for addresses until it is gone
}

}  // namespace

int run_server(const config::settings& s) {
  std::string reason;
  auto password = config::server_password(s, reason);
  if (!password) {
    std::cerr << "voxmon: " << reason << '\n';
    return 2;
  }
  if (password->empty()) {
    std::cerr << "voxmon: the server role needs server_password (or server_password_file): "
                 "sensors prove they know it when they join\n";
    return 2;
  }
  // SIGTERM and SIGINT are taken by sigwait below: block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  caf::actor_system_config cfg;
  configure_node(cfg, s);
  caf::actor_system sys{cfg};

  // One writer owns the stores; uploaded CDRs and the calls of mirror senders both go there.
  auto writer = spawn_cdr_writer(sys, s);
  if (!writer) {
    std::cerr << "voxmon: " << error_text(writer.error()) << '\n';
    return 1;
  }
  auto ingest = sys.spawn(cdr_ingest, *writer);
  const spool_pool pool = spawn_spool_writer(sys, s);
  auto mirror = spawn_mirror_ingest(sys, s, *writer, pool);
  // The tunnel is made after the registry is published; the registry asks it for addresses.
  auto door_for_lookup = std::make_shared<std::atomic<core::tls_tunnel*>>(nullptr);
  sensor_registry_config rc;
  rc.password = *password;
  rc.address_of = [door_for_lookup](uint16_t port) {
    core::tls_tunnel* door = door_for_lookup->load();
    return door ? door->peer_of(port) : std::string();
  };
  auto registry = sys.spawn(sensor_registry, rc, ingest, mirror_ingest_actor{mirror});
  // The registry is published on loopback only; the TLS tunnel is the door to the network.
  auto inner = sys.middleman().publish(registry, 0, "127.0.0.1", /*reuse_addr=*/true);
  std::string error;
  std::unique_ptr<core::tls_tunnel> door;
  if (inner)
    door = core::tls_tunnel::serve(s.server_bind, static_cast<uint16_t>(s.server_bind_port), *inner,
                                   tls_files_of(s), [](const std::string& why) {
                                     std::cerr << "voxmon: " << why << '\n';
                                   }, error);
  if (!door) {
    std::cerr << "voxmon: cannot listen on " << s.server_bind << ':' << s.server_bind_port << ": "
              << (inner ? error : error_text(inner.error())) << '\n';
    stop_all(sys, *writer,
             {caf::actor_cast<caf::actor>(registry), caf::actor_cast<caf::actor>(ingest),
              caf::actor_cast<caf::actor>(mirror)}, pool);
    return 2;
  }
  door_for_lookup->store(door.get());
  if (auto w = tls_warning(s); !w.empty())
    std::cerr << "voxmon: warning: " << w << '\n';
  std::cerr << "voxmon: central node listening on " << s.server_bind << ':' << door->local_port() << '\n';

  // Mirror streams in the status line every 10 s and on the metrics endpoint.
  auto streams = [&sys, mirror] {
    std::vector<mirror_feed_status> out;
    caf::scoped_actor self{sys};
    self->request(mirror, std::chrono::seconds(2), status_atom::value)
      .receive([&](std::vector<mirror_feed_status>& v) { out = std::move(v); }, [](caf::error&) {});
    return out;
  };
  std::unique_ptr<metrics_server> metrics;
  if (!s.metrics_bind.empty()) {
    metrics = metrics_server::start_at(
      s.metrics_bind, [streams] { return core::render_mirror_receiver_metrics(streams()); }, error);
    if (!metrics)
      std::cerr << "voxmon: " << error << '\n';
  }
  const bool metrics_failed = !s.metrics_bind.empty() && !metrics;
  int signal = 0;
  const timespec wait{10, 0};
  while (!metrics_failed) {
    signal = sigtimedwait(&stop_signals, nullptr, &wait);
    if (signal == SIGTERM || signal == SIGINT)
      break;
    if (auto now = streams(); !now.empty())
      std::cerr << "voxmon: " << core::render_mirror_receiver_status(now) << '\n';
  }
  if (!metrics_failed)
    std::cerr << "voxmon: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  // Mirror streams still open end as a stopped capture does: their calls get the sighup mark
  // and their CDRs are written before the stores close.
  {
    caf::scoped_actor self{sys};
    self->request(mirror, caf::infinite, done_atom::value)
      .receive([](uint64_t) {}, [](caf::error&) {});
  }
  stop_all(sys, *writer, {caf::actor_cast<caf::actor>(ingest), caf::actor_cast<caf::actor>(mirror)},
           pool);
  return metrics_failed ? 2 : 0;
}

}  // namespace voxmon::nodes
