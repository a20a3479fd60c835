#include "core/rtp.hpp"

#include "core/net_types.hpp"

namespace voxmon::core {

namespace {
constexpr size_t rtp_fixed_header = 12;
constexpr size_t rtcp_header = 4;
constexpr size_t report_block = 24;
constexpr uint8_t rtcp_sr = 200, rtcp_rr = 201, rtcp_sdes = 202, rtcp_bye = 203;

uint8_t version_of(uint8_t first_byte) { return first_byte >> 6; }
}  // namespace

std::optional<rtp_header> parse_rtp(std::span<const uint8_t> data) {
  if (data.size() < rtp_fixed_header || version_of(data[0]) != 2)
    return std::nullopt;
  const uint8_t* p = data.data();
  rtp_header h;
  h.padding = (p[0] & 0x20) != 0;
  h.extension = (p[0] & 0x10) != 0;
  h.csrc_count = p[0] & 0x0F;
  h.marker = (p[1] & 0x80) != 0;
  h.payload_type = p[1] & 0x7F;
  h.sequence = read_be16(p + 2);
  h.timestamp = read_be32(p + 4);
  h.ssrc = read_be32(p + 8);

  size_t offset = rtp_fixed_header + size_t{h.csrc_count} * 4;
  if (offset > data.size())
    return std::nullopt;
  if (h.extension) {
    if (data.size() - offset < 4)
      return std::nullopt;
    const size_t words = read_be16(p + offset + 2);
    offset += 4;
    if ((data.size() - offset) / 4 < words)
      return std::nullopt;
    offset += words * 4;
  }
  size_t end = data.size();
  if (h.padding) {
    // The last octet counts the padding, itself included (RFC 3550 5.1): it must be at least 1
    // and may not reach into the header (A.1 validity check).
    const size_t pad = p[data.size() - 1];
    if (pad == 0 || pad > end - offset)
      return std::nullopt;
    end -= pad;
  }
  h.payload_offset = static_cast<uint32_t>(offset);
  h.payload_length = static_cast<uint32_t>(end - offset);
  return h;
}

bool looks_like_rtcp(std::span<const uint8_t> data) {
  if (data.size() < 8 || version_of(data[0]) != 2)
    return false;
  const uint8_t type = data[1];
  if (type < 192 || type > 207)
    return false;
  // The first packet of the compound must fit in the datagram.
  const size_t length = (size_t{read_be16(data.data() + 2)} + 1) * 4;
  return length <= data.size();
}

// Walks an RTCP compound packet. Every packet must be version 2 and fit inside the datagram
// (else nullopt: truncated or not RTCP). Bytes after a complete packet that do not start with
// version 2 end the walk and are ignored (a trailer, e.g. fewer than 4 bytes or an SRTCP index
// with the E flag clear).
std::optional<rtcp_summary> parse_rtcp(std::span<const uint8_t> data) {
  if (!looks_like_rtcp(data))
    return std::nullopt;
  rtcp_summary s;
  size_t offset = 0;
  unsigned blocks = 0;
  bool first = true;
  while (data.size() - offset >= rtcp_header) {
    const uint8_t* p = data.data() + offset;
    if (version_of(p[0]) != 2) {
      if (first)
        return std::nullopt;
      break;
    }
    const uint8_t count = p[0] & 0x1F;
    const uint8_t type = p[1];
    const size_t length = (size_t{read_be16(p + 2)} + 1) * 4;
    if (length > data.size() - offset)
      return std::nullopt;
    if (first) {
      if (length < 8)
        return std::nullopt;  // no room for the sender's SSRC
      s.sender_ssrc = read_be32(p + 4);
    }
    switch (type) {
      case rtcp_sr:
        if (length < 28 + size_t{count} * report_block)
          return std::nullopt;
        s.packet_types |= 0x01;
        blocks += count;
        break;
      case rtcp_rr:
        if (length < 8 + size_t{count} * report_block)
          return std::nullopt;
        s.packet_types |= 0x02;
        blocks += count;
        break;
      case rtcp_sdes:
        s.packet_types |= 0x04;
        break;
      case rtcp_bye:
        s.packet_types |= 0x08;
        break;
      default:
        s.packet_types |= 0x10;
        break;
    }
    offset += length;
    first = false;
  }
  s.report_blocks = static_cast<uint8_t>(blocks > 255 ? 255 : blocks);
  return s;
}

}  // namespace voxmon::core
