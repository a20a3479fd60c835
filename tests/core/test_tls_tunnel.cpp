// core/tls_tunnel with real sockets on loopback: bytes through dial -> serve -> an echo server,
// both ways, several connections at once; a plain-TCP client refused and logged.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/tls_tunnel.hpp"

using namespace voxmon;

namespace {

int listen_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 16);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Echoes every byte back, one thread per connection, until `stop`.
struct echo_server {
  uint16_t port = 0;
  int fd = -1;
  std::thread thread;
  std::vector<std::thread> workers;
  echo_server() {
    fd = listen_loopback(port);
    thread = std::thread([this] {
      for (;;) {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0)
          return;
        workers.emplace_back([c] {
          char buf[65536];
          ssize_t n;
          while ((n = ::read(c, buf, sizeof buf)) > 0)
            if (::write(c, buf, static_cast<size_t>(n)) != n)
              break;
          ::close(c);
        });
      }
    });
  }
  ~echo_server() {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    thread.join();
    for (auto& w : workers)
      w.join();
  }
};

std::string exchange(uint16_t port, const std::string& payload) {
  int fd = connect_loopback(port);
  size_t sent = 0;
  std::string back;
  std::thread writer([&] {
    while (sent < payload.size()) {
      ssize_t n = ::write(fd, payload.data() + sent, payload.size() - sent);
      if (n <= 0)
        break;
      sent += static_cast<size_t>(n);
    }
  });
  char buf[65536];
  while (back.size() < payload.size()) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    back.append(buf, static_cast<size_t>(n));
  }
  writer.join();
  ::close(fd);
  return back;
}

}  // namespace

TEST_CASE("tls tunnel: bytes cross dial -> serve -> echo and back, four connections at once",
          "[cluster][tls]") {
  echo_server echo;
  std::string error;
  std::mutex log_mutex;
  std::vector<std::string> refused;
  auto server = core::tls_tunnel::serve("127.0.0.1", 0, echo.port, {}, [&](const std::string& why) {
    std::lock_guard<std::mutex> lock(log_mutex);
    refused.push_back(why);
  }, error);
  REQUIRE(server);
  auto client = core::tls_tunnel::dial("127.0.0.1", server->local_port(), {}, error);
  REQUIRE(client);
  std::vector<std::thread> users;
  std::atomic<int> equal{0};
  for (int i = 0; i < 4; ++i)
    users.emplace_back([&, i] {
      std::string payload(3'000'000 + i, '\0');
      for (size_t k = 0; k < payload.size(); ++k)
        payload[k] = static_cast<char>((k * 131 + i) & 0xff);
      if (exchange(client->local_port(), payload) == payload)
        ++equal;
    });
  for (auto& u : users)
    u.join();
  CHECK(equal == 4);
  CHECK(client->last_error().empty());
  CHECK(refused.empty());

  // Plain TCP straight at the server's port: refused in the handshake, and logged.
  int fd = connect_loopback(server->local_port());
  const std::string hello = "hello, not TLS\r\n";
  CHECK(::write(fd, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size()));
  char buf[256];
  CHECK(::read(fd, buf, sizeof buf) <= 7);  // at most a TLS alert record, then closed
  ::close(fd);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> lock(log_mutex);
      if (!refused.empty())
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::lock_guard<std::mutex> lock(log_mutex);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].rfind("refused a connection from 127.0.0.1: TLS handshake failed: ", 0) == 0);
}

TEST_CASE("tls tunnel: half a set of TLS files is a clear error", "[cluster][tls]") {
  std::string error;
  auto server = core::tls_tunnel::serve("127.0.0.1", 0, 1, {"cert.pem", "", ""}, {}, error);
  CHECK_FALSE(server);
  CHECK(error == "tls_cert, tls_key and tls_ca go together: give all three, or none");
  auto missing = core::tls_tunnel::dial("127.0.0.1", 1, {"/nonexistent.pem", "/nonexistent.key", "/nonexistent.ca"}, error);
  CHECK_FALSE(missing);
  CHECK(error.rfind("TLS files: ", 0) == 0);
}
