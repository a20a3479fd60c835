#include "nodes/cli.hpp"

#include <boost/program_options.hpp>

#include <iostream>

#include "config/cluster_settings.hpp"
#include "config/gui_settings.hpp"
#include "nodes/allocator_info.hpp"
#include "nodes/live_node.hpp"
#include "nodes/pcap_command.hpp"
#include "nodes/status_command.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

namespace po = boost::program_options;

namespace {

// Flags that set a config key, with the key they set.
struct key_flag {
  const char* flag;
  const char* key;
  const char* help;
};
constexpr key_flag key_flags[] = {
  {"cdr-jsonl", "cdr_jsonl", "write CDRs as JSON Lines to PATH ('-' = stdout; the table then goes to stderr)"},
  {"db", "db", "CDR store: sqlite:PATH (default sqlite:voxmon.db), mysql://user:pass@host:port/db, or none"},
  {"id-sensor", "id_sensor", "sensor id written into every CDR"},
  {"sipport", "sipport", "SIP ports, comma list and ranges (default 5060)"},
  {"rtptimeout", "rtptimeout", "seconds without packets before a call with RTP is closed"},
  {"sipwithoutrtptimeout", "sipwithoutrtptimeout", "seconds without packets before a call without RTP is closed"},
  {"absolute-timeout", "absolute_timeout", "seconds after which any call is closed"},
  {"bye-timeout", "bye_timeout", "seconds a call lingers after BYE or a final failure"},
  {"auth-retry-timeout", "auth_retry_timeout", "seconds a call waits for a new INVITE after 401/407"},
  {"threads", "threads", "actor scheduler threads (0 = number of cores)"},
  {"batch-packets", "batch_packets", "packets per capture batch"},
  {"table-rows", "table_rows", "rows of the call table printed at the end"},
  {"spooldir", "spooldir", "directory of the per-call pcap files (default ./spool)"},
  {"savesip", "savesip", "save each call's SIP packets to spooldir: yes or no"},
  {"savertp", "savertp", "save each call's RTP packets: yes, no, or header (RTP headers only)"},
  {"savertcp", "savertcp", "save each call's RTCP packets into its RTP file: yes or no"},
  {"pcap-compress", "pcap_compress", "per-call pcap compression: no or gzip"},
  {"filter", "filter", "live capture: BPF filter expression"},
  {"snaplen", "snaplen", "live capture: bytes kept per packet (default 65535)"},
  {"promisc", "promisc", "live capture: promiscuous mode, yes or no (default yes)"},
  {"ringbuffer", "ringbuffer", "live capture: kernel buffer per interface, MB (default 50)"},
  {"deduplicate", "deduplicate", "live capture: drop packets seen twice (several interfaces), yes or no"},
  {"metrics-bind", "metrics_bind", "sensor: Prometheus metrics endpoint HOST:PORT, e.g. 127.0.0.1:9108"},
  {"run-as-user", "run_as_user", "sensor: switch to this user once the captures are open"},
  {"pid-file", "pidfile", "sensor: write the process id to this file"},
  {"gui-bind", "gui_bind", "web GUI: listen on this address (e.g. 127.0.0.1); alone, voxmon serves only the GUI"},
  {"gui-bind-port", "gui_bind_port", "web GUI: TCP port (default 8080)"},
  {"replay-speed", "replay_speed", "mirror sender with -r: 0 = as fast as acknowledged (default), N = N x real time"},
  {"stay-joined", "stay_joined", "sensor with -r: after the file, stay joined to the central node (its GUI fetches this run's pcaps) until SIGTERM or SIGINT: yes or no"},
};

void print_usage(std::ostream& out, const po::options_description& desc) {
  out << "Usage: voxmon -r FILE [options]    (analyse a capture file)\n"
         "       voxmon -i IF [options]      (sensor daemon: live capture until SIGTERM)\n"
         "       voxmon --gui-bind ADDR [options]  (web GUI over the CDR store, docs/GUI.md)\n"
         "       voxmon [--db URL] user add NAME --role admin|viewer | user list | user del NAME\n"
         "Passive VoIP monitor: follows every SIP call in a capture and writes one CDR per call.\n\n"
      << desc
      << "\nExample: voxmon -r calls.pcap --cdr-jsonl cdrs.jsonl --db sqlite:voxmon.db\n";
}

// --update-schema: connect, create/upgrade the schema, replay the journal, report, exit.
cli_outcome update_schema(cli_outcome& out) {
  out.what = cli_outcome::action::exit;
  const auto& s = out.settings;
  if (!config::uses_mysql(s)) {
    std::cerr << "voxmon: --update-schema needs a MySQL store (mysqlhost or --db mysql://...)\n";
    out.exit_code = 2;
    return out;
  }
  std::string error, warning;
  auto store = open_mysql_store(s, error, warning);
  if (!store) {
    std::cerr << "voxmon: " << error << '\n';
    out.exit_code = 1;
    return out;
  }
  if (!store->status().connected) {
    std::cerr << "voxmon: " << store->status().last_error << '\n';
    out.exit_code = 1;
    return out;
  }
  const std::string rest = store->flush();
  std::cout << "voxmon: schema of " << store->name() << " is up to date; "
            << store->status().replayed << " CDRs written from the journal\n";
  if (!rest.empty()) {
    std::cerr << "voxmon: " << rest << '\n';
    out.exit_code = 1;
  }
  return out;
}

}  // namespace

