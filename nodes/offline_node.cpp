#include "nodes/offline_node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "config/cluster_settings.hpp"
#include "nodes/remoting.hpp"
#include "nodes/run_report_printer.hpp"
#include "nodes/signals.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

namespace {

// The run's exit code from its report (see run_offline).
int exit_code_of(const run_report& report) {
  if (report.stats.packets == 0 && !report.errors.empty())
    return 1;  // nothing could be read at all
  if (report.stats.cdr_errors > 0)
    return 1;  // a store failed: say so in the exit code too
  if (!report.kept_back.empty() || report.cdrs_in_journal > 0)
    return 3;  // every CDR is safe, but some wait on disk for their destination
  return 0;
}

// stay_joined: the writer (and with it the link to the central node and the spool_server that
// serves this run's pcaps) stays until SIGTERM or SIGINT; SIGHUP is ignored.
void stay_joined_until_stopped() {
  std::cerr << "voxmon: staying joined to the central node until SIGTERM or SIGINT (stay_joined): "
               "it can fetch this run's pcaps\n";
  for (;;)
    if (auto sig = wait_for_signal(std::chrono::milliseconds(1000)); sig && *sig != SIGHUP)
      break;
  std::cerr << "voxmon: stopping\n";
}

// SIGINT or SIGTERM during the run: the capture stops reading and the run ends as at the end of
// the file (calls in progress closed with the sighup mark, every CDR written, the spool closed);
// a second one ends the process at once. Runs until stop() (the signals stay blocked after).
class interrupt_watcher {
 public:
  explicit interrupt_watcher(capture_actor capture)
      : capture_(std::move(capture)), thread_([this] { watch(); }) {}
  ~interrupt_watcher() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable())
      thread_.join();
  }
  int signal() const { return signal_; }  // the first signal taken, or 0

 private:
  void watch() {
    while (running_) {
      const auto sig = wait_for_signal(std::chrono::milliseconds(100));
      if (!sig || *sig == SIGHUP)
        continue;
      if (signal_ != 0) {
        std::cerr << "voxmon: stopped at once (second signal): the CDRs of this run not yet "
                     "written are lost\n";
        std::_Exit(128 + *sig);
      }
      signal_ = *sig;
      std::cerr << "voxmon: " << (*sig == SIGINT ? "SIGINT" : "SIGTERM")
                << ": reading stops; the calls in progress are closed and every CDR is written "
                   "(again to stop at once)\n";
      caf::anon_send(capture_, eof_atom::value);
    }
  }

  capture_actor capture_;
  std::atomic<bool> running_{true};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace

int run_offline(const config::settings& s) {
  const bool stay = s.stay_joined && config::is_sensor(s) && !s.packetbuffer_sender;
  if (s.stay_joined && !stay)
    std::cerr << "voxmon: warning: stay_joined is for a sensor that sends CDRs (server_destination, "
                 "packetbuffer_sender = no): ignored\n";
  block_daemon_signals();  // before CAF's threads start: they inherit the mask
  caf::actor_system_config cfg;
  configure_node(cfg, s);
  caf::actor_system sys{cfg};
  const auto started = std::chrono::steady_clock::now();

  auto writer = spawn_cdr_writer(sys, s);
  if (!writer) {
    std::cerr << "voxmon: " << error_text(writer.error()) << '\n';
    return 1;
  }
  const spool_pool spool = spawn_spool_writer(sys, s);
  auto router = spawn_call_router(sys, s, /*source=*/0, *writer, &spool);
  auto capture = router ? spawn_file_capture(sys, s, *router) : caf::expected<capture_actor>{router.error()};
  if (!capture) {
    std::cerr << "voxmon: " << error_text(capture.error()) << '\n';
    caf::anon_send_exit(*writer, caf::exit_reason::user_shutdown);
    if (router)
      caf::anon_send_exit(*router, caf::exit_reason::user_shutdown);
    finish_spool(sys, spool);
    return 1;
  }

  run_report report;
  bool finished = false;
  interrupt_watcher interrupts(*capture);
  {
    caf::scoped_actor self{sys};
    self->request(*writer, caf::infinite, done_atom::value, uint32_t{1})
      .receive([&](run_report& r) { report = std::move(r); finished = true; },
               [&](caf::error& e) { std::cerr << "voxmon: " << error_text(e) << '\n'; });
    if (!finished || !stay)
      self->send_exit(*writer, caf::exit_reason::user_shutdown);
  }
  interrupts.stop();
  // Every call sent its spool_close before its CDR: the writers now close every file.
  const spool_report saved = finish_spool(sys, spool);
  if (!finished)
    return 1;
  const double elapsed =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::ostream& table_out = s.cdr_jsonl == "-" ? std::cerr : std::cout;
  print_run_report(table_out, report, elapsed, s.table_rows);
  for (const auto& e : report.errors)
    std::cerr << "voxmon: " << e << '\n';
  for (const auto& k : report.kept_back)
    std::cerr << "voxmon: " << k << '\n';
  if (!spool.writers.empty())
    std::cerr << "voxmon: spool " << s.spooldir << ": " << saved.files << " files, " << saved.packets
              << " packets saved, " << saved.dropped << " dropped, " << saved.bytes
              << " bytes written, " << saved.removed_minutes << " minutes removed by retention"
              << (saved.reopened ? ", " + std::to_string(saved.reopened) +
                                       " files reopened (more open calls than the open-file share)"
                                 : std::string())
              << '\n';
  if (report.cdrs_in_journal > 0 && exit_code_of(report) == 3)
    // Nothing is lost, but not everything is in the database yet.
    std::cerr << "voxmon: " << report.cdrs_in_journal << " CDRs remain in the journal '"
              << report.journal_path << "': the database was unreachable; they are written at "
              << "the next start or by voxmon --update-schema (exit code 3)\n";
  if (stay) {
    if (!interrupts.signal()) {  // an interrupted run does not stay
      table_out.flush();
      stay_joined_until_stopped();
    }
    caf::anon_send_exit(*writer, caf::exit_reason::user_shutdown);
  }
  const int code = exit_code_of(report);
  // Interrupted: what was read is complete, the file was not (128 + the signal, as shells do).
  return interrupts.signal() && code == 0 ? 128 + interrupts.signal() : code;
}

}  // namespace voxmon::nodes
