#include "gui/gui_server.hpp"

#include "config/gui_settings.hpp"
#include "gui/api.hpp"
#include "gui/gui_db.hpp"
#include "gui/http_server.hpp"

namespace voxmon::gui {

gui_server::~gui_server() { stop(); }

uint16_t gui_server::port() const { return http_ ? http_->port() : 0; }
std::string gui_server::url() const { return url_; }
std::string gui_server::store() const { return store_; }

void gui_server::stop() {
  if (http_)
    http_->stop();
  if (warm_.joinable())
    warm_.join();
}

std::unique_ptr<gui_server> start_gui(const config::settings& s, gui_hooks hooks, std::string& error) {
  if (s.gui_bind.empty()) {
    error = "gui_bind is not set";
    return nullptr;
  }
  if (auto problem = config::check_gui_settings(s); !problem.empty()) {
    error = problem;
    return nullptr;
  }
  auto target = db_target_of(s, error);
  if (!target)
    return nullptr;
  db_features features;
  if (auto e = prepare_store(*target, features); !e.empty()) {
    error = "web GUI: " + e;
    return nullptr;
  }
  std::unique_ptr<gui_server> g(new gui_server());
  g->store_ = target->describe();
  if (features.dialect == sql_dialect::mysql)
    g->store_ += features.reverse_columns ? ", suffix search on caller_reverse/called_reverse"
                                          : ", suffix search without _reverse columns: it scans the time range";
  g->pool_ = std::make_shared<db_pool>(*target, features);
  g->api_ = std::make_unique<gui_api>(s, g->pool_, std::move(hooks));
  http_server_options o;
  o.bind = s.gui_bind;
  o.port = static_cast<uint16_t>(s.gui_bind_port);
  o.tls_cert = s.gui_tls_cert;
  o.tls_key = s.gui_tls_key;
  gui_api* api = g->api_.get();
  g->http_ = http_server::start(o, [api](const http_request& r) { return api->handle(r); }, error);
  if (!g->http_)
    return nullptr;
  g->warm_ = std::thread([api] { api->warm_number_index(); });
  const std::string host = s.gui_bind.find(':') != std::string::npos ? "[" + s.gui_bind + "]" : s.gui_bind;
  g->url_ = std::string(g->http_->tls() ? "https://" : "http://") + host + ":" +
            std::to_string(g->http_->port()) + "/";
  return g;
}

}  // namespace voxmon::gui
