#include "nodes/live_node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "actors/live_capture.hpp"
#include "config/cluster_settings.hpp"
#include "config/live_settings.hpp"
#include "config/spool_settings.hpp"
#include "core/log.hpp"
#include "core/metrics_text.hpp"
#include "core/mirror_metrics.hpp"
#include "config/gui_settings.hpp"
#include "nodes/central_services.hpp"
#include "nodes/gui_node.hpp"
#include "core/pcap_live_source.hpp"
#include "core/source_merge.hpp"
#include "nodes/cli.hpp"
#include "nodes/metrics_server.hpp"
#include "nodes/remoting.hpp"
#include "nodes/signals.hpp"
#include "nodes/spawn.hpp"
#include "config/tunnel_settings.hpp"

namespace voxmon::nodes {

namespace {

namespace log = core::log;
using clock_type = std::chrono::steady_clock;

// Everything the status line and the metrics endpoint read.
struct live_stages {
  call_router_actor router;
  cdr_writer_actor writer;
  std::vector<spool_writer_actor> spool;
  std::vector<std::shared_ptr<live_counters>> counters;
  clock_type::time_point started;
};

core::live_snapshot gather(caf::actor_system& sys, const live_stages& st) {
  core::live_snapshot s;
  s.uptime_seconds = std::chrono::duration<double>(clock_type::now() - st.started).count();
  s.interfaces = static_cast<uint32_t>(st.counters.size());
  for (const auto& c : st.counters) {
    s.captured_packets += c->packets.load();
    s.captured_bytes += c->bytes.load();
    s.kernel_dropped += c->kernel_dropped.load();
    s.interface_dropped += c->interface_dropped.load();
    s.duplicates += c->duplicates.load();
  }
  caf::scoped_actor self{sys};
  const auto limit = std::chrono::seconds(1);
  self->request(st.router, limit, status_atom::value)
    .receive(
      [&](const router_status& r) {
        s.calls_open = r.calls_open;
        s.calls_closed = r.calls_closed;
        s.routed_packets = r.packets;
        s.merged_early = r.merged_early;
      },
      [](const caf::error&) {});
  self->request(st.writer, limit, status_atom::value)
    .receive(
      [&](const writer_status& w) {
        s.cdrs_written = w.cdrs_written;
        s.cdrs_queued = w.cdrs_queued;
        s.cdrs_journaled = w.cdrs_journaled;
        s.cdrs_dead = w.cdrs_dead;
        s.cdr_write_errors = w.write_errors;
      },
      [](const caf::error&) {});
  if (!st.spool.empty()) {
    spool_status sum;
    bool all = true;
    for (const auto& w : st.spool)
      self->request(w, limit, status_atom::value)
        .receive(
          [&](const spool_status& x) {
            sum.queued_packets += x.queued_packets;
            sum.packets += x.packets;
            sum.bytes += x.bytes;
            sum.dropped += x.dropped;
            sum.open_files += x.open_files;
            sum.buffer_bytes += x.buffer_bytes;
          },
          [&](const caf::error&) { all = false; });
    if (all) {
      s.spool_queued = sum.queued_packets;
      s.spool_packets = sum.packets;
      s.spool_bytes = sum.bytes;
      s.spool_dropped = sum.dropped;
      s.spool_open_files = sum.open_files;
      s.spool_buffer_bytes = sum.buffer_bytes;
    }
  }
  s.rss_bytes = core::process_rss_bytes();
  return s;
}

bool drop_privileges(const std::string& user, std::string& error) {
  const passwd* pw = ::getpwnam(user.c_str());
  if (!pw) {
    error = "run_as_user: no such user '" + user + "'";
    return false;
  }
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
      ::setuid(pw->pw_uid) != 0) {
    error = "run_as_user '" + user + "': cannot switch (" + std::string(std::strerror(errno)) +
            "); that needs root or CAP_SETUID/CAP_SETGID";
    return false;
  }
  return true;
}

// SIGHUP: re-read the settings; apply what can change with calls open, name the rest.
void reload(caf::actor_system& sys, const config::settings& current, int argc, char** argv,
            const std::vector<std::shared_ptr<live_counters>>& counters, const call_router_actor& router,
            bool spool_running, config::settings& applied) {
  auto cli = parse_command_line(argc, const_cast<const char* const*>(argv));
  if (cli.what == cli_outcome::action::exit) {
    log::error("SIGHUP: the configuration has an error; nothing changed");
    return;
  }
  const auto& n = cli.settings;
  (void)current;
  caf::scoped_actor self{sys};
  if (n.filter != applied.filter) {
    for (const auto& c : counters) {
      {
        std::lock_guard lock(c->filter_mutex);
        c->new_filter = n.filter;
      }
      c->reload = true;
    }
    log::info("SIGHUP: filter '" + applied.filter + "' -> '" + n.filter + "'");
  }
  router_reload r;
  r.timeouts = call_timeouts_of(n);
  r.savesip = n.savesip;
  r.savertp = n.savertp != config::save_rtp::no;
  r.savertcp = n.savertcp;
  r.rtp_header_only = n.savertp == config::save_rtp::header;
  self->send(router, reload_atom::value, r);
  log::info("SIGHUP: timeouts rtptimeout=" + std::to_string(n.rtptimeout) +
            " sipwithoutrtptimeout=" + std::to_string(n.sipwithoutrtptimeout) +
            " absolute_timeout=" + std::to_string(n.absolute_timeout) +
            " bye_timeout=" + std::to_string(n.bye_timeout) + " applied");
  const bool saving_now = config::spool_enabled(n);
  if (saving_now && !spool_running)
    log::warn("SIGHUP: saving was off at start: turning savesip/savertp/savertcp on needs a restart");
  else if (spool_running)
    log::info(std::string("SIGHUP: saving sip=") + (n.savesip ? "yes" : "no") +
              " rtp=" + (r.rtp_header_only ? "header" : r.savertp ? "yes" : "no") +
              " rtcp=" + (n.savertcp ? "yes" : "no"));
  struct named { const char* name; bool changed; };
  const named restart_only[] = {
    {"interface", n.interface != applied.interface},
    {"snaplen", n.snaplen != applied.snaplen},
    {"promisc", n.promisc != applied.promisc},
    {"ringbuffer", n.ringbuffer != applied.ringbuffer},
    {"deduplicate", n.deduplicate != applied.deduplicate},
    {"metrics_bind", n.metrics_bind != applied.metrics_bind},
    {"run_as_user", n.run_as_user != applied.run_as_user},
    {"id_sensor", n.id_sensor != applied.id_sensor},
    {"sipport", n.sipport != applied.sipport},
    {"db", n.db != applied.db || n.mysqlhost != applied.mysqlhost || n.mysqldb != applied.mysqldb},
    {"cdr_jsonl", n.cdr_jsonl != applied.cdr_jsonl},
    {"spooldir", n.spooldir != applied.spooldir},
    {"threads", n.threads != applied.threads},
    {"server_destination", n.server_destination != applied.server_destination},
  };
  for (const auto& k : restart_only)
    if (k.changed)
      log::warn(std::string("SIGHUP: '") + k.name + "' changed: that needs a restart (kept as it was)");
  applied.filter = n.filter;
  applied.rtptimeout = n.rtptimeout;
  applied.sipwithoutrtptimeout = n.sipwithoutrtptimeout;
  applied.absolute_timeout = n.absolute_timeout;
  applied.bye_timeout = n.bye_timeout;
  applied.auth_retry_timeout = n.auth_retry_timeout;
  if (spool_running) {
    applied.savesip = n.savesip;
    applied.savertp = n.savertp;
    applied.savertcp = n.savertcp;
  }
}

}  // namespace

