#pragma once
// A TLS tunnel for the links between voxmon nodes. CAF's remote actors speak BASP over plain TCP
// on loopback only; this tunnel carries those bytes between machines inside TLS (OpenSSL through
// Boost.Asio). It replaces CAF 0.17's openssl module, which loses messages when several peers
// talk at once (docs/ARCHITECTURE.md, "Links between nodes").
//
// - serve(): listens on the public address; every TLS connection that completes its handshake
//   is joined to a plain connection to 127.0.0.1:inner_port (the published CAF actor). A failed
//   handshake (not TLS, untrusted certificate, no certificate when one is required) is logged
//   through `on_refused` and closed.
// - dial(): listens on 127.0.0.1 (local_port()); every plain connection made there (by CAF's
//   remote_actor) is carried over TLS to host:port. last_error() tells why the last one failed.
// With tls_files complete (cert, key, ca) both sides authenticate each other; without them the
// server presents a throwaway self-signed certificate and the client does not check it: the
// link is encrypted, but the server is not authenticated.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace voxmon::core {

struct tls_files {
  std::string cert, key, ca;  // PEM files
  bool complete() const { return !cert.empty() && !key.empty() && !ca.empty(); }
};

class tls_tunnel {
 public:
  using log_fn = std::function<void(const std::string&)>;
  static std::unique_ptr<tls_tunnel> serve(const std::string& bind, uint16_t port,
                                           uint16_t inner_port, const tls_files& files,
                                           log_fn on_refused, std::string& error);
  static std::unique_ptr<tls_tunnel> dial(const std::string& host, uint16_t port,
                                          const tls_files& files, std::string& error);
  ~tls_tunnel();
  tls_tunnel(const tls_tunnel&) = delete;
  tls_tunnel& operator=(const tls_tunnel&) = delete;

  uint16_t local_port() const;     // serve: the public port; dial: the loopback port
  std::string last_error() const;  // dial: why the last connection failed ("" = none did)
  // serve: the remote address of the TLS connection relayed through the plain connection that
  // leaves the tunnel from `plain_port` (what the CAF side sees as the peer's port); "" if none.
  std::string peer_of(uint16_t plain_port) const;

  struct impl;

 private:
  explicit tls_tunnel(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace voxmon::core
