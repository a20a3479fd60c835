#pragma once
// RTP and RTCP header parsing (RFC 3550).
#include <cstdint>
#include <optional>
#include <span>

namespace voxmon::core {

struct rtp_header {
  uint8_t payload_type = 0;
  bool marker = false;
  bool padding = false;
  bool extension = false;
  uint8_t csrc_count = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  uint32_t payload_offset = 0;  // first byte after header, CSRCs and extension
  uint32_t payload_length = 0;  // without padding
};

// nullopt unless version is 2 and every announced header part fits in `data`.
std::optional<rtp_header> parse_rtp(std::span<const uint8_t> data);

// True for an RTCP compound packet start: version 2, packet type 192..207 (what RFC 5761
// uses to tell RTCP from RTP on a muxed port).
bool looks_like_rtcp(std::span<const uint8_t> data);

struct rtcp_summary {
  uint32_t sender_ssrc = 0;
  uint8_t packet_types = 0;    // bit 0 SR, bit 1 RR, bit 2 SDES, bit 3 BYE, bit 4 APP/other
  uint8_t report_blocks = 0;
};
std::optional<rtcp_summary> parse_rtcp(std::span<const uint8_t> data);

}  // namespace voxmon::core