bool is_live(const config::settings& s) {
  return s.read_file.empty() && (!s.interface.empty() || s.hep);
}

int run_live(const config::settings& s, int argc, char** argv) {
  log::init(static_cast<log::level>(std::min<uint32_t>(s.verbosity, 3)), s.syslog);
  // Before any thread exists: every thread inherits the blocked set, the main loop takes them.
  block_daemon_signals();
  ::signal(SIGPIPE, SIG_IGN);

  // 1. Open the captures while we still have the privileges.
  std::vector<std::string> interfaces;
  if (!s.interface.empty()) {
    std::string reason;
    auto list = core::parse_interface_list(s.interface, reason);
    if (!list) {
      log::error("interface: " + reason);
      return 2;
    }
    interfaces = *list;
  }
  std::vector<std::shared_ptr<core::pcap_live_source>> sources;
  for (const auto& name : interfaces) {
    core::live_options o;
    o.interface = name;
    o.filter = s.filter;
    o.snaplen = static_cast<int>(s.snaplen);
    o.promisc = s.promisc;
    o.buffer_mb = s.ringbuffer;
    std::string error;
    core::live_error kind = core::live_error::none;
    auto src = core::pcap_live_source::open(o, error, kind);
    if (!src) {
      log::error(error);
      return 2;
    }
    log::info("capturing on " + name + " (link type " + std::to_string(src->link_type()) +
              ", snaplen " + std::to_string(s.snaplen) + ", buffer " + std::to_string(s.ringbuffer) +
              " MB" + (s.filter.empty() ? std::string() : ", filter '" + s.filter + "'") + ")");
    sources.push_back(std::move(src));
  }
  // Other live sources (the HEP listener) are counted here and spawned below.
  const uint32_t planned_sources = static_cast<uint32_t>(sources.size()) + (s.hep ? 1u : 0u);
  if (planned_sources == 0) {
    log::error("nothing to capture: set `interface` (or -i) or `hep = yes`");
    return 2;
  }
  // 2. Pid file, then drop root.
  if (!s.pidfile.empty()) {
    std::ofstream pf(s.pidfile, std::ios::trunc);
    if (!(pf << ::getpid() << '\n')) {
      log::error("cannot write the pid file '" + s.pidfile + "'");
      return 2;
    }
  }
  if (!s.run_as_user.empty()) {
    std::string error;
    if (!drop_privileges(s.run_as_user, error)) {
      log::error(error);
      return 2;
    }
    log::info("running as user " + s.run_as_user);
  }

  // 3. The pipeline.
  caf::actor_system_config cfg;
  configure_node(cfg, s);
  caf::actor_system sys{cfg};
  // The capture drops a sensor tells its central node, brought up to date with the status line.
  auto capture_dropped = std::make_shared<std::atomic<uint64_t>>(0);
  auto writer = spawn_cdr_writer(sys, s, capture_dropped);
  if (!writer) {
    log::error(error_text(writer.error()));
    return 1;
  }
  const spool_pool spool = spawn_spool_writer(sys, s);
  // With server_bind the daemon is also the central node: sensors and mirror senders join it,
  // and their CDRs and calls go to the same writer and spool.
  std::unique_ptr<central_services> central;
  if (config::is_server(s)) {
    std::string error;
    central = central_services::start(sys, s, *writer, spool, error);
    if (!central) {
      log::error(error);
      caf::anon_send_exit(*writer, caf::exit_reason::user_shutdown);
      finish_spool(sys, spool);
      return 2;
    }
  }
  std::unique_ptr<gui::gui_server> gui;
  if (config::is_gui(s)) {
    std::string error;
    gui = start_embedded_gui(s, central.get(), error);
    if (!gui) {
      log::error(error);
      if (central)
        central->stop();
      caf::anon_send_exit(*writer, caf::exit_reason::user_shutdown);
      finish_spool(sys, spool);
      return 2;
    }
  }
  // Several interfaces: their packets are merged in packet-time order (one call's packets may
  // arrive on two of them); each capture then keeps a few more batches alive, for the ones
  // the merge queues while another interface catches up.
  const uint32_t merged = sources.size() > 1 ? static_cast<uint32_t>(sources.size()) : 0;
  auto router = spawn_call_router(sys, s, /*source=*/0, *writer, &spool, planned_sources, merged);
  if (!router) {
    log::error(error_text(router.error()));
    return 1;
  }
  live_stages stages{*router, *writer, spool.writers, {}, clock_type::now()};
  std::vector<caf::actor> all_sources;  // every source: each gets `eof` at the stop
  auto dedup = s.deduplicate ? std::make_shared<core::shared_dedup>() : nullptr;
  for (auto& src : sources) {
    live_capture_config lc;
    lc.capture.id_sensor = s.id_sensor;
    for (const auto& r : s.sipport)
      lc.capture.sip_ports.emplace_back(r.first, r.last);
    lc.capture.batch_packets = s.batch_packets;
    lc.capture.limits = config::decoder_limits_from(s);
    lc.capture.tcp = config::tcp_limits_from(s);
    lc.dedup = dedup;
    if (merged > 0) {
      lc.merge_slot = static_cast<uint32_t>(stages.counters.size());
      lc.capture.max_in_flight += core::source_merge::default_max_queued + 1;
    }
    lc.counters = std::make_shared<live_counters>();
    stages.counters.push_back(lc.counters);
    auto a = sys.spawn<caf::detached>(live_capture, src, std::move(lc), *router);
    all_sources.push_back(caf::actor_cast<caf::actor>(a));
  }
  sources.clear();  // the capture actors own them now
  bool hep_failed = false;
  if (s.hep) {  // the HEP listener: one more source (zero interfaces is fine)
    auto hep = spawn_hep_listener(sys, s, *router);
    if (hep) {
      all_sources.push_back(caf::actor_cast<caf::actor>(*hep));
      log::info("HEP listener on " + s.hep_bind + ":" + std::to_string(s.hep_bind_port));
    } else {
      log::error(error_text(hep.error()));
      hep_failed = true;
      caf::anon_send(*router, eof_atom::value, input_end{});  // in place of the listener's eof
      for (const auto& a : all_sources)
        caf::anon_send(a, eof_atom::value);
    }
  }

  std::unique_ptr<metrics_server> metrics;
  if (!s.metrics_bind.empty()) {
    std::string reason;
    metrics = metrics_server::start_at(
      s.metrics_bind,
      [&sys, &stages, c = central.get()] {
        std::string text = core::render_metrics(gather(sys, stages));
        if (c)
          text += c->metrics();
        return text;
      },
      reason);
    if (!metrics) {
      log::error(reason);
      for (const auto& a : all_sources)
        caf::anon_send(a, eof_atom::value);
      // fall through to the orderly stop below with exit code 2
    } else {
      log::info("metrics on " + s.metrics_bind + " (port " + std::to_string(metrics->port()) + "), /metrics");
    }
  }
  const bool metrics_failed = (!s.metrics_bind.empty() && !metrics) || hep_failed;

  // 4. Run until SIGTERM/SIGINT (or until every source has ended).
  log::info("voxmon sensor running (pid " + std::to_string(::getpid()) + ")");
  config::settings applied = s;
  int exit_code = metrics_failed ? 2 : 0;
  {
    caf::scoped_actor self{sys};
    self->monitor(*router);
    bool router_down = metrics_failed;
    auto last_status = clock_type::now();
    core::live_snapshot prev = gather(sys, stages);
    while (!router_down) {
      if (auto sig = wait_for_signal(std::chrono::milliseconds(250))) {
        if (*sig == SIGHUP) {
          reload(sys, s, argc, argv, stages.counters, *router, !spool.writers.empty(), applied);
          continue;
        }
        log::info(std::string("received ") + (*sig == SIGINT ? "SIGINT" : "SIGTERM") +
                  ": closing every open call (sighup mark), flushing CDRs and pcaps");
        break;
      }
      self->receive([&](const caf::down_msg&) { router_down = true; },
                    caf::after(std::chrono::milliseconds(0)) >> [] {});
      if (router_down) {
        log::error("every capture source has ended; stopping");
        exit_code = 1;
        break;
      }
      const auto now = clock_type::now();
      if (now - last_status >= std::chrono::seconds(10)) {
        auto snap = gather(sys, stages);
        capture_dropped->store(snap.kernel_dropped + snap.interface_dropped);
        log::info(core::render_status_line(
          snap, prev, std::chrono::duration<double>(now - last_status).count()));
        if (central)
          if (auto streams = central->mirror_streams(); !streams.empty())
            log::info(core::render_mirror_receiver_status(streams));
        prev = snap;
        last_status = now;
      }
    }
  }

  // 5. Orderly stop: mirror streams end, sources flush and end, the router closes every call,
  // the writer writes.
  if (gui)
    gui->stop();
  if (central)
    central->stop();
  for (const auto& c : stages.counters)
    c->stop = true;
  for (const auto& a : all_sources)
    caf::anon_send(a, eof_atom::value);
  run_report report;
  bool finished = false;
  {
    caf::scoped_actor self{sys};
    self->request(*writer, std::chrono::seconds(120), done_atom::value, uint32_t{1})
      .receive([&](run_report& r) { report = std::move(r); finished = true; },
               [&](caf::error& e) { log::error("CDR writer: " + error_text(e)); });
    self->send_exit(*writer, caf::exit_reason::user_shutdown);
  }
  if (metrics)
    metrics->stop();
  const spool_report saved = finish_spool(sys, spool);
  for (const auto& e : report.errors)
    log::error(e);
  for (const auto& k : report.kept_back)
    log::warn(k);
  for (const auto& e : saved.errors)
    log::error("spool: " + e);
  log::info("stopped: " + std::to_string(report.stats.packets) + " packets, " +
            std::to_string(report.stats.cdrs_written) + " CDRs" +
            (spool.writers.empty() ? std::string()
                                   : ", " + std::to_string(saved.files) + " call pcaps"));
  if (!s.pidfile.empty())
    std::remove(s.pidfile.c_str());
  if (!finished || report.stats.cdr_errors > 0)
    return exit_code ? exit_code : 1;
  if (exit_code == 0 && (!report.kept_back.empty() || report.cdrs_in_journal > 0))
    return 3;
  return exit_code;
}

}  // namespace voxmon::nodes
