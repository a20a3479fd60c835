#include "nodes/server_node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <csignal>
#include <iostream>

#include "core/mirror_metrics.hpp"
#include "config/gui_settings.hpp"
#include "nodes/central_services.hpp"
#include "nodes/gui_node.hpp"
#include "nodes/metrics_server.hpp"
#include "nodes/remoting.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

namespace {

// Writes what the writer still holds, closes the spool files, stops the writer and waits for
// every actor.
void stop_writer(caf::actor_system& sys, const cdr_writer_actor& writer, const spool_pool& pool) {
  {
    caf::scoped_actor self{sys};
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
  // SIGTERM and SIGINT are taken by sigtimedwait below: block them before any thread starts.
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
  const spool_pool pool = spawn_spool_writer(sys, s);
  std::string error;
  auto central = central_services::start(sys, s, *writer, pool, error);
  if (!central) {
    std::cerr << "voxmon: " << error << '\n';
    stop_writer(sys, *writer, pool);
    return 2;
  }

  auto gui = start_embedded_gui(s, central.get(), error);
  if (!gui && config::is_gui(s)) {
    std::cerr << "voxmon: " << error << '\n';
    central->stop();
    stop_writer(sys, *writer, pool);
    return 2;
  }
  // Mirror streams in the status line every 10 s and on the metrics endpoint.
  std::unique_ptr<metrics_server> metrics;
  if (!s.metrics_bind.empty()) {
    metrics = metrics_server::start_at(
      s.metrics_bind,
      [c = central.get()] { return c->metrics(); },
      error);
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
    if (auto now = central->mirror_streams(); !now.empty())
      std::cerr << "voxmon: " << core::render_mirror_receiver_status(now) << '\n';
  }
  if (!metrics_failed)
    std::cerr << "voxmon: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
  if (metrics)
    metrics->stop();
  if (gui)
    gui->stop();
  central->stop();
  stop_writer(sys, *writer, pool);
  return metrics_failed ? 2 : 0;
}

}  // namespace voxmon::nodes
