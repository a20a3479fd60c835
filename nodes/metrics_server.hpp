#pragma once
// The metrics endpoint: a tiny HTTP/1.0 server on its own thread (plain sockets, poll with a
// timeout so it stops promptly). Every GET is answered with the text `render` returns
// (Prometheus text format); anything else gets 404/405. One request per connection.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace voxmon::nodes {

class metrics_server {
 public:
  ~metrics_server();
  // Binds HOST:PORT (IPv4 address or "localhost"); nullptr + reason when it cannot.
  static std::unique_ptr<metrics_server> start(const std::string& host, uint16_t port,
                                               std::function<std::string()> render,
                                               std::string& error);
  // The same for a `metrics_bind` text (HOST:PORT); a bad address is an error naming it.
  static std::unique_ptr<metrics_server> start_at(const std::string& bind,
                                                  std::function<std::string()> render,
                                                  std::string& error);
  uint16_t port() const { return port_; }
  void stop();

 private:
  metrics_server() = default;
  void run();
  void serve(int fd);
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::function<std::string()> render_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace voxmon::nodes
