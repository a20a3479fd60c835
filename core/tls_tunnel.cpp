#include "core/tls_tunnel.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>  // before Boost.Asio 1.74, whose awaitable.hpp uses std::exchange without it
#include <array>
#include <functional>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <map>
#include <mutex>
#include <thread>

namespace voxmon::core {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr auto handshake_limit = std::chrono::seconds(10);

// A throwaway self-signed certificate (P-256) for a server without tls_cert: encryption
// without authentication.
bool use_ephemeral_certificate(ssl::context& ctx, std::string& error) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  bool ok = key && cert;
  if (ok) {
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3650L * 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("voxmon"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    ok = X509_sign(cert, key, EVP_sha256()) > 0 &&
         SSL_CTX_use_certificate(ctx.native_handle(), cert) == 1 &&
         SSL_CTX_use_PrivateKey(ctx.native_handle(), key) == 1;
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok)
    error = "cannot make a TLS key for the link";
  return ok;
}

bool configure(ssl::context& ctx, bool server, const tls_files& files, std::string& error) {
  try {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (files.complete()) {
      ctx.use_certificate_chain_file(files.cert);
      ctx.use_private_key_file(files.key, ssl::context::pem);
      ctx.load_verify_file(files.ca);
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      return true;
    }
    if (!files.cert.empty() || !files.key.empty() || !files.ca.empty()) {
      error = "tls_cert, tls_key and tls_ca go together: give all three, or none";
      return false;
    }
    ctx.set_verify_mode(ssl::verify_none);
    return !server || use_ephemeral_certificate(ctx, error);
  } catch (const boost::system::system_error& e) {
    error = std::string("TLS files: ") + e.what();
    return false;
  }
}

// One relayed connection: a TLS side and a plain side, bytes copied both ways until either ends.
struct bridge : std::enable_shared_from_this<bridge> {
  ssl::stream<tcp::socket> secure;
  tcp::socket plain;
  asio::steady_timer deadline;
  std::array<char, 65536> to_plain{}, to_secure{};
  // Told when the TLS side fails with a TLS error (with TLS 1.3 a server that refuses our
  // certificate says so only after the client's handshake has completed).
  std::function<void(const std::string&)> on_tls_error;

  bridge(asio::io_context& io, ssl::context& ctx) : secure(io, ctx), plain(io), deadline(io) {}

  void close() {
    error_code ignored;
    deadline.cancel();
    secure.lowest_layer().close(ignored);
    plain.close(ignored);
  }
  void arm_deadline() {
    deadline.expires_after(handshake_limit);
    deadline.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec)
        self->close();  // a peer that never finishes its handshake
    });
  }
  void pump() {
    deadline.cancel();
    secure_to_plain();
    plain_to_secure();
  }
  void secure_to_plain() {
    secure.async_read_some(asio::buffer(to_plain), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) {
        if (self->on_tls_error && ec.category() == asio::error::get_ssl_category())
          self->on_tls_error("TLS refused by the other side: " + ec.message());
        return self->close();
      }
      asio::async_write(self->plain, asio::buffer(self->to_plain.data(), n),
                        [self](const error_code& ec2, size_t) {
                          if (ec2)
                            return self->close();
                          self->secure_to_plain();
                        });
    });
  }
  void plain_to_secure() {
    plain.async_read_some(asio::buffer(to_secure), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec)
        return self->close();
      asio::async_write(self->secure, asio::buffer(self->to_secure.data(), n),
                        [self](const error_code& ec2, size_t) {
                          if (ec2)
                            return self->close();
                          self->plain_to_secure();
                        });
    });
  }
};

std::string describe(const error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category())
    return "TLS handshake failed: " + ec.message();
  if (ec == asio::error::eof || ec == asio::error::connection_reset)
    return "TLS handshake failed: the other side closed the connection";
  if (ec == asio::error::operation_aborted)
    return "TLS handshake failed: no answer within " + std::to_string(handshake_limit.count()) + " s";
  return "TLS handshake failed: " + ec.message();
}

}  // namespace

