#include "actors/sensor_registry.hpp"

#include <caf/io/middleman.hpp>
#include <caf/node_id.hpp>
#include <caf/send.hpp>

#include <iostream>

#include "core/sensor_auth.hpp"
#include "messages/errors.hpp"

namespace voxmon {

namespace {

using registry_ptr = sensor_registry_actor::stateful_pointer<sensor_registry_state>;
using clock_type = std::chrono::steady_clock;

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

void drop_expired(registry_ptr self) {
  const auto now = clock_type::now();
  auto& pending = self->state.pending;
  for (auto i = pending.begin(); i != pending.end();)
    i = i->second.expires < now ? pending.erase(i) : std::next(i);
}

// Takes the nonce (good once) and checks the proof; the reason when it does not hold.
std::string check_proof(registry_ptr self, const sensor_registry_config& cfg, const auth_proof& p,
                        sensor_hello* joined = nullptr) {
  drop_expired(self);
  auto i = self->state.pending.find(p.nonce);
  if (i == self->state.pending.end())
    return "unknown or expired challenge: join again";
  const sensor_hello hello = i->second.hello;
  self->state.pending.erase(i);
  if (hello.id_sensor != p.id_sensor || hello.name != p.name)
    return "the proof does not belong to this join";
  if (!core::auth_proof_matches(cfg.password, p.nonce, p.id_sensor, p.name, p.proof))
    return "wrong server_password";
  if (joined)
    *joined = hello;
  return {};
}

std::string describe(const auth_proof& p) {
  return "sensor " + std::to_string(p.id_sensor) + (p.name.empty() ? "" : " (" + p.name + ")");
}

void note_address(registry_ptr self, const sensor_registry_config& cfg, uint32_t id,
                  const caf::actor& presence) {
  if (!presence || presence.node() == self->node())
    return;
  auto& mm = self->home_system().middleman();
  self->request(mm.actor_handle(), std::chrono::seconds(5), caf::get_atom::value, presence.node())
    .then(
      [=](const caf::node_id&, const std::string& host, uint16_t port) {
        std::string where = cfg.address_of ? cfg.address_of(port) : std::string();
        if (auto i = self->state.sensors.find(id); i != self->state.sensors.end())
          i->second.info.address = where.empty() ? host : where;
      },
      [](const caf::error&) {});
}

double rate_of(sensor_registry_state::joined_sensor& s, int64_t now_ms) {
  auto& r = s.recent;
  while (!r.empty() && r.front().first < now_ms - 60'000)
    r.erase(r.begin());
  uint64_t total = 0;
  for (const auto& [at, n] : r)
    total += n;
  return static_cast<double>(total) / 60.0;
}

}  // namespace

sensor_registry_actor::behavior_type
sensor_registry(sensor_registry_actor::stateful_pointer<sensor_registry_state> self,
                sensor_registry_config cfg, cdr_ingest_actor ingest,
                mirror_ingest_local_actor mirror) {
  self->set_down_handler([=](const caf::down_msg& down) {
    for (auto& [id, s] : self->state.sensors)
      if (s.presence == down.source && s.info.up) {
        s.info.up = false;
        std::cerr << "voxmon: sensor " << id << " (" << s.info.name << ") left\n";
      }
  });
  return {
    [=](join_atom, const sensor_hello& hello) -> caf::result<std::string> {
      drop_expired(self);
      if (self->state.pending.size() >= cfg.max_pending)
        return make_failure("too many joins in progress: retry later");
      std::string nonce = core::make_auth_nonce();
      self->state.pending.emplace(nonce, sensor_registry_state::pending_join{
                                           hello, clock_type::now() + cfg.nonce_lifetime});
      return nonce;
    },
    [=](auth_atom, const auth_proof& p) -> join_result {
      join_result r;
      sensor_hello hello;
      if (auto why = check_proof(self, cfg, p, &hello); !why.empty()) {
        r.reason = why;
        std::cerr << "voxmon: refused " << describe(p) << ": " << why << '\n';
        return r;
      }
      if (p.id_sensor == 0) {
        r.reason = "id_sensor 0 is reserved: give the sensor its own id_sensor";
        return r;
      }
      auto& sensors = self->state.sensors;
      if (auto i = sensors.find(p.id_sensor); i != sensors.end() && i->second.info.up) {
        r.reason = "id_sensor " + std::to_string(p.id_sensor) + " is already connected (" +
                   i->second.info.name + "): each sensor needs its own id_sensor";
        std::cerr << "voxmon: refused " << describe(p) << ": " << r.reason << '\n';
        return r;
      }
      auto& s = sensors[p.id_sensor];
      s.info.id_sensor = p.id_sensor;
      s.info.name = p.name;
      s.info.version = hello.version;
      s.info.joined_ms = s.info.last_heard_ms = unix_ms_now();
      s.info.up = true;
      s.presence = caf::actor_cast<caf::actor_addr>(p.presence);
      if (p.presence)
        self->monitor(p.presence);
      note_address(self, cfg, p.id_sensor, p.presence);
      self->send(ingest, accept_atom::value, p.id_sensor);
      if (mirror)
        self->send(mirror, accept_atom::value, p.id_sensor);
      if (cfg.relay)
        self->send(cfg.relay, accept_atom::value, p.id_sensor, p.spool);
      std::cerr << "voxmon: " << describe(p) << " joined\n";
      r.accepted = true;
      r.ingest = ingest;
      r.mirror = mirror_ingest_actor{mirror};
      return r;
    },
    [=](status_atom, const auth_proof& p) -> caf::result<std::vector<sensor_info>> {
      if (auto why = check_proof(self, cfg, p); !why.empty())
        return make_failure("status refused: " + why);
      auto list = [=]() {
        std::vector<sensor_info> out;
        const int64_t now = unix_ms_now();
        for (auto& [id, s] : self->state.sensors) {
          s.info.cdr_rate = rate_of(s, now);
          out.push_back(s.info);
        }
        return out;
      };
      if (!mirror)
        return list();
      // Mirror senders: what their streams say (packets, drops, last frame).
      auto promise = self->make_response_promise<std::vector<sensor_info>>();
      self->request(mirror, std::chrono::seconds(2), status_atom::value)
        .then(
          [=](const std::vector<mirror_feed_status>& streams) mutable {
            for (const auto& m : streams)
              if (auto i = self->state.sensors.find(m.id_sensor); i != self->state.sensors.end()) {
                auto& info = i->second.info;
                info.mirror = true;
                info.mirror_packets = m.packets;
                info.dropped = m.lost_packets;
                info.last_heard_ms = std::max(info.last_heard_ms, m.last_frame_ms);
              }
            promise.deliver(list());
          },
          [=](caf::error&) mutable { promise.deliver(list()); });
      return promise;
    },
    [=](heard_atom, uint32_t id, uint64_t cdrs, uint64_t dropped) {
      auto i = self->state.sensors.find(id);
      if (i == self->state.sensors.end())
        return;
      const int64_t now = unix_ms_now();
      i->second.info.last_heard_ms = now;
      i->second.info.cdrs += cdrs;
      i->second.info.dropped = std::max(i->second.info.dropped, dropped);
      i->second.recent.emplace_back(now, cdrs);
    },
  };
}

}  // namespace voxmon
