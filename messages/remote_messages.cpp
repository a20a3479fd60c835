#include "messages/remote_messages.hpp"

namespace voxmon {

void add_remote_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<sensor_hello>("voxmon::sensor_hello");
  cfg.add_message_type<auth_proof>("voxmon::auth_proof");
  cfg.add_message_type<cdr_upload>("voxmon::cdr_upload");
  cfg.add_message_type<join_result>("voxmon::join_result");
  cfg.add_message_type<mirror_frame_msg>("voxmon::mirror_frame_msg");
  cfg.add_message_type<mirror_end>("voxmon::mirror_end");
  cfg.add_message_type<mirror_ack>("voxmon::mirror_ack");
  cfg.add_message_type<sensor_info>("voxmon::sensor_info");
  cfg.add_message_type<core::pcap_piece_request>("voxmon::core::pcap_piece_request");
  cfg.add_message_type<core::pcap_piece>("voxmon::core::pcap_piece");
  cfg.add_message_type<std::vector<sensor_info>>("std::vector<voxmon::sensor_info>");
  cfg.add_message_type<std::vector<std::string>>("std::vector<std::string>");
}

}  // namespace voxmon
