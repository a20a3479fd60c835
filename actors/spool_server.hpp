#pragma once
// spool_server: a CDR sensor's spool as its central node reaches it. The sensor hands its
// handle to the registry when it joins (auth_proof::spool); the central node's pcap_relay asks
// it for one piece of a call's SIP or RTP files at a time (core::read_pcap_piece: at most
// 1 MiB per piece, a part of more than `max_bytes` refused). Spawn it detached: it reads files.
#include <cstdint>
#include <string>

#include <caf/typed_event_based_actor.hpp>

#include "messages/remote_messages.hpp"

namespace voxmon {

struct spool_server_config {
  std::string spooldir;
  uint32_t id_sensor = 0;
  uint64_t max_bytes = core::remote_pcap_default_max_bytes;  // remote_pcap_max_mb
};

spool_server_actor::behavior_type spool_server(spool_server_actor::pointer self, spool_server_config cfg);

}  // namespace voxmon
