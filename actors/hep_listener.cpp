#include "actors/hep_listener.hpp"

#include "actors/batch_credit.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace voxmon {

namespace {

using listener_ptr = hep_listener_actor::stateful_pointer<hep_listener_state>;
using clock_type = std::chrono::steady_clock;
constexpr size_t max_datagram = 65536;
constexpr int datagrams_per_poll = 512;  // then the mailbox (credit, eof) gets a turn

core::timestamp_ns wall_clock_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return core::timestamp_ns{t.tv_sec} * core::ns_per_second + t.tv_nsec;
}

bool set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

void send_batch(listener_ptr self, const call_router_actor& router) {
  auto& st = self->state;
  st.last_send = clock_type::now();
  if (st.builder->empty())
    return;
  ++st.in_flight;
  core::batch_ptr tracked =
    credit_on_release(st.builder->take(), caf::actor_cast<hep_listener_actor>(self));
  self->send(router, batch_atom::value, batch_msg{std::move(tracked)});
}

void add_message(hep_listener_state& st, const uint8_t* data, size_t n) {
  st.builder->add(wall_clock_ns(), data, static_cast<uint32_t>(n), static_cast<uint32_t>(n));
}

void read_udp(hep_listener_state& st) {
  for (int i = 0; i < datagrams_per_poll; ++i) {
    const ssize_t n = ::recv(st.sockets->udp, st.buffer.data(), st.buffer.size(), 0);
    if (n < 0)
      return;  // EAGAIN (drained) or a transient error
    if (!core::is_hep_datagram(st.buffer.data(), static_cast<size_t>(n))) {
      ++st.counters.hep_bad;
      continue;
    }
    ++st.counters.hep_udp;
    add_message(st, st.buffer.data(), static_cast<size_t>(n));
  }
}

void accept_clients(hep_listener_state& st, const hep_listener_config& cfg) {
  for (;;) {
    const int fd = ::accept(st.sockets->tcp, nullptr, nullptr);
    if (fd < 0)
      return;
    if (st.clients.size() >= cfg.max_clients || !set_nonblocking(fd)) {
      ::close(fd);
      ++st.counters.hep_clients_dropped;
      continue;
    }
    ++st.counters.hep_clients;
    auto c = std::make_unique<hep_listener_state::client>();
    c->fd = fd;
    c->stream = core::hep_stream(cfg.max_message);
    st.clients.push_back(std::move(c));
  }
}

// Reads what one client sent; false when the client is gone or must be dropped.
bool read_client(hep_listener_state& st, hep_listener_state::client& c) {
  for (;;) {
    const ssize_t n = ::recv(c.fd, st.buffer.data(), st.buffer.size(), 0);
    if (n == 0)
      return false;  // closed; an incomplete last message is discarded
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    const auto result = c.stream.feed(st.buffer.data(), static_cast<size_t>(n), st.messages);
    for (auto m : st.messages) {  // whole messages before a bad one still count
      ++st.counters.hep_tcp;
      add_message(st, m.data(), m.size());
    }
    if (result != core::hep_stream::result::ok) {
      ++st.counters.hep_clients_dropped;
      return false;
    }
    if (static_cast<size_t>(n) < st.buffer.size())
      return true;
  }
}

void poll_once(listener_ptr self, const hep_listener_config& cfg, const call_router_actor& router,
               int timeout_ms) {
  auto& st = self->state;
  std::vector<pollfd> fds;
  fds.reserve(2 + st.clients.size());
  if (st.sockets->udp >= 0)
    fds.push_back({st.sockets->udp, POLLIN, 0});
  if (st.sockets->tcp >= 0)
    fds.push_back({st.sockets->tcp, POLLIN, 0});
  for (const auto& c : st.clients)
    fds.push_back({c->fd, POLLIN, 0});
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  if (ready > 0) {
    size_t i = 0;
    if (st.sockets->udp >= 0 && fds[i++].revents != 0)
      read_udp(st);
    const size_t known = st.clients.size();
    if (st.sockets->tcp >= 0 && fds[i++].revents != 0)
      accept_clients(st, cfg);
    const size_t first_client = i;
    std::vector<int> gone;
    for (size_t k = 0; k < st.clients.size(); ++k) {
      // clients accepted just now are read at once (they may have sent and closed already)
      const bool ready_now = k >= known || fds[first_client + k].revents != 0;
      if (ready_now && !read_client(st, *st.clients[k]))
        gone.push_back(st.clients[k]->fd);
    }
    for (int fd : gone) {
      ::close(fd);
      std::erase_if(st.clients, [fd](const auto& c) { return c->fd == fd; });
    }
  }
  const auto now = clock_type::now();
  if (st.builder->last_packet_ts() > st.last_packet_ts) {
    st.last_packet_ts = st.builder->last_packet_ts();
    st.last_packet_at = now;
  }
  const bool full = !st.builder->empty() &&
                    st.builder->pending_frames() >= cfg.batch_packets;
  if (full || now - st.last_send >= cfg.flush_interval)
    send_batch(self, router);
  // Idle (nothing waiting to be sent): packet time moves on with the wall clock.
  if (st.builder->empty() && st.last_packet_ts != 0 && now - st.last_packet_at >= cfg.tick_interval &&
      now - st.last_tick >= cfg.tick_interval) {
    st.last_tick = now;
    const auto idle = std::chrono::duration_cast<std::chrono::nanoseconds>(now - st.last_packet_at);
    self->send(router, tick_atom::value, core::timestamp_ns{st.last_packet_ts + idle.count()});
  }
}

