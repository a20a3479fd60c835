#pragma once
// Tunnel, TCP reassembly and HEP listener keys (udp_port_vxlan, udp_port_tzsp, udp_port_l2tp,
// udp_port_gtp, udp_port_hep, l2tp_cookie_length, tcp_max_stream_kb, tcp_max_total_mb,
// tcp_max_streams, hep, hep_bind, hep_bind_port, hep_bind_udp, hep_bind_tcp, hep_max_clients,
// hep_max_message): parsing used by apply_setting, and the decoder/reassembler options they give.
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "core/packet_decoder.hpp"
#include "core/tcp_reassembler.hpp"

namespace voxmon::config {

bool is_tunnel_key(std::string_view lower_key);
// Applies a tunnel/HEP key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_tunnel_setting(settings& s, std::string_view lower_key,
                                                std::string_view value, bool& known_key);

core::decoder_limits decoder_limits_from(const settings& s);
core::tcp_limits tcp_limits_from(const settings& s);

}  // namespace voxmon::config
