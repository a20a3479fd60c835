#include "nodes/gui_node.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "config/cluster_settings.hpp"
#include "config/gui_settings.hpp"
#include "core/log.hpp"
#include "gui/gui_server.hpp"
#include "nodes/central_services.hpp"
#include "nodes/live_node.hpp"
#include "nodes/signals.hpp"

namespace voxmon::nodes {

namespace log = core::log;

bool is_gui_only(const config::settings& s) {
  return config::is_gui(s) && s.read_file.empty() && !config::is_server(s) && !is_live(s) &&
         !config::is_mirror_sender(s);
}

std::unique_ptr<gui::gui_server> start_embedded_gui(const config::settings& s,
                                                    central_services* central, std::string& error) {
  if (!config::is_gui(s))
    return nullptr;
  gui::gui_hooks hooks;
  if (central) {
    hooks.sensors = [central] {
      std::vector<gui::sensor_row> rows;
      for (const auto& i : central->sensors())
        rows.push_back({i.id_sensor, i.name, i.address, i.version, i.up, i.joined_ms,
                        i.last_heard_ms, i.cdrs, i.cdr_rate});
      return rows;
    };
    hooks.remote_pcap = [central](const gui::remote_pcap_query& q) { return central->fetch_remote_pcap(q); };
  }
  auto gui = gui::start_gui(s, std::move(hooks), error);
  if (gui)
    log::info("gui listening on " + gui->url() + " (store " + gui->store() + ")");
  return gui;
}

int run_gui(const config::settings& s) {
  log::init(static_cast<log::level>(std::min<uint32_t>(s.verbosity, 3)), s.syslog);
  block_daemon_signals();  // before the GUI's threads start: they inherit the mask
  std::string error;
  auto gui = gui::start_gui(s, {}, error);
  if (!gui) {
    log::error(error);
    return 1;
  }
  if (!s.pidfile.empty()) {
    std::ofstream pf(s.pidfile, std::ios::trunc);
    if (!(pf << ::getpid() << '\n')) {
      log::error("cannot write the pid file '" + s.pidfile + "'");
      return 2;
    }
  }
  log::info("gui listening on " + gui->url() + " (store " + gui->store() + ", spool '" + s.spooldir + "')");
  while (true) {
    const auto sig = wait_for_signal(std::chrono::milliseconds(1000));
    if (!sig)
      continue;
    if (*sig == SIGHUP) {
      log::info("SIGHUP: the web GUI re-reads nothing; restart it to apply new settings");
      continue;
    }
    break;
  }
  log::info("gui stopping");
  gui->stop();
  log::info("gui stopped");
  return 0;
}

}  // namespace voxmon::nodes
