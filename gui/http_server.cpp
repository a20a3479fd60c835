// Boost 1.74's asio needs <utility> before its headers under C++20.
#include <utility>

#include "gui/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace voxmon::gui {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string http_request::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name)
      return v;
  return {};
}

std::string http_request::cookie(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie")
      continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      while (!item.empty() && item.front() == ' ')
        item.remove_prefix(1);
      const size_t eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name)
        return std::string(item.substr(eq + 1));
      if (semi == std::string_view::npos)
        break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

bool url_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
        return false;
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

bool parse_query_string(std::string_view q, std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    if (!item.empty()) {
      if (out.size() >= 64)
        return false;
      const size_t eq = item.find('=');
      std::string k, v;
      if (!url_decode(item.substr(0, eq), k, true) ||
          !url_decode(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), v, true))
        return false;
      out.emplace_back(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos)
      break;
    q.remove_prefix(amp + 1);
  }
  return true;
}

struct http_server::impl {
  http_server_options opts;
  http_handler handler;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopped{false};
  uint16_t port = 0;
  std::optional<ssl::context> tls;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<net::thread_pool> workers;
  std::vector<std::thread> threads;
  void do_accept();
};

namespace {

http_response error_response(unsigned status, const std::string& message) {
  http_response r;
  r.status = status;
  r.body = "{\"error\":\"" + message + "\"}";
  return r;
}

void add_common_headers(http::fields& f, const http_response& r, bool tls) {
  f.set(http::field::server, "voxmon");
  f.set(http::field::content_type, r.content_type);
  bool has_cache = false;
  for (const auto& [k, v] : r.headers) {
    f.insert(k, v);
    has_cache |= beast::iequals(k, "Cache-Control");
  }
  if (!has_cache)
    f.set(http::field::cache_control, "no-store");
  f.set("X-Content-Type-Options", "nosniff");
  f.set("X-Frame-Options", "DENY");
  f.set("Referrer-Policy", "no-referrer");
  f.set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  if (tls)
    f.set("Strict-Transport-Security", "max-age=31536000");
}

template <class Derived>
class session_base {
 public:
  session_base(http_server::impl* srv, std::string ip) : srv_(srv), client_ip_(std::move(ip)) {}
  ~session_base() { --srv_->connections; }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_->opts.max_header_bytes));
    parser_->body_limit(srv_->opts.max_body_bytes);
    lowest().expires_after(std::chrono::seconds(srv_->opts.read_timeout_s));
    http::async_read(derived().stream(), buffer_, *parser_,
                     beast::bind_front_handler(&session_base::on_read, derived().shared_from_this()));
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(derived().stream()); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream)
      return derived().do_eof();
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
      keep_alive_ = false;
      return respond(error_response(413, "request too large"), false);
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      keep_alive_ = false;
      return respond(error_response(400, "malformed HTTP request"), false);
    }
    if (ec)
      return;  // timeout, reset: drop the connection
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    http_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.client_ip = client_ip_;
    r.tls = derived().is_tls();
    r.http10 = req.version() < 11;
    const std::string target_text(req.target());
    const std::string_view target = target_text;
    const size_t qm = target.find('?');
    if (!url_decode(target.substr(0, qm), r.path, false) ||
        !parse_query_string(qm == std::string_view::npos ? std::string_view{} : target.substr(qm + 1), r.query) ||
        r.path.empty() || r.path[0] != '/') {
      keep_alive_ = false;
      return respond(error_response(400, "malformed request target (URL)"), false);
    }
    for (const auto& f : req) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    r.body = std::move(req.body());
    auto self = derived().shared_from_this();
    net::post(*srv_->workers, [self, r = std::move(r)]() mutable {
      http_response res;
      try {
        res = self->srv_->handler(r);
      } catch (const std::exception&) {
        res = error_response(500, "internal error");
      }
      if (res.producer && r.http10) {  // no chunked encoding in HTTP/1.0: collect the body
        std::string chunk;
        try {
          bool more = true;
          while (more) {
            chunk.clear();
            more = res.producer(chunk);
            res.body += chunk;
          }
        } catch (const std::exception&) {
          res = error_response(500, "internal error");
        }
        res.producer = nullptr;
      }
      net::post(self->lowest().get_executor(),
                [self, res = std::move(res)]() mutable { self->respond(std::move(res), true); });
    });
  }

  void respond(http_response res, bool may_keep_alive) {
    const bool keep = keep_alive_ && may_keep_alive && !srv_->stopped;
    if (res.producer) {
      producer_ = std::move(res.producer);
      auto head = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(res.status), 11);
      add_common_headers(*head, res, derived().is_tls());
      head->keep_alive(keep);
      head->chunked(true);
      auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*head);
      keep_alive_ = keep;
      lowest().expires_after(std::chrono::seconds(srv_->opts.write_timeout_s));
      http::async_write_header(derived().stream(), *sr,
                               [self = derived().shared_from_this(), head, sr](beast::error_code ec, std::size_t) {
                                 if (!ec)
                                   self->next_chunk();
                               });
      return;
    }
    auto msg = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(res.status), 11);
    add_common_headers(*msg, res, derived().is_tls());
    msg->keep_alive(keep);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    lowest().expires_after(std::chrono::seconds(srv_->opts.write_timeout_s));
    http::async_write(derived().stream(), *msg,
                      [self = derived().shared_from_this(), msg, keep](beast::error_code ec, std::size_t) {
                        if (ec)
                          return;
                        if (!keep)
                          return self->derived().do_eof();
                        self->do_read();
                      });
  }

  void next_chunk() {
    auto self = derived().shared_from_this();
    net::post(*srv_->workers, [self] {
      auto chunk = std::make_shared<std::string>();
      bool more = false, failed = false;
      try {
        more = self->producer_(*chunk);
      } catch (const std::exception&) {
        failed = true;
      }
      net::post(self->lowest().get_executor(), [self, chunk, more, failed] {
        if (failed) {  // the status line is gone: end the connection without the last chunk
          self->producer_ = nullptr;
          beast::error_code ec;
          self->lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
          return;
        }
        self->write_chunk(chunk, more);
      });
    });
  }

  void write_chunk(std::shared_ptr<std::string> chunk, bool more) {
    auto self = derived().shared_from_this();
    lowest().expires_after(std::chrono::seconds(srv_->opts.write_timeout_s));
    if (chunk->empty()) {
      if (more)
        return next_chunk();
      return write_last();
    }
    net::async_write(derived().stream(), http::make_chunk(net::buffer(*chunk)),
                     [self, chunk, more](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       if (more)
                         self->next_chunk();
                       else
                         self->write_last();
                     });
  }

  void write_last() {
    auto self = derived().shared_from_this();
    net::async_write(derived().stream(), http::make_chunk_last(), [self](beast::error_code ec, std::size_t) {
      self->producer_ = nullptr;
      if (ec)
        return;
      if (!self->keep_alive_)
        return self->derived().do_eof();
      self->do_read();
    });
  }

  http_server::impl* srv_;
  std::string client_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  std::function<bool(std::string&)> producer_;
};

