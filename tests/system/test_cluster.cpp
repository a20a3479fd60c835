// Central node and remote sensors with real processes on loopback: sensors process captures and
// upload their CDRs over CAF remote actors (TLS) to a server that stores them. Nothing may be
// lost or duplicated when the server is down, killed, or the link is cut.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <map>
#include <set>

#include "background_process.hpp"
#include "cluster_helpers.hpp"
#include "mysql_test_env.hpp"
#include "tcp_proxy.hpp"

using namespace voxmon;
using namespace voxmon::test::cluster;
using namespace std::chrono_literals;


TEST_CASE("cluster: two sensors upload every CDR once, each with its id_sensor", "[cluster]") {
  auto dir = test::temp_dir("cluster_two_sensors");
  const auto a = generate(dir, "a.pcap", {"--sample", "--seed", "1"});
  const auto b = generate(dir, "b.pcap", {"--sample", "--seed", "2"});
  const uint16_t port = free_port();
  const uint16_t metrics_port = free_port();
  write_text(dir / "server.conf", server_conf(port, "metrics_bind = 127.0.0.1:" + std::to_string(metrics_port) + "\n"));
  write_text(dir / "s1.conf", sensor_conf(port, 11));
  write_text(dir / "s2.conf", sensor_conf(port, 12));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  CHECK(server->err().find("warning: no tls_cert/tls_key/tls_ca configured") != std::string::npos);

  test::background_process s1(VOXMON_BIN, {"-c", "s1.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir, "s1");
  test::background_process s2(VOXMON_BIN, {"-c", "s2.conf", "-r", "b.pcap", "--db", "none", "--no-progress"}, dir, "s2");
  REQUIRE(s1.wait_for(60s) == 0);
  REQUIRE(s2.wait_for(60s) == 0);
  CHECK(s1.err().find("joined the central node 127.0.0.1:" + std::to_string(port) + " as sensor 11") != std::string::npos);

  // Acknowledged means durable on the server: the CDRs are in its file before the sensors exit.
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 11}, {&b, 12}}));

  auto status = test::run(VOXMON_BIN, {"-c", "server.conf", "status", "--server", "127.0.0.1:" + std::to_string(port)}, dir);
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  CHECK(status.out.find("11        sensor11") != std::string::npos);
  CHECK(status.out.find("12        sensor12") != std::string::npos);
  CHECK(status.out.find(" 20 ") != std::string::npos);
  // The same table on the metrics endpoint.
  const std::string metrics = http_get(metrics_port);
  INFO(metrics);
  CHECK(metrics.find("voxmon_sensors 2\n") != std::string::npos);
  CHECK(metrics.find("voxmon_sensor_cdrs_total{id_sensor=\"11\",name=\"sensor11\"} 20\n") != std::string::npos);
  CHECK(metrics.find("voxmon_sensor_cdrs_total{id_sensor=\"12\",name=\"sensor12\"} 20\n") != std::string::npos);
  CHECK(metrics.find("voxmon_mirror_streams 0\n") != std::string::npos);

  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("cluster: a quiet sensor rejoins a restarted central node without a CDR to send",
          "[cluster]") {
  auto dir = test::temp_dir("cluster_quiet_rejoin");
  generate(dir, "a.pcap", {"--sample", "--seed", "4"});
  const uint16_t port = free_port();
  const uint16_t metrics_port = free_port();
  write_text(dir / "server.conf", server_conf(port, "metrics_bind = 127.0.0.1:" + std::to_string(metrics_port) + "\n"));
  write_text(dir / "s.conf", sensor_conf(port, 61));
  const std::vector<std::string> server_args{"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"};
  auto server = start_server(dir, server_args);
  test::background_process sensor(VOXMON_BIN, {"-c", "s.conf", "-r", "a.pcap", "--stay-joined", "yes", "--db", "none",
                                               "--no-progress", "--table-rows", "0"}, dir, "sensor");
  REQUIRE(sensor.wait_for_stderr("staying joined to the central node", 60s));
  const std::string up = "voxmon_sensor_up{id_sensor=\"61\",name=\"sensor61\"} 1\n";
  CHECK(http_get(metrics_port).find(up) != std::string::npos);

  // The central node restarts while the sensor has nothing to upload: the sensor notices the
  // lost link and joins the new node by itself (before, it waited for its next CDR).
  server->signal(SIGTERM);
  REQUIRE(server->wait_for(20s) == 0);
  server = start_server(dir, server_args, "server2");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool rejoined = false;
  while (!rejoined && std::chrono::steady_clock::now() < deadline) {
    rejoined = http_get(metrics_port).find(up) != std::string::npos;
    if (!rejoined)
      std::this_thread::sleep_for(100ms);
  }
  CHECK(rejoined);
  // The sensor logs its join once the registry's answer is back: a moment after the registry
  // lists it, so wait for the second line.
  const std::string joined = "joined the central node 127.0.0.1:" + std::to_string(port) + " as sensor 61";
  auto joins = [&] {
    const std::string err = sensor.err();
    size_t n = 0;
    for (size_t at = err.find(joined); at != std::string::npos; at = err.find(joined, at + 1))
      ++n;
    return n;
  };
  const auto logged_by = std::chrono::steady_clock::now() + 10s;
  while (joins() < 2 && std::chrono::steady_clock::now() < logged_by)
    std::this_thread::sleep_for(50ms);
  INFO(sensor.err());
  CHECK(joins() == 2);
  CHECK(sensor.err().find("lost the central node 127.0.0.1:" + std::to_string(port) + ": the link went down") !=
        std::string::npos);

  sensor.signal(SIGTERM);
  CHECK(sensor.wait_for(30s) == 0);
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("cluster: a wrong password is refused on both sides and changes nothing", "[cluster]") {
  auto dir = test::temp_dir("cluster_wrong_password");
  generate(dir, "a.pcap", {"--sample"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  std::string conf = sensor_conf(port, 21, "server_flush_timeout = 2\n");
  conf.replace(conf.find("correct horse"), 13, "battery staple");
  write_text(dir / "bad.conf", conf);
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});

  auto r = test::run(VOXMON_BIN, {"-c", "bad.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir);
  CHECK(r.exit_code == 3);  // CDRs kept back for later
  CHECK(r.err.find("refused: wrong server_password") != std::string::npos);
  CHECK(r.err.find("20 CDRs not acknowledged by the central node") != std::string::npos);
  CHECK(server->err().find("refused sensor 21 (sensor21): wrong server_password") != std::string::npos);
  CHECK(test::read_file(dir / "server.jsonl").empty());

  auto status = test::run(VOXMON_BIN, {"-c", "server.conf", "status", "--server", "127.0.0.1:" + std::to_string(port)}, dir);
  REQUIRE(status.exit_code == 0);
  CHECK(status.out.find("sensor21") == std::string::npos);  // the server's state is unchanged

  // The CDRs wait in the outbox: with the right password they arrive, once.
  write_text(dir / "good.conf", sensor_conf(port, 21));
  auto again = test::run(VOXMON_BIN, {"-c", "good.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  const auto rows = cdrs_in_jsonl(dir / "server.jsonl");
  CHECK(rows.size() == 40);  // 20 kept from the refused run, 20 of this run (the same calls again)
}

TEST_CASE("cluster: the server down at the sensor's start, up later: nothing lost", "[cluster]") {
  auto dir = test::temp_dir("cluster_server_late");
  const auto a = generate(dir, "a.pcap", {"--sample"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "s1.conf", sensor_conf(port, 31, "server_flush_timeout = 60\n"));
  test::background_process sensor(VOXMON_BIN, {"-c", "s1.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir, "sensor");
  std::this_thread::sleep_for(2s);
  REQUIRE(sensor.running());  // waiting for its server
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  REQUIRE(sensor.wait_for(60s) == 0);
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 31}}));
}

TEST_CASE("cluster: the link cut in the middle of uploads: nothing lost, nothing duplicated", "[cluster]") {
  auto dir = test::temp_dir("cluster_link_cut");
  // Many short calls without media: thousands of CDRs, uploaded in many batches.
  const auto a = generate(dir, "a.pcap", {"--calls", "6000", "--cps", "200", "--outcomes", "busy=1", "--seed", "7"});
  const uint16_t port = free_port();
  test::tcp_proxy proxy(port);
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "s1.conf", sensor_conf(proxy.port(), 41, "server_flush_timeout = 60\nserver_upload_batch = 20\n"));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  test::background_process sensor(VOXMON_BIN, {"-c", "s1.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir, "sensor");
  // Cut as soon as the first CDRs have arrived, block the port for a while, then let it through.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (test::read_file(dir / "server.jsonl").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  proxy.block();
  proxy.cut();
  std::this_thread::sleep_for(1500ms);
  proxy.unblock();
  REQUIRE(sensor.wait_for(90s) == 0);
  CHECK(proxy.connections_cut() >= 1);
  INFO(sensor.err());
  CHECK(sensor.err().find("lost the central node") != std::string::npos);
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 41}}));
}

TEST_CASE("cluster: MySQL server killed and restarted mid-run: every CDR exactly once", "[cluster][mysql]") {
  auto s = test::mysql_test_settings();
  if (!s)
    return;
  auto p = test::params_of(*s, "voxmon_t_cluster");
  auto admin = test::fresh_database(p);
  auto dir = test::temp_dir("cluster_server_killed");
  const auto a = generate(dir, "a.pcap", {"--calls", "8000", "--cps", "200", "--outcomes", "busy=1", "--seed", "8"});
  const auto b = generate(dir, "b.pcap", {"--sample", "--seed", "3"});
  const uint16_t port = free_port();
  const std::string url = test::url_of(p);
  write_text(dir / "server.conf", server_conf(port, "cdr_journal = server.journal\n"));
  // Small uploads, so that the kill lands between two of them.
  write_text(dir / "s1.conf", sensor_conf(port, 51, "server_flush_timeout = 90\nserver_upload_batch = 20\n"));
  write_text(dir / "s2.conf", sensor_conf(port, 52, "server_flush_timeout = 90\n"));
  auto server = start_server(dir, {"-c", "server.conf", "--db", url});
  store::db_error e;
  auto db = store::mysql_db::connect(p, e);
  REQUIRE(db);
  test::background_process s1(VOXMON_BIN, {"-c", "s1.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir, "s1");
  test::background_process s2(VOXMON_BIN, {"-c", "s2.conf", "-r", "b.pcap", "--db", "none", "--no-progress"}, dir, "s2");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rows = db->query("SELECT COUNT(*) FROM cdr WHERE id_sensor = 51");
    if (!rows.empty() && rows[0].values[0] != "0")
      break;
    std::this_thread::sleep_for(10ms);
  }
  server->signal(SIGKILL);
  server->wait_for(10s);
  std::this_thread::sleep_for(1s);
  server = start_server(dir, {"-c", "server.conf", "--db", url}, "server2");
  const auto code1 = s1.wait_for(120s);
  const auto code2 = s2.wait_for(120s);
  INFO("sensor 51:\n" << s1.err() << "\nsensor 52:\n" << s2.err() << "\nserver:\n" << server->err());
  REQUIRE(code1 == 0);
  REQUIRE(code2 == 0);
  CHECK(s1.err().find("lost the central node") != std::string::npos);
  CHECK(cdrs_in_mysql(*db) == expected({{&a, 51}, {&b, 52}}));
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("cluster: a plain TCP stranger is refused and the server carries on", "[cluster]") {
  auto dir = test::temp_dir("cluster_stranger");
  const auto a = generate(dir, "a.pcap", {"--sample"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "s1.conf", sensor_conf(port, 61));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  // Not TLS: the handshake fails and the server closes the connection.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string hello = "GET / HTTP/1.0\r\n\r\n" + std::string(2000, 'x');
  ::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  ssize_t n = 0;
  std::string answer;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const bool closed = n == 0 || (n < 0 && errno == ECONNRESET);
  CHECK(closed);  // closed, not left hanging
  CHECK(answer.find("HTTP") == std::string::npos);
  // A real sensor still gets in.
  auto r = test::run(VOXMON_BIN, {"-c", "s1.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir);
  CHECK(r.exit_code == 0);
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 61}}));
}

TEST_CASE("cluster: with certificates a sensor of the same CA joins, another CA or no certificate is refused",
          "[cluster]") {
  if (std::system("openssl version >/dev/null 2>&1") != 0) {
    WARN("skipped: the openssl command is not installed (tools/scripts/install-deps.sh installs it)");
    return;
  }
  auto dir = test::temp_dir("cluster_tls");
  const auto a = generate(dir, "a.pcap", {"--sample"});
  const std::string make_certs =
    "cd " + test::shell_quote(dir.string()) + " && "
    "ca() { openssl req -x509 -newkey rsa:2048 -nodes -keyout $1.key -out $1.pem -days 30 -subj /CN=$1; } && "
    "leaf() { openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj /CN=$1 && "
    "openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -out $1.pem -days 30; } && "
    "ca ca && ca otherca && leaf server ca && leaf sensor ca && leaf stranger otherca";
  REQUIRE(std::system((make_certs + " >/dev/null 2>&1").c_str()) == 0);
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port, "tls_cert = server.pem\ntls_key = server.key\ntls_ca = ca.pem\n"));
  write_text(dir / "good.conf", sensor_conf(port, 71, "tls_cert = sensor.pem\ntls_key = sensor.key\ntls_ca = ca.pem\n"));
  write_text(dir / "other.conf", sensor_conf(port, 72, "tls_cert = stranger.pem\ntls_key = stranger.key\n"
                                                       "tls_ca = ca.pem\nserver_flush_timeout = 2\n"));
  write_text(dir / "anon.conf", sensor_conf(port, 73, "server_flush_timeout = 2\n"));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  CHECK(server->err().find("warning: no tls_cert") == std::string::npos);

  auto good = test::run(VOXMON_BIN, {"-c", "good.conf", "-r", "a.pcap", "--db", "none", "--no-progress"}, dir);
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.err.find("warning: no tls_cert") == std::string::npos);
  for (const char* conf : {"other.conf", "anon.conf"}) {
    auto r = test::run(VOXMON_BIN, {"-c", conf, "-r", "a.pcap", "--db", "none", "--no-progress"}, dir);
    INFO(conf << ": " << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("TLS") != std::string::npos);
  }
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 71}}));
}

