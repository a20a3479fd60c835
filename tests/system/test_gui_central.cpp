// Roles compose: the central node with gui_bind serves the web GUI over its own store, with its
// registry's sensors on the sensors page and the calls of a mirror sender in the list.
#include <catch2/catch.hpp>

#include "core/spool_path.hpp"
#include "test_gui_env.hpp"

using namespace voxmon;
using namespace voxmon::test;
using namespace voxmon::test::gui;
using namespace std::chrono_literals;

TEST_CASE("gui: the central node serves the GUI with its sensors and the mirrored calls", "[gui][mirror]") {
  const auto dir = temp_dir("gui_central");
  const std::time_t start = std::time(nullptr) / 60 * 60 - 7200;
  const auto ids = cluster::generate(dir, "a.pcap", {"--sample", "--start", utc_text(start)});
  REQUIRE(add_user(dir, "sqlite:central.db", "admin", "admin", admin_password) == 0);
  const uint16_t port = free_port(), gui_port = free_port();
  write_text(dir / "server.conf", cluster::server_conf(port, "db = sqlite:central.db\ngui_bind = 127.0.0.1\n"
                                                             "gui_bind_port = " + std::to_string(gui_port) + "\n"));
  write_text(dir / "m.conf", cluster::sensor_conf(port, 101, "packetbuffer_sender = yes\n"));
  auto server = cluster::start_server(dir, {"-c", "server.conf"});
  REQUIRE(server->wait_for_stderr("gui listening on", 20s));
  auto sender = run(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap"}, dir);
  INFO(sender.err);
  REQUIRE(sender.exit_code == 0);

  session_client c(gui_port);
  REQUIRE(c.login("admin", admin_password).status == 200);
  const auto list = c.get_json("/api/cdrs?from=" + gui_env::url(utc_text(start - 60)) + "&to=" +
                               gui_env::url(utc_text(start + 3600)) + "&sensor=101&per_page=100");
  CHECK(list["total"] == ids.size());
  std::set<std::string> listed;
  for (const auto& row : list["rows"]) {
    CHECK(row["id_sensor"] == 101);
    const auto detail = c.get_json("/api/cdr/" + std::to_string(row["id"].get<int64_t>()));
    INFO(detail.dump().substr(0, 400));
    listed.insert(detail["cdr"]["fbasename"].get<std::string>());
  }
  std::set<std::string> expected_names;
  for (const auto& id : ids)
    expected_names.insert(core::make_fbasename(id));
  CHECK(listed == expected_names);
  const auto sensors = c.get_json("/api/sensors");
  CHECK(sensors["registry"] == true);
  REQUIRE(sensors["sensors"].size() == 1);
  CHECK(sensors["sensors"][0]["id"] == 101);
  CHECK(sensors["sensors"][0]["name"] == "sensor101");

  server->signal(SIGTERM);
  CHECK(server->wait_for(30s) == 0);
}
