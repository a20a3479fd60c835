#pragma once
// SDP (RFC 4566) as far as call analysis needs it: where each media stream is received, its
// RTCP port, direction, ptime and payload type map. Fixed capacity, no allocation.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/net_types.hpp"

namespace voxmon::core {

enum class media_direction : uint8_t { sendrecv, sendonly, recvonly, inactive };

struct sdp_payload_type {
  uint8_t pt = 0;
  std::string_view encoding;   // e.g. "PCMU", "opus", "telephone-event"; empty when no rtpmap
  uint32_t clock_rate = 0;     // from rtpmap, or the static table for 0..34; 0 when unknown
};

struct sdp_media {
  std::string_view media;                // "audio", "video", "image", ...
  uint16_t port = 0;                     // 0 = stream disabled
  std::optional<ip_address> address;     // media-level c= or else the session c=
  std::optional<uint16_t> rtcp_port;     // a=rtcp:, else port+1 applies
  std::optional<ip_address> rtcp_address;
  bool rtcp_mux = false;
  media_direction direction = media_direction::sendrecv;
  uint32_t ptime_ms = 0;                 // 0 when not given
  bool srtp = false;                     // proto RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F) or a=crypto
  static constexpr size_t max_payload_types = 24;
  std::array<sdp_payload_type, max_payload_types> payload_types{};
  uint8_t payload_type_count = 0;        // formats on the m= line, in order
};

struct sdp_session {
  std::optional<ip_address> session_address;
  media_direction session_direction = media_direction::sendrecv;
  static constexpr size_t max_media = 8;
  std::array<sdp_media, max_media> media{};
  uint8_t media_count = 0;               // m= lines beyond max_media are ignored (counted)
  uint8_t media_ignored = 0;
};

// nullopt when the text is not SDP at all (no v= or no m= / c= lines parseable). Media lines
// with a bad port are skipped, not fatal.
std::optional<sdp_session> parse_sdp(std::string_view text);

// Clock rate of a static RTP payload type (RFC 3551); 0 when dynamic or unknown.
uint32_t static_payload_clock_rate(uint8_t pt);
// Encoding name of a static RTP payload type, "" when dynamic or unknown.
std::string_view static_payload_name(uint8_t pt);

}  // namespace voxmon::core
