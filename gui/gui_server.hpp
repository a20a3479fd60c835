#pragma once
// The web GUI (docs/GUI.md): an HTTP(S) server on gui_bind:gui_bind_port serving the embedded
// single-page app and its JSON API over the CDR store of the settings (SQLite or MySQL) and
// the spool (per-call pcaps). CAF-free; a node embeds it with start_gui and fills the hooks.
//
//   config::settings s = ...;            // gui_bind, gui_bind_port, db/mysql*, spooldir, ...
//   gui::gui_hooks hooks;
//   hooks.sensors = [&] { return registry_rows(); };  // optional: live sensor status
//   hooks.remote_pcap = [&](const gui::remote_pcap_query& q) { return fetch(q); };  // optional
//   std::string error;
//   auto gui = gui::start_gui(s, std::move(hooks), error);
//   if (!gui) { log(error); ... }
//   ...                                   // serves on its own threads until
//   gui->stop();                          // (or destruction)
//
// Hooks are called on the GUI's worker threads, concurrently: they must be thread-safe and
// quick (return a snapshot). A hook left empty means "not available in this process".
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.hpp"
#include "core/remote_pcap.hpp"

namespace voxmon::gui {

// One sensor as the central node's registry sees it (GET /api/sensors).
struct sensor_row {
  uint32_t id = 0;             // id_sensor
  std::string name;
  std::string address;         // "10.0.0.5:43122"
  std::string version;
  bool up = false;             // connected now
  int64_t joined_ms = 0;       // UTC ms of its (last) connection, 0 = unknown
  int64_t last_heard_ms = 0;   // UTC ms of its last message, 0 = unknown
  uint64_t cdrs = 0;           // CDRs received from it
  double cdr_rate = 0;         // CDRs per second, recent
};

// A call's pcap files on the sensor that saved them (gui_hooks::remote_pcap).
struct remote_pcap_query {
  uint32_t id_sensor = 0;
  std::string fbasename;
  std::optional<int64_t> calldate_ns;  // the CDR's calldate: the spool minute to look in
  bool sip = false, rtp = false;       // the parts wanted
  bool listing_only = false;           // only whether the sensor has them (the call's page)
};

struct remote_call_files {
  core::remote_pcap_outcome outcome = core::remote_pcap_outcome::ok;  // ok: at least one part found
  std::string error;                   // when not ok, in words ("sensor 101 is not connected: ...")
  bool has_sip = false, has_rtp = false;
  std::vector<std::filesystem::path> sip, rtp;  // local copies, in the sensor's order (not listing_only)
  std::shared_ptr<const void> keep;    // the copies' directory: removed when the last holder lets go
};

struct gui_hooks {
  std::function<std::vector<sensor_row>()> sensors;
  // Fetches a call's files from the sensor that saved them (the central node, through its
  // sensors' links). Empty: no remote sensors here (the standalone GUI), their calls give 404.
  std::function<remote_call_files(const remote_pcap_query&)> remote_pcap;
};

class gui_api;
class http_server;
class db_pool;

class gui_server {
 public:
  ~gui_server();
  uint16_t port() const;        // the bound port (gui_bind_port, or the chosen one for 0)
  std::string url() const;      // "http://127.0.0.1:8080/" or "https://..."
  std::string store() const;    // the store it reads, for log lines
  void stop();                  // stops serving; idempotent

 private:
  friend std::unique_ptr<gui_server> start_gui(const config::settings&, gui_hooks, std::string&);
  gui_server() = default;
  std::shared_ptr<db_pool> pool_;
  std::unique_ptr<gui_api> api_;
  std::unique_ptr<http_server> http_;
  std::thread warm_;  // loads the number index after the start
  std::string url_, store_;
};

// Prepares the store (CDR schema, voxmon_users and voxmon_gui_sessions tables), binds
// gui_bind:gui_bind_port and serves. nullptr + error when the settings, the store, the address
// or the TLS files are not usable. A gui_bind_port of 0 (tests) picks a free port.
std::unique_ptr<gui_server> start_gui(const config::settings& s, gui_hooks hooks, std::string& error);

}  // namespace voxmon::gui