struct tls_tunnel::impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls};
  tcp::acceptor acceptor{io};
  std::thread thread;
  bool server = false;
  std::string host;
  uint16_t port = 0;
  uint16_t inner_port = 0;
  log_fn on_refused;
  mutable std::mutex mutex;
  std::string last_error;
  std::map<uint16_t, std::string> peers;  // serve: plain-side local port -> TLS peer address

  ~impl() {
    io.stop();
    if (thread.joinable())
      thread.join();
  }
  void failed(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex);
    last_error = text;
  }
  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec)
        server ? serve_one(std::move(socket)) : dial_one(std::move(socket));
      accept();
    });
  }
  void serve_one(tcp::socket socket) {
    auto b = std::make_shared<bridge>(io, ctx);
    error_code ignored;
    const auto from = socket.remote_endpoint(ignored);
    b->secure.next_layer() = std::move(socket);
    b->arm_deadline();
    b->secure.async_handshake(ssl::stream_base::server, [this, b, from](const error_code& ec) {
      if (ec) {
        if (on_refused)
          on_refused("refused a connection from " + from.address().to_string() + ": " + describe(ec));
        return b->close();
      }
      b->plain.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), inner_port),
                             [this, b, from](const error_code& ec2) {
                               if (ec2)
                                 return b->close();
                               error_code ignored2;
                               const uint16_t local = b->plain.local_endpoint(ignored2).port();
                               {
                                 std::lock_guard<std::mutex> lock(mutex);
                                 if (peers.size() > 4096)
                                   peers.clear();  // bound: an address is only looked up at join
                                 peers[local] = from.address().to_string();
                               }
                               b->pump();
                             });
    });
  }
  void dial_one(tcp::socket socket) {
    auto b = std::make_shared<bridge>(io, ctx);
    b->plain = std::move(socket);
    b->arm_deadline();
    tcp::resolver resolver(io);
    error_code ec;
    auto targets = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
      failed("cannot resolve " + host + ": " + ec.message());
      return b->close();
    }
    asio::async_connect(b->secure.next_layer(), targets, [this, b](const error_code& ec2, const tcp::endpoint&) {
      if (ec2) {
        failed("cannot connect: " + ec2.message());
        return b->close();
      }
      b->secure.async_handshake(ssl::stream_base::client, [this, b](const error_code& ec3) {
        if (ec3) {
          failed(describe(ec3));
          return b->close();
        }
        failed("");
        b->on_tls_error = [this](const std::string& text) { failed(text); };
        b->pump();
      });
    });
  }
  bool listen(const tcp::endpoint& where, std::string& error) {
    error_code ec;
    acceptor.open(where.protocol(), ec);
    if (!ec)
      acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
      acceptor.bind(where, ec);
    if (!ec)
      acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error = ec.message();
      return false;
    }
    accept();
    thread = std::thread([this] { io.run(); });
    return true;
  }
};

tls_tunnel::tls_tunnel(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tls_tunnel::~tls_tunnel() = default;

std::unique_ptr<tls_tunnel> tls_tunnel::serve(const std::string& bind, uint16_t port,
                                              uint16_t inner_port, const tls_files& files,
                                              log_fn on_refused, std::string& error) {
  auto p = std::make_unique<impl>();
  p->server = true;
  p->inner_port = inner_port;
  p->on_refused = std::move(on_refused);
  if (!configure(p->ctx, true, files, error))
    return nullptr;
  error_code ec;
  const auto address = asio::ip::make_address(bind.empty() || bind == "*" ? "0.0.0.0" : bind, ec);
  if (ec) {
    error = "server_bind '" + bind + "' is not an IP address";
    return nullptr;
  }
  if (!p->listen(tcp::endpoint(address, port), error))
    return nullptr;
  return std::unique_ptr<tls_tunnel>(new tls_tunnel(std::move(p)));
}

std::unique_ptr<tls_tunnel> tls_tunnel::dial(const std::string& host, uint16_t port,
                                             const tls_files& files, std::string& error) {
  auto p = std::make_unique<impl>();
  p->host = host;
  p->port = port;
  if (!configure(p->ctx, false, files, error))
    return nullptr;
  if (!p->listen(tcp::endpoint(asio::ip::address_v4::loopback(), 0), error))
    return nullptr;
  return std::unique_ptr<tls_tunnel>(new tls_tunnel(std::move(p)));
}

std::string tls_tunnel::peer_of(uint16_t plain_port) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto i = impl_->peers.find(plain_port);
  return i == impl_->peers.end() ? std::string() : i->second;
}

uint16_t tls_tunnel::local_port() const { return impl_->acceptor.local_endpoint().port(); }

std::string tls_tunnel::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->last_error;
}

}  // namespace voxmon::core