void loop(listener_ptr self, const hep_listener_config& cfg, const call_router_actor& router) {
  auto& st = self->state;
  if (st.stopping)
    return;
  if (st.in_flight >= cfg.max_in_flight) {
    st.paused = true;  // the kernel buffers hold the traffic until a batch is released
    return;
  }
  poll_once(self, cfg, router, static_cast<int>(cfg.poll_timeout.count()));
  self->send(self, read_atom::value);
}

}  // namespace

hep_sockets::~hep_sockets() {
  if (udp >= 0)
    ::close(udp);
  if (tcp >= 0)
    ::close(tcp);
}

std::shared_ptr<hep_sockets> open_hep_sockets(const std::string& address, uint16_t port, bool udp,
                                              bool tcp, std::string& error) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    error = "hep_bind '" + address + "' is not an IPv4 or IPv6 address";
    return nullptr;
  }
  auto sockets = std::make_shared<hep_sockets>();
  const std::string where = (ss.ss_family == AF_INET6 ? "[" + address + "]" : address) + ":" +
                            std::to_string(port);
  auto open_one = [&](int type, const char* name, int& fd, uint16_t& bound) {
    fd = ::socket(ss.ss_family, type, 0);
    const int on = 1;
    // SO_REUSEADDR on TCP only (a quick restart despite TIME_WAIT); on UDP it would let a
    // second process share the port silently.
    if (fd < 0 ||
        (type == SOCK_STREAM && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        (type == SOCK_STREAM && ::listen(fd, 64) != 0) || !set_nonblocking(fd)) {
      error = std::string("cannot listen for HEP on ") + name + " " + where + ": " +
              std::strerror(errno);
      return false;
    }
    sockaddr_storage got{};
    socklen_t got_len = sizeof got;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&got), &got_len);
    bound = ntohs(got.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&got)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&got)->sin_port);
    return true;
  };
  if (udp && !open_one(SOCK_DGRAM, "UDP", sockets->udp, sockets->udp_port))
    return nullptr;
  if (tcp) {
    // With port 0 (tests) TCP takes the port UDP got, so one number serves both.
    if (udp && port == 0) {
      if (ss.ss_family == AF_INET6)
        v6->sin6_port = htons(sockets->udp_port);
      else
        v4->sin_port = htons(sockets->udp_port);
    }
    if (!open_one(SOCK_STREAM, "TCP", sockets->tcp, sockets->tcp_port))
      return nullptr;
  }
  if (!udp && !tcp) {
    error = "hep = yes but neither hep_bind_udp nor hep_bind_tcp is on";
    return nullptr;
  }
  return sockets;
}

hep_listener_state::~hep_listener_state() {
  for (const auto& c : clients)
    ::close(c->fd);
}

hep_listener_actor::behavior_type
hep_listener(hep_listener_actor::stateful_pointer<hep_listener_state> self,
             std::shared_ptr<hep_sockets> sockets, hep_listener_config cfg,
             call_router_actor router) {
  auto& st = self->state;
  st.sockets = std::move(sockets);
  st.builder = std::make_unique<core::batch_builder>(core::link_hep, cfg.id_sensor, cfg.sip_ports,
                                                     cfg.batch_packets, cfg.limits, cfg.tcp);
  st.buffer.resize(max_datagram);
  st.last_send = st.last_tick = clock_type::now();
  self->send(self, read_atom::value);
  return {
    [=](read_atom) { loop(self, cfg, router); },
    [=](credit_atom) {
      auto& s = self->state;
      --s.in_flight;
      if (s.stopping) {
        if (s.in_flight == 0)
          self->quit();
      } else if (s.paused) {
        s.paused = false;
        loop(self, cfg, router);
      }
    },
    [=](eof_atom) {
      auto& s = self->state;
      if (s.stopping)
        return;
      // What has reached the sockets by now is still taken (a final non-blocking poll).
      poll_once(self, cfg, router, 0);
      s.stopping = true;
      send_batch(self, router);
      for (const auto& c : s.clients)
        ::close(c->fd);
      s.clients.clear();
      s.sockets.reset();
      input_end done;
      s.builder->add_counters(done.stats);
      done.stats += s.counters;
      done.sighup = true;  // the listener only stops when the daemon does: open calls get the mark
      self->send(router, eof_atom::value, std::move(done));
      if (s.in_flight == 0)
        self->quit();
    },
  };
}

}  // namespace voxmon