cli_outcome parse_command_line(int argc, const char* const* argv) {
  cli_outcome out;
  if (auto code = run_pcap_subcommand(argc, argv)) {  // voxmon pcap CALLID [-o FILE]
    out.what = cli_outcome::action::exit;
    out.exit_code = *code;
    return out;
  }
  if (auto code = run_status_subcommand(argc, argv)) {  // voxmon status --server HOST:PORT
    out.what = cli_outcome::action::exit;
    out.exit_code = *code;
    return out;
  }
  po::options_description desc("Options");
  desc.add_options()
    ("help,h", "print this help and exit")
    ("version,V", "print the version and exit")
    ("read,r", po::value<std::string>()->value_name("FILE"), "process a pcap or pcapng file, then exit")
    ("config-file,c", po::value<std::string>()->value_name("FILE"), "voipmonitor.conf-style configuration file")
    ("interface,i", po::value<std::string>()->value_name("IF"), "capture live on IF: a name, a comma list, or any (sensor daemon)")
    ("verbose,v", "log more (debug level)")
    ("syslog", "log to syslog (facility daemon) instead of stderr")
    ("no-progress", "never draw the progress bar")
    ("update-schema", "create or upgrade the MySQL schema, write the CDR journal into it, then exit");
  for (const auto& kf : key_flags)
    desc.add_options()(kf.flag, po::value<std::string>()->value_name("VALUE"), kf.help);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "voxmon: " << e.what() << "\nTry 'voxmon --help'.\n";
    out.what = cli_outcome::action::exit;
    out.exit_code = 2;
    return out;
  }
  if (vm.count("help")) {
    print_usage(std::cout, desc);
    out.what = cli_outcome::action::exit;
    return out;
  }
  if (vm.count("version")) {
    std::cout << "voxmon " << VOXMON_VERSION << '\n'
              << "allocator: " << allocator_description() << '\n';
    out.what = cli_outcome::action::exit;
    return out;
  }
  auto fail = [&](const std::string& message) {
    std::cerr << "voxmon: " << message << '\n';
    out.what = cli_outcome::action::exit;
    out.exit_code = 2;
    return out;
  };
  if (vm.count("config-file")) {
    auto loaded = config::load_config_file(vm["config-file"].as<std::string>(), out.settings);
    for (const auto& w : loaded.warnings)
      std::cerr << "voxmon: warning: " << w << '\n';
    if (loaded.error)
      return fail(loaded.error->to_string());
  }
  for (const auto& kf : key_flags) {
    if (!vm.count(kf.flag))
      continue;
    bool known = false;
    if (auto err = config::apply_setting(out.settings, kf.key, vm[kf.flag].as<std::string>(), known))
      return fail("--" + std::string(kf.flag) + ": " + *err);
  }
  if (vm.count("no-progress"))
    out.settings.progress = false;
  if (vm.count("interface")) {
    bool known = false;
    if (auto err = config::apply_setting(out.settings, "interface", vm["interface"].as<std::string>(), known))
      return fail("-i/--interface: " + *err);
  }
  if (vm.count("verbose"))
    out.settings.verbosity = 3;
  if (vm.count("syslog"))
    out.settings.syslog = true;
  if (vm.count("read"))
    out.settings.read_file = vm["read"].as<std::string>();
  if (vm.count("update-schema"))
    return update_schema(out);
  if (out.settings.read_file.empty() && !config::is_server(out.settings) && !is_live(out.settings) &&
      !config::is_gui(out.settings)) {
    print_usage(std::cerr, desc);
    return fail("nothing to do: give a capture file with -r FILE, or an interface with -i IF");
  }
  return out;
}

}  // namespace voxmon::nodes
