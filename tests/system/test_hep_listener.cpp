// The sensor daemon with `hep = yes` (no interface): the real binary listens on 127.0.0.1, a
// test client replays the HEP messages of the corpus HEP captures over UDP and over TCP (one
// stream in 7-byte writes), then SIGTERM; the CDRs equal those of `voxmon -r` on the same
// capture (apart from the sighup mark of calls still open at the stop), and every message is
// counted as a packet. A port in use is a clear error and exit code 2.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "background_process.hpp"
#include "core/hep_stream.hpp"
#include "core/packet_decoder.hpp"
#include "core/pcap_file_reader.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using namespace voxmon;
using namespace voxmon::test;

namespace {

const fs::path corpus_dir = VOXMON_CORPUS_DIR;
using message = std::vector<uint8_t>;

std::vector<message> hep_messages(const fs::path& pcap) {
  std::string error;
  auto reader = core::pcap_file_reader::open(pcap.string(), error);
  REQUIRE(reader);
  core::decoder_limits plain;
  plain.decapsulate = false;
  core::packet_decoder d(plain);
  std::vector<message> out;
  std::vector<uint8_t> arena;
  core::timestamp_ns ts;
  const uint8_t* data;
  uint32_t caplen, wirelen;
  while (reader->next(ts, data, caplen, wirelen) == core::pcap_file_reader::status::frame) {
    core::decoded_packet p;
    arena.clear();
    if (d.decode(reader->link_type(), ts, {data, caplen}, 0, p, arena) != core::decode_status::packet ||
        p.proto != core::l4_protocol::udp || p.payload_in_arena)
      continue;
    const uint8_t* m = data + p.payload_offset;
    if (core::is_hep_datagram(m, p.payload_length))
      out.emplace_back(m, m + p.payload_length);
  }
  return out;
}

// A port free on 127.0.0.1 for both UDP and TCP right now.
uint16_t free_port() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len);
    const int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool ok = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    ::close(t);
    if (ok)
      return ntohs(a.sin_port);
  }
  FAIL("no free port");
  return 0;
}

int connect_to(int type, uint16_t port) {
  const int fd = ::socket(AF_INET, type, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

void send_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    REQUIRE(k > 0);
    p += k;
    n -= static_cast<size_t>(k);
  }
}

fs::path write_config(const fs::path& dir, uint16_t port) {
  const auto path = dir / "hep.conf";
  std::ofstream(path) << "hep = yes\nhep_bind = 127.0.0.1\nhep_bind_port = " << port
                      << "\ncdr_jsonl = " << (dir / "hep.jsonl").string() << "\ndb = none\n";
  return path;
}

// CDRs without `sighup`; `marked` counts those that had it set.
std::vector<nlohmann::json> without_sighup(std::vector<nlohmann::json> rows, size_t& marked) {
  marked = 0;
  for (auto& j : rows) {
    if (j.value("sighup", false))
      ++marked;
    j.erase("sighup");
  }
  return rows;
}

}  // namespace

TEST_CASE("voxmon with hep = yes: corpus HEP over UDP and TCP gives the offline CDRs", "[system][hep]") {
  for (const std::string name : {"hepws-hep.pcap", "hepws-hep3_compressed.pcapng"}) {
    const fs::path pcap = corpus_dir / "pcaps" / name;
    if (!fs::exists(pcap)) {
      WARN("corpus capture " << name << " absent: skipped");
      continue;
    }
    INFO(name);
    const auto msgs = hep_messages(pcap);
    REQUIRE(msgs.size() >= 8);
    const auto dir = temp_dir("hep-listener");
    auto offline = run(VOXMON_BIN, {"-r", pcap.string(), "--cdr-jsonl", (dir / "offline.jsonl").string(),
                                    "--db", "none", "--table-rows", "0"});
    REQUIRE(offline.exit_code == 0);
    size_t want_marked = 0;
    const auto want = without_sighup(read_jsonl(dir / "offline.jsonl"), want_marked);
    CHECK(want_marked == 0);

    for (const bool tcp : {false, true}) {
      INFO((tcp ? "TCP" : "UDP"));
      const uint16_t port = free_port();
      fs::remove(dir / "hep.jsonl");
      background_process voxmon(VOXMON_BIN, {"--config-file", write_config(dir, port).string()}, dir,
                                tcp ? "tcp" : "udp");
      const std::string listening = "HEP listener on 127.0.0.1:" + std::to_string(port);
      REQUIRE(voxmon.wait_for_stderr(listening, std::chrono::seconds(15)));
      if (!tcp) {
        const int fd = connect_to(SOCK_DGRAM, port);
        for (const auto& m : msgs) {
          send_all(fd, m.data(), m.size());
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        ::close(fd);
      } else {
        std::vector<uint8_t> stream;
        for (const auto& m : msgs)
          stream.insert(stream.end(), m.begin(), m.end());
        const int fd = connect_to(SOCK_STREAM, port);
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        for (size_t at = 0; at < stream.size(); at += 7)
          send_all(fd, stream.data() + at, std::min<size_t>(7, stream.size() - at));
        ::close(fd);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      voxmon.signal(SIGTERM);
      const auto code = voxmon.wait_for(std::chrono::seconds(30));
      INFO("stderr: " << voxmon.err());
      REQUIRE(code);
      CHECK(*code == 0);
      size_t marked = 0;
      const auto got = without_sighup(read_jsonl(dir / "hep.jsonl"), marked);
      CHECK(got == want);
      CHECK(marked == got.size());  // every call was still open at SIGTERM
      // (the counters hep_udp/hep_tcp/hep_clients are checked in tests/actors/test_hep_listener:
      // the daemon's stop line prints packets and CDRs only)
      CHECK(voxmon.err().find("stopped: " + std::to_string(msgs.size()) + " packets, " +
                              std::to_string(want.size()) + " CDRs") != std::string::npos);
    }
    if (name == "hepws-hep.pcap")
      CHECK(want.size() == 1);  // INVITE -> 100 -> 407
  }
}

TEST_CASE("voxmon with hep = yes: a port in use is a clear error and exit code 2", "[system][hep]") {
  const auto dir = temp_dir("hep-port-in-use");
  const uint16_t port = free_port();
  // hold the UDP port
  const int u = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  background_process voxmon(VOXMON_BIN, {"--config-file", write_config(dir, port).string()}, dir, "busy");
  const auto code = voxmon.wait_for(std::chrono::seconds(30));
  ::close(u);
  INFO("stderr: " << voxmon.err());
  REQUIRE(code);
  CHECK(*code == 2);
  CHECK(voxmon.err().find("cannot listen for HEP on UDP 127.0.0.1:" + std::to_string(port) +
                          ": Address already in use") != std::string::npos);
}
