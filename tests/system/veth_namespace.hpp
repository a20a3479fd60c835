#pragma once
// A network namespace with a veth pair for the live capture tests: voxmon (or a mirror sender)
// captures on one end (vb), voxmon-replay sends onto the other (va). Root only: without it
// live_unavailable() says why and the tests pass nothing else. Every namespace is named after
// the test process and removed, also after a crash of an earlier run (stale names whose
// process is gone).
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/system/process.hpp"

namespace voxmon::test {

inline std::string ip_binary() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0)
      return p;
  return {};
}

inline int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// Why live tests cannot run here ("" = they can).
inline std::string live_unavailable() {
  if (::geteuid() != 0)
    return "not root: live capture tests need root (network namespaces, CAP_NET_RAW)";
  if (ip_binary().empty())
    return "no `ip` command (iproute2)";
  return {};
}

// Removes namespaces left by earlier runs whose process is gone.
inline void remove_stale_namespaces() {
  auto r = run(ip_binary(), {"netns", "list"});
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.rfind("vxlive", 0) != 0)
      continue;
    const pid_t pid = static_cast<pid_t>(std::atol(name.substr(6, name.find('_') - 6).c_str()));
    if (pid > 0 && ::kill(pid, 0) != 0)
      sh(ip_binary() + " netns del " + name);
  }
}

// A namespace with veth va <-> vb (MTU 9000: generated SIP may exceed 1500 bytes), lo up, IPv6
// off (no router solicitations: only the replayed frames cross the link).
class veth_namespace {
 public:
  veth_namespace() {
    static int counter = 0;
    remove_stale_namespaces();
    name_ = "vxlive" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const std::string ip = ip_binary();
    ok_ = sh(ip + " netns add " + name_) == 0;
    ok_ = ok_ && sh(ip + " netns exec " + name_ +
                    " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1") == 0;
    ok_ = ok_ && sh(ip + " -n " + name_ + " link add va mtu 9000 type veth peer name vb mtu 9000") == 0;
    ok_ = ok_ && sh(ip + " -n " + name_ + " link set va up") == 0;
    ok_ = ok_ && sh(ip + " -n " + name_ + " link set vb up") == 0;
    ok_ = ok_ && sh(ip + " -n " + name_ + " link set lo up") == 0;
  }
  ~veth_namespace() { sh(ip_binary() + " netns del " + name_); }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  // The argument list of `ip netns exec NAME binary args...`.
  std::vector<std::string> exec_args(const std::string& binary, const std::vector<std::string>& args) const {
    std::vector<std::string> v{"netns", "exec", name_, binary};
    v.insert(v.end(), args.begin(), args.end());
    return v;
  }
  process_result replay(const std::filesystem::path& pcap, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"-i", "va"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(pcap.string());
    return run(ip_binary(), exec_args(VOXMON_REPLAY_BIN, args));
  }
  // GET /metrics from 127.0.0.1:port inside the namespace (a thread that joins it).
  std::string http_get(uint16_t port) const {
    std::string body;
    std::thread t([&] {
      const int nsfd = ::open(("/run/netns/" + name_).c_str(), O_RDONLY);
      if (nsfd < 0 || ::setns(nsfd, CLONE_NEWNET) != 0)
        return;
      ::close(nsfd);
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string req = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
        if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
          char buf[8192];
          ssize_t n;
          while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
            body.append(buf, static_cast<size_t>(n));
        }
      }
      ::close(fd);
    });
    t.join();
    return body;
  }

 private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace voxmon::test
