// Routing, login/logout, sessions and CSRF, users, sensors, static assets.
#include "gui/api.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cmath>

#include "core/log.hpp"
#include "gui/assets.hpp"
#include "gui/password.hpp"
#include "gui/user_store.hpp"

namespace voxmon::gui {

using nlohmann::json;

namespace {

constexpr const char* cookie_name = "voxmon_session";

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string session_cookie(const std::string& token, int64_t max_age_s, bool tls) {
  return std::string(cookie_name) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s) + (tls ? "; Secure" : "");
}

// Digits only, 1..18 of them.
std::optional<int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18)
    return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

json session_json(const session& s) {
  return {{"name", s.user}, {"role", to_string(s.role)}, {"csrf_token", s.csrf}, {"expires", s.expires_ms}};
}

http_response static_asset(const std::string& path) {
  const auto* a = find_asset(path == "/" ? "/index.html" : path);
  if (!a)
    return error_json(404, "no such page: " + path.substr(0, 100));
  http_response r;
  r.content_type = a->content_type;
  r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace

http_response json_response(unsigned status, const json& body) {
  http_response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

http_response error_json(unsigned status, const std::string& message) {
  return json_response(status, json{{"error", message}});
}

json json_of(const db_value& v) {
  switch (v.k) {
    case db_value::kind::null: return nullptr;
    case db_value::kind::integer: return v.i;
    case db_value::kind::real: return std::round(v.d * 1000) / 1000;
    case db_value::kind::text: return v.s;
  }
  return nullptr;
}

json ip_json(const db_value& v, const db_features& f) {
  if (v.is_null())
    return nullptr;
  if (f.dialect == sql_dialect::sqlite)
    return v.as_text();
  char text[INET6_ADDRSTRLEN] = "";
  if (f.ip_binary && v.k == db_value::kind::text) {
    if (v.s.size() == 4)
      ::inet_ntop(AF_INET, v.s.data(), text, sizeof text);
    else if (v.s.size() == 16)
      ::inet_ntop(AF_INET6, v.s.data(), text, sizeof text);
    else
      return nullptr;
    return std::string(text);
  }
  const auto n = v.as_int();
  if (!n)
    return nullptr;
  const uint32_t be = htonl(static_cast<uint32_t>(*n));
  ::inet_ntop(AF_INET, &be, text, sizeof text);
  return std::string(text);
}

json party_json(const db_value& v) {
  if (v.is_null())
    return nullptr;
  if (v.k == db_value::kind::text)
    return v.s;
  return v.as_int().value_or(0) == 0 ? "caller" : "callee";
}

gui_api::gui_api(const config::settings& s, std::shared_ptr<db_pool> pool, gui_hooks hooks)
    : now_ms(system_now_ms),
      settings_(s),
      pool_(std::move(pool)),
      numbers_(std::make_shared<number_search>(number_search::options{s.gui_number_index_calls})),
      hooks_(std::move(hooks)),
      sessions_(int64_t{s.gui_session_hours} * 3600 * 1000),
      dummy_hash_(hash_password(random_bytes(16))) {}

void gui_api::warm_number_index() {
  try {
    with_db(*pool_, [&](gui_db& db) { numbers_->warm(db); });
  } catch (const std::exception&) {  // the store is down: the first search loads it
  }
}

http_response gui_api::handle(const http_request& r) {
  try {
    return route(r);
  } catch (const db_failure& e) {
    core::log::warn("gui: " + r.method + " " + r.path + ": " + e.what());
    return error_json(503, std::string("the CDR store is not available: ") + e.what());
  } catch (const std::exception& e) {
    core::log::warn("gui: " + r.method + " " + r.path + ": " + e.what());
    return error_json(500, "internal error");
  }
}

http_response gui_api::route(const http_request& r) {
  const std::string& p = r.path;
  if (p.rfind("/api/", 0) != 0) {
    if (r.method != "GET")
      return error_json(405, "method not allowed");
    return static_asset(p);
  }
  if (r.method != "GET" && r.method != "POST" && r.method != "DELETE")
    return error_json(405, "method not allowed");
  // A body we read must be JSON (a cross-site form cannot send that without CORS).
  if (r.method == "POST" && !r.body.empty() &&
      r.header("content-type").rfind("application/json", 0) != 0)
    return error_json(415, "send the request body as application/json");
  if (r.method != "GET") {
    // Browsers send Origin on cross-site POST/DELETE: it must be this server.
    const std::string origin = r.header("origin");
    if (!origin.empty() && origin != (r.tls ? "https://" : "http://") + r.header("host"))
      return error_json(403, "cross-origin request refused");
  }
  if (p == "/api/login") {
    if (r.method != "POST")
      return error_json(405, "use POST /api/login");
    return login(r);
  }
  // Everything else needs a session.
  const std::string token = r.cookie(cookie_name);
  std::optional<session> s;
  std::optional<user_record> user;
  with_db(*pool_, [&](gui_db& db) {
    s = sessions_.find(db, token, now_ms());
    if (s && !(user = find_user(db, s->user)))
      sessions_.erase(db, token);
    return 0;
  });
  if (!s)
    return error_json(401, "not logged in (or the session expired): log in again");
  if (!user)
    return error_json(401, "user '" + s->user + "' no longer exists");
  s->role = user->role;  // a role changed from the command line applies at once
  if (r.method != "GET" && !csrf_matches(*s, r.header("x-csrf-token")))
    return error_json(403, "missing or wrong CSRF token (header X-CSRF-Token, from /api/me)");
  context c{r, *s, {}};
  for (const auto& [k, v] : r.query) {
    if (!c.query.emplace(k, v).second)
      return error_json(400, "parameter '" + k.substr(0, 64) + "' given twice");
  }
  auto get_only = [&](auto fn) { return r.method == "GET" ? fn() : error_json(405, "use GET " + p); };
  if (p == "/api/logout")
    return r.method == "POST" ? logout(c, token) : error_json(405, "use POST /api/logout");
  if (p == "/api/me")
    return get_only([&] { return me(c); });
  if (p == "/api/cdrs")
    return get_only([&] { return cdr_list(c); });
  if (p == "/api/cdrs.csv")
    return get_only([&] { return cdr_csv(c); });
  if (p == "/api/dashboard")
    return get_only([&] { return dashboard(c); });
  if (p == "/api/sensors")
    return get_only([&] { return sensors(c); });
  if (p.rfind("/api/cdr/", 0) == 0) {
    std::string rest = p.substr(9);
    std::string sub;
    if (const size_t slash = rest.find('/'); slash != std::string::npos) {
      sub = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    const auto id = parse_id(rest);
    if (!id)
      return error_json(400, "a call id is a number, got '" + rest.substr(0, 40) + "'");
    if (sub.empty())
      return get_only([&] { return cdr_detail(c, *id); });
    if (sub == "ladder")
      return get_only([&] { return cdr_ladder(c, *id); });
    if (sub == "pcap")
      return get_only([&] { return cdr_pcap(c, *id); });
    if (sub == "intervals")
      return get_only([&] { return cdr_intervals(c, *id); });
    if (sub == "audio" || sub.rfind("audio/", 0) == 0)
      return get_only([&] { return cdr_audio(c, *id, sub); });
    return error_json(404, "no such API endpoint: " + p.substr(0, 100));
  }
  if (p == "/api/users" || p.rfind("/api/users/", 0) == 0) {
    if (s->role != user_role::admin)
      return error_json(403, "this needs the admin role");
    if (p == "/api/users") {
      if (r.method == "GET")
        return users_list(c);
      if (r.method == "POST")
        return users_add(c);
      return error_json(405, "use GET or POST /api/users");
    }
    if (r.method != "DELETE")
      return error_json(405, "use DELETE /api/users/NAME");
    return users_delete(c, p.substr(11));
  }
  return error_json(404, "no such API endpoint: " + p.substr(0, 100));
}

http_response gui_api::login(const http_request& r) {
  const json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("name") || !body.contains("password") ||
      !body["name"].is_string() || !body["password"].is_string())
    return error_json(400, "send {\"name\": \"...\", \"password\": \"...\"}");
  const std::string name = body["name"].get<std::string>();
  const std::string password = body["password"].get<std::string>();
  const int64_t now = now_ms();
  const std::string ip_key = "ip:" + r.client_ip;
  const std::string user_key = "user:" + name.substr(0, 64);
  std::optional<int64_t> wait = limiter_.blocked_for(ip_key, now);
  if (auto w = limiter_.blocked_for(user_key, now); w && (!wait || *w > *wait))
    wait = w;
  if (wait) {
    const int64_t secs = (*wait + 999) / 1000;
    auto res = error_json(429, "too many failed logins for this user name or from this address: try again in " +
                                   std::to_string(secs) + " s");
    res.headers.emplace_back("Retry-After", std::to_string(secs));
    return res;
  }
  std::optional<user_record> user;
  if (valid_user_name(name) && password.size() <= max_password_bytes)
    user = with_db(*pool_, [&](gui_db& db) { return find_user(db, name); });
  const bool ok = user ? verify_password(password, user->password_hash)
                       : (verify_password(password, dummy_hash_), false);
  if (!ok) {
    limiter_.record_failure(ip_key, now);
    limiter_.record_failure(user_key, now);
    core::log::info("gui: failed login for '" + name.substr(0, 64) + "' from " + r.client_ip);
    return error_json(401, "wrong user name or password");
  }
  limiter_.clear(user_key);
  session s;
  const std::string token =
      with_db(*pool_, [&](gui_db& db) { return sessions_.create(db, user->name, user->role, now, &s); });
  auto res = json_response(200, session_json(s));
  res.headers.emplace_back("Set-Cookie", session_cookie(token, int64_t{settings_.gui_session_hours} * 3600, r.tls));
  return res;
}

http_response gui_api::logout(context& c, const std::string& token) {
  with_db(*pool_, [&](gui_db& db) { sessions_.erase(db, token); return 0; });
  auto res = json_response(200, json{{"logged_out", c.s.user}});
  res.headers.emplace_back("Set-Cookie", session_cookie("", 0, c.req.tls));
  return res;
}

http_response gui_api::me(context& c) { return json_response(200, session_json(c.s)); }

http_response gui_api::users_list(context&) {
  auto users = with_db(*pool_, [&](gui_db& db) { return list_users(db); });
  json out = json::array();
  for (const auto& u : users)
    out.push_back({{"name", u.name}, {"role", to_string(u.role)}, {"created", u.created}});
  return json_response(200, json{{"users", out}});
}

http_response gui_api::users_add(context& c) {
  const json body = json::parse(c.req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return error_json(400, "send {\"name\": ..., \"role\": \"admin\"|\"viewer\", \"password\": ...}");
  auto str = [&](const char* k) {
    return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
  };
  const std::string name = str("name"), password = str("password");
  const auto role = parse_role(str("role"));
  if (!valid_user_name(name))
    return error_json(400, "a user name is 1 to 64 characters among A-Z a-z 0-9 . _ @ -");
  if (!role)
    return error_json(400, "role must be admin or viewer");
  if (auto problem = password_problem(password))
    return error_json(400, *problem);
  const std::string hash = hash_password(password);
  const bool added = with_db(*pool_, [&](gui_db& db) { return add_user(db, name, *role, hash, now_ms()); });
  if (!added)
    return error_json(409, "user '" + name + "' already exists");
  core::log::info("gui: user '" + name + "' (" + to_string(*role) + ") added by '" + c.s.user + "'");
  return json_response(201, json{{"name", name}, {"role", to_string(*role)}});
}

http_response gui_api::users_delete(context& c, const std::string& name) {
  if (!valid_user_name(name))
    return error_json(400, "not a user name: '" + name.substr(0, 64) + "'");
  return with_db(*pool_, [&](gui_db& db) {
    auto user = find_user(db, name);
    if (!user)
      return error_json(404, "no user '" + name + "'");
    if (user->role == user_role::admin && count_admins(db) <= 1)
      return error_json(409, "'" + name + "' is the last admin: add another admin first");
    delete_user(db, name);
    sessions_.erase_user(db, name);
    core::log::info("gui: user '" + name + "' deleted by '" + c.s.user + "'");
    return json_response(200, json{{"deleted", name}});
  });
}

http_response gui_api::sensors(context&) {
  if (!hooks_.sensors)
    return json_response(200, json{{"sensors", json::array()},
                                   {"registry", false},
                                   {"note", "this voxmon process has no sensor registry (standalone GUI); "
                                            "run the GUI in the central node to see its sensors"}});
  json out = json::array();
  for (const auto& s : hooks_.sensors())
    out.push_back({{"id", s.id}, {"name", s.name}, {"address", s.address}, {"version", s.version},
                   {"up", s.up}, {"joined_ms", s.joined_ms}, {"last_heard_ms", s.last_heard_ms},
                   {"cdrs", s.cdrs}, {"cdr_rate", s.cdr_rate}});
  return json_response(200, json{{"sensors", out}, {"registry", true}});
}

}  // namespace voxmon::gui
