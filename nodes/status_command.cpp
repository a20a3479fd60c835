#include "nodes/status_command.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "config/cluster_settings.hpp"
#include "core/sensor_auth.hpp"
#include "messages/remote_messages.hpp"
#include "nodes/remoting.hpp"
#include "nodes/spawn.hpp"
#include "nodes/subcommand.hpp"

namespace voxmon::nodes {

namespace {

constexpr const char* usage =
  "Usage: voxmon [--config-file FILE] status --server HOST[:PORT]\n"
  "Lists the sensors a central node knows: id, name, address, version, when it joined, when it\n"
  "was last heard from, its CDRs and CDR rate. The password is server_password from the config\n"
  "file (or server_password_file, or the VOXMON_SERVER_PASSWORD environment variable).\n";

std::string format_ms(int64_t ms) {
  if (ms == 0)
    return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

void print_table(const std::vector<sensor_info>& sensors) {
  std::printf("%-9s %-20s %-16s %-8s %-4s %-6s %-19s %-19s %10s %8s %12s %10s\n", "id_sensor",
              "name", "address", "version", "up", "kind", "joined (UTC)", "last heard (UTC)",
              "cdrs", "cdrs/s", "packets", "dropped");
  for (const auto& s : sensors)
    std::printf("%-9u %-20s %-16s %-8s %-4s %-6s %-19s %-19s %10llu %8.2f %12s %10s\n",
                s.id_sensor, s.name.c_str(), s.address.empty() ? "-" : s.address.c_str(),
                s.version.c_str(), s.up ? "yes" : "no", s.mirror ? "mirror" : "cdrs",
                format_ms(s.joined_ms).c_str(), format_ms(s.last_heard_ms).c_str(),
                static_cast<unsigned long long>(s.cdrs), s.cdr_rate,
                s.mirror ? std::to_string(s.mirror_packets).c_str() : "-",
                std::to_string(s.dropped).c_str());
}

int run(int argc, const char* const* argv, int at) {
  config::settings s;
  std::string server;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i == at)
      continue;
    if ((a == "--config-file" || a == "-c") && i + 1 < argc) {
      auto loaded = config::load_config_file(argv[++i], s);
      for (const auto& w : loaded.warnings)
        std::cerr << "voxmon: warning: " << w << '\n';
      if (loaded.error) {
        std::cerr << "voxmon: " << loaded.error->to_string() << '\n';
        return 2;
      }
    } else if (a == "--server" && i + 1 < argc) {
      server = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    } else {
      std::cerr << "voxmon: status: unexpected argument '" << a << "'\n" << usage;
      return 2;
    }
  }
  if (server.empty()) {
    std::cerr << "voxmon: status needs --server HOST[:PORT]\n" << usage;
    return 2;
  }
  std::string reason;
  s.server_destination = server;
  auto where = config::parse_destinations(s, reason);
  auto password = config::server_password(s, reason);
  if (!where || where->size() != 1 || !password) {
    std::cerr << "voxmon: status: " << (reason.empty() ? "give one server" : reason) << '\n';
    return 2;
  }
  caf::actor_system_config cfg;
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("scheduler.max-threads", size_t{1});
  configure_remoting(cfg, s);
  caf::actor_system sys{cfg};
  const auto& target = where->front();
  auto door = core::tls_tunnel::dial(target.host, target.port, tls_files_of(s), reason);
  if (!door) {
    std::cerr << "voxmon: status: " << reason << '\n';
    return 2;
  }
  auto registry = sys.middleman().remote_actor<sensor_registry_actor>("127.0.0.1", door->local_port());
  if (!registry) {
    const std::string why = door->last_error();
    std::cerr << "voxmon: status: cannot reach " << target.host << ':' << target.port << ": "
              << (why.empty() ? error_text(registry.error()) : why) << '\n';
    return 1;
  }
  int code = 1;
  {
    caf::scoped_actor self{sys};
    std::string nonce;
    std::string failure;
    self->request(*registry, std::chrono::seconds(10), join_atom::value,
                  sensor_hello{0, "status", VOXMON_VERSION})
      .receive([&](std::string& n) { nonce = std::move(n); },
               [&](caf::error& e) { failure = error_text(e); });
    if (!nonce.empty()) {
      auth_proof proof{0, "status", nonce, core::make_auth_proof(*password, nonce, 0, "status"), {}, {}};
      self->request(*registry, std::chrono::seconds(10), status_atom::value, proof)
        .receive(
          [&](std::vector<sensor_info>& sensors) {
            print_table(sensors);
            code = 0;
          },
          [&](caf::error& e) { failure = error_text(e); });
    }
    if (code != 0)
      std::cerr << "voxmon: status: " << failure << '\n';
  }
  return code;
}

}  // namespace

std::optional<int> run_status_subcommand(int argc, const char* const* argv) {
  const int at = subcommand_index(argc, argv, "status");
  if (at < 0)
    return std::nullopt;
  return run(argc, argv, at);
}

}  // namespace voxmon::nodes
