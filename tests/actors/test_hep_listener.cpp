// The HEP listener with real sockets on 127.0.0.1: the HEP messages of the corpus HEP captures
// are replayed over UDP and over TCP (in odd-sized pieces), and the CDRs and HEP counts equal
// those of the same capture read offline; garbage, oversize and surplus clients are dropped and
// counted; a port in use is a clear error. Real threads (the listener is detached), real
// router and writer, CDRs as JSON Lines.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/hep_listener.hpp"
#include "core/hep_stream.hpp"
#include "core/pcap_file_reader.hpp"
#include "nodes/spawn.hpp"

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace voxmon;

namespace {

const fs::path corpus_dir = VOXMON_CORPUS_DIR;
using message = std::vector<uint8_t>;

// The UDP payloads (whole HEP messages) of a capture, in capture order.
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

// The CDRs of a JSON Lines text, each without `sighup` (the daemon's stop marks the calls still
// open, the end of a file does not); `marked` counts the CDRs that had it set.
std::vector<nlohmann::json> without_sighup(const std::string& text, size_t& marked) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  marked = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.value("sighup", false))
      ++marked;
    j.erase("sighup");
    out.push_back(std::move(j));
  }
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("voxmon-hep-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

caf::actor_system_config& quiet(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", size_t{2});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  return cfg;
}

struct run_result {
  std::string cdrs;
  core::run_stats stats;
};

run_result wait_for_writer(caf::actor_system& sys, cdr_writer_actor writer) {
  run_result r;
  caf::scoped_actor self{sys};
  self->request(writer, std::chrono::seconds(20), done_atom::value, uint32_t{1})
    .receive([&](run_report& rep) { r.stats = rep.stats; },
             [&](caf::error& e) { FAIL("writer: " << caf::to_string(e)); });
  self->send_exit(writer, caf::exit_reason::user_shutdown);
  return r;
}

// The capture read offline (-r), CDRs as JSON Lines.
run_result offline(const fs::path& pcap, const fs::path& jsonl) {
  config::settings s;
  s.read_file = pcap.string();
  s.cdr_jsonl = jsonl.string();
  s.db = "none";
  s.progress = false;
  caf::actor_system_config cfg;
  caf::actor_system sys{quiet(cfg)};
  auto writer = nodes::spawn_cdr_writer(sys, s);
  REQUIRE(writer);
  auto router = nodes::spawn_call_router(sys, s, 0, *writer);
  REQUIRE(router);
  REQUIRE(nodes::spawn_file_capture(sys, s, *router));
  auto r = wait_for_writer(sys, *writer);
  r.cdrs = read_text(jsonl);
  return r;
}

enum class transport { udp, tcp };

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

// A listener on 127.0.0.1 (free port); `client` talks to it; then the listener is stopped.
template <class Client>
run_result listen(const fs::path& jsonl, Client client, config::settings s = {}) {
  fs::remove(jsonl);  // a daemon's file is appended to: each listen starts with none
  s.cdr_jsonl = jsonl.string();
  s.db = "none";
  s.hep = true;
  s.hep_bind = "127.0.0.1";
  caf::actor_system_config cfg;
  caf::actor_system sys{quiet(cfg)};
  auto writer = nodes::spawn_cdr_writer(sys, s);
  REQUIRE(writer);
  auto router = nodes::spawn_call_router(sys, s, 0, *writer);
  REQUIRE(router);
  // a free port: bind port 0 once to learn one, then give it to the listener
  std::string error;
  uint16_t port = 0;
  {
    auto probe = open_hep_sockets("127.0.0.1", 0, true, true, error);
    REQUIRE(probe);
    port = probe->udp_port;
  }
  s.hep_bind_port = port;
  auto listener = nodes::spawn_hep_listener(sys, s, *router);
  REQUIRE(listener);
  client(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  caf::anon_send(*listener, eof_atom::value);
  auto r = wait_for_writer(sys, *writer);
  r.cdrs = read_text(jsonl);
  return r;
}

}  // namespace

TEST_CASE("HEP listener: corpus HEP replayed over UDP and TCP gives the offline CDRs", "[hep][listener]") {
  const auto dir = temp_dir();
  for (const std::string name : {"hepws-hep.pcap", "hepws-hep3_compressed.pcapng"}) {
    const fs::path pcap = corpus_dir / "pcaps" / name;
    if (!fs::exists(pcap)) {
      WARN("corpus capture " << name << " absent: skipped");
      continue;
    }
    INFO(name);
    const auto msgs = hep_messages(pcap);
    REQUIRE(msgs.size() >= 8);
    const auto want = offline(pcap, dir / "offline.jsonl");
    const size_t hep_idx = static_cast<size_t>(core::tunnel_kind::hep);
    REQUIRE(want.stats.decapsulated[hep_idx] == msgs.size());

    for (auto how : {transport::udp, transport::tcp}) {
      INFO((how == transport::udp ? "UDP" : "TCP"));
      auto got = listen(dir / "hep.jsonl", [&](uint16_t port) {
        if (how == transport::udp) {
          const int fd = connect_to(SOCK_DGRAM, port);
          for (const auto& m : msgs) {
            send_all(fd, m.data(), m.size());
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
          ::close(fd);
          return;
        }
        // one stream, cut into 7-byte writes: messages split across reads and several per read
        std::vector<uint8_t> stream;
        for (const auto& m : msgs)
          stream.insert(stream.end(), m.begin(), m.end());
        const int fd = connect_to(SOCK_STREAM, port);
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        for (size_t at = 0; at < stream.size(); at += 7)
          send_all(fd, stream.data() + at, std::min<size_t>(7, stream.size() - at));
        ::close(fd);
      });
      size_t got_marked = 0, want_marked = 0;
      const auto got_cdrs = without_sighup(got.cdrs, got_marked);
      const auto want_cdrs = without_sighup(want.cdrs, want_marked);
      CHECK(got_cdrs == want_cdrs);
      CHECK(want_marked == 0);
      CHECK(got_marked == got_cdrs.size());  // every call was still open at the stop
      CHECK(got.stats.decapsulated[hep_idx] == msgs.size());
      CHECK(got.stats.sip_messages == want.stats.sip_messages);
      CHECK(got.stats.sip_non_call == want.stats.sip_non_call);
      CHECK(got.stats.calls == want.stats.calls);
      CHECK(got.stats.cdrs_written == want.stats.cdrs_written);
      CHECK(got.stats.hep_udp == (how == transport::udp ? msgs.size() : 0));
      CHECK(got.stats.hep_tcp == (how == transport::tcp ? msgs.size() : 0));
      CHECK(got.stats.hep_clients == (how == transport::tcp ? 1 : 0));
      CHECK(got.stats.hep_clients_dropped == 0);
      CHECK(got.stats.hep_bad == 0);
    }
    if (name == "hepws-hep.pcap")
      CHECK(std::count(want.cdrs.begin(), want.cdrs.end(), '\n') == 1);  // the INVITE -> 407
  }
  fs::remove_all(dir);
}

TEST_CASE("HEP listener: garbage, oversize and surplus clients are dropped and counted", "[hep][listener]") {
  const auto dir = temp_dir();
  config::settings s;
  s.hep_max_clients = 2;
  s.hep_max_message = 200;
  const std::string junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  auto got = listen(dir / "bad.jsonl", [&](uint16_t port) {
    // UDP garbage
    const int u = connect_to(SOCK_DGRAM, port);
    send_all(u, reinterpret_cast<const uint8_t*>(junk.data()), junk.size());
    ::close(u);
    // a TCP client sending one (empty) HEP3 message then HTTP, one announcing a message
    // larger than allowed, then one client too many
    const int a = connect_to(SOCK_STREAM, port);
    std::vector<uint8_t> first{'H', 'E', 'P', '3', 0, 6};
    first.insert(first.end(), junk.begin(), junk.end());
    send_all(a, first.data(), first.size());
    const int b = connect_to(SOCK_STREAM, port);
    const uint8_t big[] = {'H', 'E', 'P', '3', 0x10, 0x00};
    send_all(b, big, sizeof big);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a and b dropped by now
    const int c = connect_to(SOCK_STREAM, port);
    const int d = connect_to(SOCK_STREAM, port);
    const int e = connect_to(SOCK_STREAM, port);  // third at once: refused
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (int fd : {a, b, c, d, e})
      ::close(fd);
  }, s);
  CHECK(got.cdrs.empty());
  CHECK(got.stats.hep_bad == 1);
  CHECK(got.stats.hep_udp == 0);
  CHECK(got.stats.hep_tcp == 1);  // the whole message before the garbage
  CHECK(got.stats.hep_clients == 4);
  CHECK(got.stats.hep_clients_dropped == 3);
  CHECK(got.stats.packets == 1);
  fs::remove_all(dir);
}

TEST_CASE("HEP listener: a port in use is an error naming address and port", "[hep][listener]") {
  std::string error;
  auto first = open_hep_sockets("127.0.0.1", 0, true, true, error);
  REQUIRE(first);
  config::settings s;
  s.hep = true;
  s.hep_bind = "127.0.0.1";
  s.hep_bind_port = first->udp_port;
  caf::actor_system_config cfg;
  caf::actor_system sys{quiet(cfg)};
  auto r = nodes::spawn_hep_listener(sys, s, call_router_actor{});
  REQUIRE_FALSE(r);
  CHECK(error_text(r.error()) == "cannot listen for HEP on UDP 127.0.0.1:" +
                                            std::to_string(first->udp_port) + ": Address already in use");
  s.hep_bind = "not-an-address";
  auto bad = nodes::spawn_hep_listener(sys, s, call_router_actor{});
  REQUIRE_FALSE(bad);
  CHECK(error_text(bad.error()) == "hep_bind 'not-an-address' is not an IPv4 or IPv6 address");
}

TEST_CASE("HEP listener: idle ticks move packet time on, so calls time out without traffic", "[hep][listener]") {
  const auto dir = temp_dir();
  config::settings s;
  s.cdr_jsonl = (dir / "tick.jsonl").string();
  s.db = "none";
  s.hep = true;
  s.hep_bind = "127.0.0.1";
  s.auth_retry_timeout = 1;  // the call below ends 1 s (packet time) after its 407
  caf::actor_system_config cfg;
  caf::actor_system sys{quiet(cfg)};
  auto writer = nodes::spawn_cdr_writer(sys, s);
  REQUIRE(writer);
  auto router = nodes::spawn_call_router(sys, s, 0, *writer);
  REQUIRE(router);
  std::string error;
  {
    auto probe = open_hep_sockets("127.0.0.1", 0, true, false, error);
    REQUIRE(probe);
    s.hep_bind_port = probe->udp_port;
  }
  auto listener = nodes::spawn_hep_listener(sys, s, *router);
  REQUIRE(listener);
  // INVITE -> 407 from hepws-hep.pcap's first three messages (HEP time 2016)
  const fs::path pcap = corpus_dir / "pcaps" / "hepws-hep.pcap";
  if (!fs::exists(pcap)) {
    WARN("corpus capture absent: skipped");
    caf::anon_send(*listener, eof_atom::value);
    wait_for_writer(sys, *writer);
    return;
  }
  const auto msgs = hep_messages(pcap);
  const int fd = connect_to(SOCK_DGRAM, static_cast<uint16_t>(s.hep_bind_port));
  for (size_t i = 0; i < 3; ++i)
    send_all(fd, msgs[i].data(), msgs[i].size());
  ::close(fd);
  caf::scoped_actor self{sys};
  auto status = [&] {
    router_status st;
    self->request(*router, std::chrono::seconds(5), status_atom::value)
      .receive([&](router_status& r) { st = r; }, [&](caf::error& e) { FAIL(caf::to_string(e)); });
    return st;
  };
  // the call is open once the listener has handed the batch on (50 ms)...
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (status().calls_open + status().calls_closed == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(status().calls_open + status().calls_closed == 1);
  // ...and closed by ticks alone, long before any eof
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  while (status().calls_closed == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto st = status();
  CHECK(st.calls_closed == 1);
  CHECK(st.calls_open == 0);
  caf::anon_send(*listener, eof_atom::value);
  auto r = wait_for_writer(sys, *writer);
  CHECK(r.stats.cdrs_written == 1);
  fs::remove_all(dir);
}