TEST_CASE("cluster: voxmon-cluster up, status and down run a server and two sensors", "[cluster]") {
  auto dir = test::temp_dir("cluster_launcher");
  const auto a = generate(dir, "a.pcap", {"--sample", "--seed", "4"});
  const auto b = generate(dir, "b.pcap", {"--sample", "--seed", "5"});
  const uint16_t port = free_port();
  write_text(dir / "cluster.desc", "dir = " + (dir / "cluster").string() + "\nport = " +
                                     std::to_string(port) + "\npassword = pw\nmysql = no\n"
                                     "sensor = 81 " + (dir / "a.pcap").string() + " edge-a\n"
                                     "sensor = 82 " + (dir / "b.pcap").string() + "\n");
  auto launcher = [&](const std::string& cmd) {
    return test::run("/usr/bin/env", {"VOXMON=" VOXMON_BIN, "bash", VOXMON_CLUSTER_SH, cmd, "cluster.desc"}, dir);
  };
  auto up = launcher("up");
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.find("sensor 81: edge-a reading") != std::string::npos);
  // Both sensors end once the server holds their CDRs.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  test::process_result status;
  while (std::chrono::steady_clock::now() < deadline) {
    status = launcher("status");
    if (status.out.find("sensor 81: not running") != std::string::npos &&
        status.out.find("sensor 82: not running") != std::string::npos)
      break;
    std::this_thread::sleep_for(200ms);
  }
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("server:   running") != std::string::npos);
  CHECK(status.out.find("81        edge-a") != std::string::npos);
  CHECK(status.out.find("82        sensor82") != std::string::npos);
  auto down = launcher("down");
  CHECK(down.exit_code == 0);
  CHECK(cdrs_in_jsonl(dir / "cluster" / "server" / "cdrs.jsonl") == expected({{&a, 81}, {&b, 82}}));
  CHECK(launcher("status").out.find("server:   not running") != std::string::npos);
}
