#pragma once
// hep_listener: receives HEP (Homer) from SIP servers and agents (Kamailio, OpenSIPS,
// FreeSWITCH, Asterisk, heplify): HEP v1/v2/v3 datagrams on UDP and HEP3 streams on TCP (many
// clients at once). Spawn it detached: it polls its sockets on its own thread with a short
// timeout, puts every message into a core::batch_builder (link type core::link_hep: the frame
// is the HEP message, the packet gets HEP's addresses and timestamp) and hands batches to the
// router with the capture's credit-on-release flow control. While no HEP arrives it sends the
// router `tick` (the live capture's idle tick): the last HEP time plus the wall time since it
// arrived, so calls time out without traffic. `eof` stops it: the last batch and
// `eof_atom, input_end` (with its counters) go to the router.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/batch_builder.hpp"
#include "core/hep_stream.hpp"
#include "messages/actors.hpp"

namespace voxmon {

// The listening sockets (closed with the last owner). Opened before the actor is spawned so
// that a bind error reaches the user as a message naming address:port.
struct hep_sockets {
  int udp = -1;
  int tcp = -1;
  uint16_t udp_port = 0;  // the bound ports (useful when 0 was asked for)
  uint16_t tcp_port = 0;
  hep_sockets() = default;
  hep_sockets(const hep_sockets&) = delete;
  hep_sockets& operator=(const hep_sockets&) = delete;
  ~hep_sockets();
};

// Binds `address:port` on UDP and/or TCP (non-blocking; SO_REUSEADDR on TCP only). nullptr + `error`
// ("cannot listen for HEP on TCP 0.0.0.0:9060: Address already in use") on failure.
std::shared_ptr<hep_sockets> open_hep_sockets(const std::string& address, uint16_t port, bool udp,
                                              bool tcp, std::string& error);

struct hep_listener_config {
  uint32_t id_sensor = 0;
  std::vector<std::pair<uint16_t, uint16_t>> sip_ports;
  uint32_t batch_packets = 4096;
  uint32_t max_in_flight = core::source_batches_in_flight;
  core::decoder_limits limits;
  core::tcp_limits tcp;
  size_t max_clients = 256;
  size_t max_message = 65535;
  std::chrono::milliseconds poll_timeout{20};
  std::chrono::milliseconds flush_interval{50};  // a partly filled batch waits at most this long
  std::chrono::milliseconds tick_interval{1000};  // idle: packet time moves on this often
};

struct hep_listener_state {
  struct client {
    int fd = -1;
    core::hep_stream stream;
  };
  std::shared_ptr<hep_sockets> sockets;
  std::unique_ptr<core::batch_builder> builder;
  std::vector<std::unique_ptr<client>> clients;
  std::vector<uint8_t> buffer;
  std::vector<std::span<const uint8_t>> messages;
  core::run_stats counters;  // the hep_* fields
  uint32_t in_flight = 0;
  bool paused = false;    // waiting for credit: no read_atom pending
  bool stopping = false;
  std::chrono::steady_clock::time_point last_send;
  std::chrono::steady_clock::time_point last_tick;
  // Packet time: the latest HEP timestamp and when it was received; idle ticks extrapolate.
  core::timestamp_ns last_packet_ts = 0;
  std::chrono::steady_clock::time_point last_packet_at;
  ~hep_listener_state();
  static inline const char* name = "hep_listener";
};

hep_listener_actor::behavior_type
hep_listener(hep_listener_actor::stateful_pointer<hep_listener_state> self,
             std::shared_ptr<hep_sockets> sockets, hep_listener_config cfg,
             call_router_actor router);

}  // namespace voxmon
