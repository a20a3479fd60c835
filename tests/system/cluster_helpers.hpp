#pragma once
// Helpers of the multi-process system tests (central node, sensors, mirror senders): free
// loopback ports, configs, generated captures and their truth, CDRs read back.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "background_process.hpp"
#include "mysql_test_env.hpp"
#include "process.hpp"

namespace voxmon::test::cluster {

using namespace std::chrono_literals;

inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// A generated capture and the Call-IDs of its truth.
inline std::set<std::string> generate(const std::filesystem::path& dir, const std::string& name,
                               std::vector<std::string> options) {
  options.insert(options.end(), {"-o", name});
  auto gen = test::run(VOXMON_GEN_BIN, options, dir);
  REQUIRE(gen.exit_code == 0);
  std::set<std::string> ids;
  for (const auto& row : test::read_jsonl(dir / (name + ".truth.jsonl")))
    ids.insert(row["callid"].get<std::string>());
  return ids;
}

inline std::string server_conf(uint16_t port, const std::string& extra = "") {
  return "server_bind = 127.0.0.1\nserver_bind_port = " + std::to_string(port) +
         "\nserver_password = correct horse\n" + extra;
}

inline std::string sensor_conf(uint16_t port, uint32_t id, const std::string& extra = "") {
  return "server_destination = 127.0.0.1:" + std::to_string(port) +
         "\nserver_password = correct horse\nid_sensor = " + std::to_string(id) +
         "\nsensor_name = sensor" + std::to_string(id) + "\nserver_outbox = outbox" +
         std::to_string(id) + "\n" + extra;
}

inline std::unique_ptr<test::background_process> start_server(const std::filesystem::path& dir,
                                                       const std::vector<std::string>& args,
                                                       const std::string& name = "server") {
  auto server = std::make_unique<test::background_process>(VOXMON_BIN, args, dir, name);
  REQUIRE(server->wait_for_stderr("central node listening", 20s));
  return server;
}

// (Call-ID, id_sensor) of every CDR line.
inline std::multiset<std::pair<std::string, uint32_t>> cdrs_in_jsonl(const std::filesystem::path& p) {
  std::multiset<std::pair<std::string, uint32_t>> out;
  for (const auto& row : test::read_jsonl(p))
    out.emplace(row["callid"].get<std::string>(), row["id_sensor"].get<uint32_t>());
  return out;
}

inline std::multiset<std::pair<std::string, uint32_t>> expected(
  std::initializer_list<std::pair<const std::set<std::string>*, uint32_t>> parts) {
  std::multiset<std::pair<std::string, uint32_t>> out;
  for (auto [ids, sensor] : parts)
    for (const auto& id : *ids)
      out.emplace(id, sensor);
  return out;
}

inline std::multiset<std::pair<std::string, uint32_t>> cdrs_in_mysql(store::mysql_db& db) {
  std::multiset<std::pair<std::string, uint32_t>> out;
  for (const auto& r : db.query("SELECT n.fbasename, c.id_sensor FROM cdr c JOIN cdr_next n "
                                "ON n.cdr_ID = c.ID AND n.calldate = c.calldate"))
    out.emplace(r.values[0], static_cast<uint32_t>(std::stoul(r.values[1])));
  return out;
}


// GET path from 127.0.0.1:port (HTTP/1.0), the whole answer; empty when nothing answers.
inline std::string http_get(uint16_t port, const std::string& path = "/metrics") {
  std::string body;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        body.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return body;
}

// Frames in a capture file (libpcap).
inline uint64_t frames_in(const std::filesystem::path& p) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline(p.string().c_str(), err);
  if (!h)
    return 0;
  uint64_t n = 0;
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(h, &hdr, &data) == 1)
    ++n;
  pcap_close(h);
  return n;
}

}  // namespace voxmon::test::cluster
