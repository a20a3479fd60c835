#pragma once
// The GUI's request handling: routing, sessions and CSRF, login rate limiting, and the JSON
// API (docs/GUI.md). Internal to gui/; gui_server wires it to the HTTP server.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "core/spool_lookup.hpp"
#include "gui/auth.hpp"
#include "gui/call_location.hpp"
#include "gui/gui_db.hpp"
#include "gui/gui_server.hpp"
#include "gui/http_server.hpp"
#include "gui/number_search.hpp"
#include "gui/session_store.hpp"

namespace voxmon::gui {

http_response json_response(unsigned status, const nlohmann::json& body);
http_response error_json(unsigned status, const std::string& message);

class gui_api {
 public:
  gui_api(const config::settings& s, std::shared_ptr<db_pool> pool, gui_hooks hooks);
  http_response handle(const http_request& r);
  // Loads the number index for substring searches (a store that is down: the first search
  // tries again).
  void warm_number_index();
  std::function<int64_t()> now_ms;  // UTC ms; replaceable in tests

  struct context {
    const http_request& req;
    session s;
    std::map<std::string, std::string> query;
  };

 private:
  http_response route(const http_request& r);
  http_response login(const http_request& r);
  http_response logout(context& c, const std::string& token);
  http_response me(context& c);
  http_response users_list(context& c);
  http_response users_add(context& c);
  http_response users_delete(context& c, const std::string& name);
  http_response sensors(context& c);
  // api_cdr.cpp
  http_response cdr_list(context& c);
  http_response cdr_csv(context& c);
  http_response cdr_detail(context& c, int64_t id);
  http_response cdr_ladder(context& c, int64_t id);
  http_response cdr_pcap(context& c, int64_t id);
  http_response cdr_intervals(context& c, int64_t id);  // the per-10-s quality series
  // The call's pcap files: the local spool's or, on the central node for another sensor's
  // call, copies of `sip`/`rtp` fetched from that sensor into `remote`. A response when the
  // fetch failed (503 not connected, 504 no answer, 404, 502).
  std::optional<http_response> call_files(const call_location& where, bool sip, bool rtp,
                                          core::spool_call_files& files, remote_call_files& remote);
  // api_audio.cpp: `sub` is "audio" (the stream list) or "audio/N.wav"
  http_response cdr_audio(context& c, int64_t id, const std::string& sub);
  // api_dashboard.cpp
  http_response dashboard(context& c);

  config::settings settings_;
  std::shared_ptr<db_pool> pool_;
  std::shared_ptr<number_search> numbers_;  // "contains" searches
  gui_hooks hooks_;
  session_store sessions_;
  rate_limiter limiter_;
  std::string dummy_hash_;  // verified for unknown users, so both cases take the same time
};

// The JSON of a store value; addresses (`ip` = true) as text whatever the store keeps.
nlohmann::json json_of(const db_value& v);
nlohmann::json ip_json(const db_value& v, const db_features& f);
// whohanged / cdr_dtmf.sender: "caller", "callee" or null (SQLite keeps 0/1, MySQL an ENUM).
nlohmann::json party_json(const db_value& v);

}  // namespace voxmon::gui
