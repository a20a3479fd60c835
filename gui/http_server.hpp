#pragma once
// The GUI's HTTP/1.1 server (Boost.Beast): its own I/O threads plus a small worker pool for
// handlers (which may wait on the database), keep-alive, optional TLS, bounded requests
// (16 KB of headers, 64 KB of body), bounded connections, and timeouts (a request must arrive
// within 30 s of the previous response or of the connection; a response write may take 60 s).
// Responses are a string body or a producer of chunks (chunked transfer encoding).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace voxmon::gui {

struct http_request {
  std::string method;                                      // "GET", "POST", ...
  std::string target;                                      // as received
  std::string path;                                        // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string client_ip;
  bool tls = false;
  bool http10 = false;
  std::string header(const std::string& lower_name) const;  // "" when absent
  std::string cookie(const std::string& name) const;        // "" when absent
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set: the body is produced in chunks; each call fills `chunk` and returns false after
  // the last one. Runs on the worker pool.
  std::function<bool(std::string& chunk)> producer;
};

using http_handler = std::function<http_response(const http_request&)>;

struct http_server_options {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;       // 0 = any free port
  std::string tls_cert, tls_key;
  size_t io_threads = 2;
  size_t worker_threads = 4;
  size_t max_connections = 256;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;
  unsigned read_timeout_s = 30;
  unsigned write_timeout_s = 60;
};

class http_server {
 public:
  // Binds and starts serving; nullptr + error when the address, port or TLS files are unusable.
  static std::unique_ptr<http_server> start(const http_server_options& o, http_handler handler,
                                            std::string& error);
  ~http_server();
  uint16_t port() const;
  bool tls() const;
  void stop();
  struct impl;

 private:
  explicit http_server(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
  std::shared_ptr<impl> impl_;
};

// "%41b+c" -> "Ab c" (with `plus_is_space`); false on a malformed escape.
bool url_decode(std::string_view in, std::string& out, bool plus_is_space);
// Splits "a=1&b=2" (decoded); false on a malformed escape or more than 64 parameters.
bool parse_query_string(std::string_view q, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace voxmon::gui
