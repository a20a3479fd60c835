#pragma once
// sensor_registry: the central node's front door, published on server_bind:server_bind_port.
// A sensor says hello, gets a fresh nonce, answers with its proof (core/sensor_auth); a right
// proof makes it a joined sensor: monitored (through the presence actor it sends), told to the
// ingest, and listed by `status`. A wrong proof, a stale nonce or an id already connected is
// refused with a reason and changes nothing but the log.
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/mirror_ingest.hpp"
#include "actors/pcap_relay.hpp"
#include "messages/remote_messages.hpp"

namespace voxmon {

struct sensor_registry_state {
  struct pending_join {
    sensor_hello hello;
    std::chrono::steady_clock::time_point expires;
  };
  struct joined_sensor {
    sensor_info info;
    caf::actor_addr presence;
    std::vector<std::pair<int64_t, uint64_t>> recent;  // (unix ms, CDRs) over the last minute
  };
  std::map<std::string, pending_join> pending;  // by nonce
  std::map<uint32_t, joined_sensor> sensors;
  static inline const char* name = "sensor_registry";
};

struct sensor_registry_config {
  std::string password;
  // Where a link really comes from, given the port CAF sees (links arrive through the TLS
  // tunnel, so CAF only sees loopback); empty = take what CAF sees.
  std::function<std::string(uint16_t)> address_of;
  std::chrono::seconds nonce_lifetime{30};
  size_t max_pending = 1024;  // bound on joins waiting for their proof
  pcap_relay_actor relay;     // told of every joined sensor's spool (none: nobody)
};

sensor_registry_actor::behavior_type
sensor_registry(sensor_registry_actor::stateful_pointer<sensor_registry_state> self,
                sensor_registry_config cfg, cdr_ingest_actor ingest,
                mirror_ingest_local_actor mirror);

}  // namespace voxmon
