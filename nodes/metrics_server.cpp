#include "nodes/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/live_settings.hpp"

namespace voxmon::nodes {

namespace {

void send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    off += static_cast<size_t>(n);
  }
}

std::string response(const char* status, const std::string& type, const std::string& body) {
  return std::string("HTTP/1.0 ") + status + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

std::unique_ptr<metrics_server> metrics_server::start(const std::string& host, uint16_t port,
                                                      std::function<std::string()> render,
                                                      std::string& error) {
  const std::string where = "metrics_bind " + host + ":" + std::to_string(port) + ": ";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, h.c_str(), &addr.sin_addr) != 1) {
    error = where + "not an IPv4 address";
    return nullptr;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = where + std::strerror(errno);
    return nullptr;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    error = where + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<metrics_server> s(new metrics_server());
  s->listen_fd_ = fd;
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  s->render_ = std::move(render);
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

metrics_server::~metrics_server() { stop(); }

void metrics_server::stop() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void metrics_server::run() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0)
      continue;
    const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0)
      continue;
    serve(c);
    ::close(c);
  }
}

void metrics_server::serve(int fd) {
  // Read the request head (bounded: 8 KB, 2 s).
  std::string head;
  char buf[1024];
  while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos &&
         head.find("\n\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0)
      return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    head.append(buf, static_cast<size_t>(n));
  }
  const size_t sp1 = head.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? sp1 : head.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) {
    send_all(fd, response("400 Bad Request", "text/plain", "bad request\n"));
    return;
  }
  const std::string method = head.substr(0, sp1);
  const std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method != "GET") {
    send_all(fd, response("405 Method Not Allowed", "text/plain", "only GET\n"));
    return;
  }
  if (path != "/metrics" && path != "/") {
    send_all(fd, response("404 Not Found", "text/plain", "try /metrics\n"));
    return;
  }
  send_all(fd, response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_()));
}

std::unique_ptr<metrics_server> metrics_server::start_at(const std::string& bind,
                                                         std::function<std::string()> render,
                                                         std::string& error) {
  auto addr = config::parse_bind_address(bind, error);
  if (!addr)
    return nullptr;
  return start(addr->host, addr->port, std::move(render), error);
}

}  // namespace voxmon::nodes