class plain_session : public session_base<plain_session>, public std::enable_shared_from_this<plain_session> {
 public:
  plain_session(tcp::socket&& s, http_server::impl* srv, std::string ip)
      : session_base(srv, std::move(ip)), stream_(std::move(s)) {}
  beast::tcp_stream& stream() { return stream_; }
  bool is_tls() const { return false; }
  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&plain_session::do_read, shared_from_this())); }
  void do_eof() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

 private:
  friend class session_base<plain_session>;
  beast::tcp_stream stream_;
};

class tls_session : public session_base<tls_session>, public std::enable_shared_from_this<tls_session> {
 public:
  tls_session(tcp::socket&& s, ssl::context& ctx, http_server::impl* srv, std::string ip)
      : session_base(srv, std::move(ip)), stream_(std::move(s), ctx) {}
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  bool is_tls() const { return true; }
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->lowest().expires_after(std::chrono::seconds(self->srv_->opts.read_timeout_s));
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (!ec)
          self->do_read();
      });
    });
  }
  void do_eof() {
    lowest().expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

 private:
  friend class session_base<tls_session>;
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace

void http_server::impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
    if (stopped)
      return;
    if (!ec) {
      if (connections >= opts.max_connections) {
        beast::error_code ignored;
        s.close(ignored);
      } else {
        ++connections;
        beast::error_code e2;
        const auto ep = s.remote_endpoint(e2);
        std::string ip = e2 ? std::string("?") : ep.address().to_string();
        if (ip.rfind("::ffff:", 0) == 0)
          ip = ip.substr(7);  // an IPv4 client on a dual-stack socket
        if (tls)
          std::make_shared<tls_session>(std::move(s), *tls, this, std::move(ip))->run();
        else
          std::make_shared<plain_session>(std::move(s), this, std::move(ip))->run();
      }
    }
    do_accept();
  });
}

std::unique_ptr<http_server> http_server::start(const http_server_options& o, http_handler handler,
                                                std::string& error) {
  auto i = std::make_shared<impl>();
  i->opts = o;
  i->handler = std::move(handler);
  const std::string where = "gui_bind " + o.bind + ":" + std::to_string(o.port) + ": ";
  if (!o.tls_cert.empty()) {
    try {
      i->tls.emplace(ssl::context::tls_server);
      i->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                          ssl::context::single_dh_use);
      i->tls->use_certificate_chain_file(o.tls_cert);
      i->tls->use_private_key_file(o.tls_key, ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      error = "gui_tls_cert '" + o.tls_cert + "' / gui_tls_key '" + o.tls_key + "': " + e.what();
      return nullptr;
    }
  }
  beast::error_code ec;
  const auto addr = net::ip::make_address(o.bind == "localhost" ? "127.0.0.1" : o.bind, ec);
  if (ec) {
    error = where + "not an IP address";
    return nullptr;
  }
  const tcp::endpoint ep(addr, o.port);
  i->acceptor.open(ep.protocol(), ec);
  if (!ec)
    i->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    i->acceptor.bind(ep, ec);
  if (!ec)
    i->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    error = where + ec.message();
    return nullptr;
  }
  i->port = i->acceptor.local_endpoint().port();
  i->workers.emplace(std::max<size_t>(1, o.worker_threads));
  i->do_accept();
  for (size_t n = 0; n < std::max<size_t>(1, o.io_threads); ++n)
    i->threads.emplace_back([p = i.get()] { p->ioc.run(); });
  return std::unique_ptr<http_server>(new http_server(std::move(i)));
}

http_server::~http_server() { stop(); }

uint16_t http_server::port() const { return impl_->port; }
bool http_server::tls() const { return impl_->tls.has_value(); }

void http_server::stop() {
  if (!impl_ || impl_->stopped.exchange(true))
    return;
  net::post(impl_->ioc, [p = impl_.get()] {
    beast::error_code ec;
    p->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
  impl_->workers->stop();
  impl_->workers->join();
}

}  // namespace voxmon::gui
