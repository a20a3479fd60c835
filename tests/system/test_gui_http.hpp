#pragma once
// A small HTTP/1.1 client over a plain socket for the web GUI's system tests: one connection
// per `http_client`, kept alive between requests; Content-Length and chunked bodies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace voxmon::test {

struct http_reply {
  int status = 0;  // 0 = no answer (connection closed)
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool chunked = false;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class http_client {
 public:
  explicit http_client(uint16_t port) : port_(port) {}
  ~http_client() { close(); }
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  bool connected() const { return fd_ >= 0; }

  // Sends raw bytes (for malformed requests) and reads one reply.
  http_reply raw(const std::string& bytes) {
    if (fd_ < 0 && !connect())
      return {};
    send_all(bytes);
    return read_reply();
  }

  http_reply request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& [k, v] : headers)
      req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST")
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    auto r = raw(req);
    if (r.status == 0) {  // the server closed an idle keep-alive connection: once more
      close();
      r = raw(req);
    }
    return r;
  }

 private:
  bool connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close();
      return false;
    }
    return true;
  }
  void send_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      off += static_cast<size_t>(n);
    }
  }
  bool fill() {  // false on EOF or error
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0)
      return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool need(size_t n) {
    while (buf_.size() < n)
      if (!fill())
        return false;
    return true;
  }
  bool line(std::string& out) {
    size_t at;
    while ((at = buf_.find("\r\n")) == std::string::npos)
      if (!fill())
        return false;
    out = buf_.substr(0, at);
    buf_.erase(0, at + 2);
    return true;
  }
  http_reply read_reply() {
    http_reply r;
    std::string status;
    if (!line(status) || status.size() < 12) {
      close();
      return r;
    }
    r.status = std::stoi(status.substr(9, 3));
    std::string h;
    while (line(h) && !h.empty()) {
      const size_t colon = h.find(':');
      std::string name = h.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      r.headers.emplace(name, value);
    }
    if (r.header("transfer-encoding") == "chunked") {
      r.chunked = true;
      std::string size_line;
      while (line(size_line)) {
        const size_t n = std::stoul(size_line, nullptr, 16);
        if (n == 0) {
          std::string trailer;
          line(trailer);
          break;
        }
        if (!need(n + 2))
          break;
        r.body += buf_.substr(0, n);
        buf_.erase(0, n + 2);
      }
    } else if (!r.header("content-length").empty()) {
      const size_t n = std::stoul(r.header("content-length"));
      need(n);
      r.body = buf_.substr(0, n);
      buf_.erase(0, std::min(n, buf_.size()));
    } else {
      while (fill()) {
      }
      r.body = buf_;
      buf_.clear();
    }
    if (r.header("connection") == "close")
      close();
    return r;
  }

  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
};

}  // namespace voxmon::test

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace voxmon::test {

// One HTTPS request (certificate not verified: the tests use a self-signed one), read to the
// end of the connection. status 0 when the TLS handshake fails.
inline http_reply https_request(uint16_t port, const std::string& method, const std::string& target,
                                const std::string& body = "",
                                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http_reply r;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = nullptr;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n";
      for (const auto& [k, v] : headers)
        req += k + ": " + v + "\r\n";
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      SSL_write(ssl, req.data(), static_cast<int>(req.size()));
      std::string in;
      char buf[16384];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0)
        in.append(buf, static_cast<size_t>(n));
      const size_t end = in.find("\r\n\r\n");
      if (in.size() > 12 && end != std::string::npos) {
        r.status = std::stoi(in.substr(9, 3));
        size_t at = in.find("\r\n") + 2;
        while (at < end) {
          const size_t eol = in.find("\r\n", at);
          const std::string line = in.substr(at, eol - at);
          std::string name = line.substr(0, line.find(':'));
          for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers.emplace(name, line.substr(line.find(':') + 2));
          at = eol + 2;
        }
        r.body = in.substr(end + 4);  // Content-Length bodies only (the API's JSON)
      }
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return r;
}

}  // namespace voxmon::test
