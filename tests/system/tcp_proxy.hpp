#pragma once
// A TCP relay on 127.0.0.1 between a sensor and its server, so a test can cut the link: cut()
// resets every relayed connection at once (as a dying middlebox would), block() makes the port
// refuse new ones until unblock().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace voxmon::test {

class tcp_proxy {
 public:
  explicit tcp_proxy(uint16_t target_port) : target_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~tcp_proxy() {
    stop_ = true;
    thread_.join();
    cut();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  void cut() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [a, b] : pairs_) {
      reset(a);
      reset(b);
    }
    cuts_ += pairs_.size();
    pairs_.clear();
  }
  void block() { blocked_ = true; }
  void unblock() { blocked_ = false; }
  size_t connections_seen() const { return accepted_; }
  size_t connections_cut() const { return cuts_; }

 private:
  static void reset(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
  }
  int connect_target() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(target_);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  void loop() {
    std::vector<char> buf(65536);
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [a, b] : pairs_) {
          fds.push_back({a, POLLIN, 0});
          fds.push_back({b, POLLIN, 0});
        }
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0)
        continue;
      std::lock_guard<std::mutex> lock(mutex_);
      if (fds[0].revents & POLLIN) {
        int client = ::accept(listener_, nullptr, nullptr);
        if (client >= 0) {
          ++accepted_;
          int server = blocked_ ? -1 : connect_target();
          if (server < 0)
            reset(client);
          else
            pairs_.emplace_back(client, server);
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        const int from = fds[i].fd;
        auto it = std::find_if(pairs_.begin(), pairs_.end(),
                               [&](auto& p) { return p.first == from || p.second == from; });
        if (it == pairs_.end())
          continue;  // cut meanwhile
        const int to = it->first == from ? it->second : it->first;
        const ssize_t n = ::read(from, buf.data(), buf.size());
        if (n <= 0 || ::send(to, buf.data(), static_cast<size_t>(n), MSG_NOSIGNAL) != n) {
          ::close(it->first);
          ::close(it->second);
          pairs_.erase(it);
        }
      }
    }
  }
  uint16_t target_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::pair<int, int>> pairs_;
  std::atomic<bool> stop_{false}, blocked_{false};
  std::atomic<size_t> accepted_{0}, cuts_{0};
};

}  // namespace voxmon::test
