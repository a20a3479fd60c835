#include "actors/spool_server.hpp"

namespace voxmon {

spool_server_actor::behavior_type spool_server(spool_server_actor::pointer, spool_server_config cfg) {
  const std::string who = "sensor " + std::to_string(cfg.id_sensor);
  return {
    [=](fetch_atom, const core::pcap_piece_request& r) {
      return core::read_pcap_piece(cfg.spooldir, who, r, cfg.max_bytes);
    },
  };
}

}  // namespace voxmon
