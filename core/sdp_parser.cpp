// SDP parsing (RFC 4566) for call analysis: connection addresses, media ports, RTCP (RFC 3605,
// RFC 5761), directions, ptime and the payload type map (RFC 3551 static table).
#include "core/sdp.hpp"
#include "core/text.hpp"

namespace voxmon::core {

namespace {

using text::iequals;
using text::is_digit;
using text::trim;



// Splits off the next whitespace-separated field of `s`.
std::string_view next_field(std::string_view& s) {
  while (!s.empty() && text::is_space(s.front()))
    s.remove_prefix(1);
  size_t i = 0;
  while (i < s.size() && !text::is_space(s[i]))
    ++i;
  const std::string_view field = s.substr(0, i);
  s.remove_prefix(i);
  return field;
}

using text::parse_decimal;

// "IN IP4 addr[/ttl[/count]]" or "IN IP6 addr[/count]" (RFC 4566 5.7).
std::optional<ip_address> parse_connection(std::string_view value) {
  const std::string_view nettype = next_field(value);
  const std::string_view addrtype = next_field(value);
  std::string_view addr = next_field(value);
  if (!iequals(nettype, "IN") || (!iequals(addrtype, "IP4") && !iequals(addrtype, "IP6")))
    return std::nullopt;
  addr = addr.substr(0, addr.find('/'));
  auto ip = ip_address::parse(addr);
  if (!ip || ip->is_v6 != iequals(addrtype, "IP6"))
    return std::nullopt;
  return ip;
}

std::optional<media_direction> parse_direction(std::string_view attr) {
  if (attr == "sendrecv") return media_direction::sendrecv;
  if (attr == "sendonly") return media_direction::sendonly;
  if (attr == "recvonly") return media_direction::recvonly;
  if (attr == "inactive") return media_direction::inactive;
  return std::nullopt;
}

// "m=<media> <port>[/<count>] <proto> <fmt> ..." into `m`; false when the port is unusable.
bool parse_media_line(std::string_view value, sdp_media& m) {
  const std::string_view media = next_field(value);
  std::string_view port_field = next_field(value);
  const std::string_view proto = next_field(value);
  if (media.empty() || proto.empty())
    return false;
  if (const size_t slash = port_field.find('/'); slash != std::string_view::npos) {
    if (!parse_decimal(port_field.substr(slash + 1), 65535))
      return false;
    port_field = port_field.substr(0, slash);
  }
  const auto port = parse_decimal(port_field, 65535);
  if (!port)
    return false;
  m.media = media;
  m.port = static_cast<uint16_t>(*port);
  m.srtp = proto.find("SAVP") != std::string_view::npos;  // RFC 3711 / 5124 / 5764 profiles
  for (std::string_view fmt = next_field(value); !fmt.empty(); fmt = next_field(value)) {
    const auto pt = parse_decimal(fmt, 127);
    if (!pt)
      continue;  // non-RTP formats such as "t38" or "*"
    if (m.payload_type_count >= sdp_media::max_payload_types)
      break;  // beyond capacity: ignored
    auto& p = m.payload_types[m.payload_type_count++];
    p.pt = static_cast<uint8_t>(*pt);
    p.encoding = static_payload_name(p.pt);
    p.clock_rate = static_payload_clock_rate(p.pt);
  }
  return true;
}

// "rtpmap:<pt> <encoding>/<clock>[/<channels>]"
void apply_rtpmap(std::string_view value, sdp_media& m) {
  const auto pt = parse_decimal(next_field(value), 127);
  const std::string_view spec = next_field(value);
  if (!pt || spec.empty())
    return;
  const size_t slash = spec.find('/');
  const std::string_view name = spec.substr(0, slash);
  if (name.empty())
    return;
  std::optional<uint32_t> clock;
  if (slash != std::string_view::npos) {
    const std::string_view rest = spec.substr(slash + 1);
    clock = parse_decimal(rest.substr(0, rest.find('/')), UINT32_MAX);
  }
  for (uint8_t i = 0; i < m.payload_type_count; ++i) {
    auto& p = m.payload_types[i];
    if (p.pt != *pt)
      continue;
    p.encoding = name;
    if (clock && *clock > 0)
      p.clock_rate = *clock;
  }
}

// "rtcp:<port> [IN IP4 <addr>]" (RFC 3605)
void apply_rtcp(std::string_view value, sdp_media& m) {
  const auto port = parse_decimal(next_field(value), 65535);
  if (!port || *port == 0)
    return;
  m.rtcp_port = static_cast<uint16_t>(*port);
  if (!trim(value).empty())
    m.rtcp_address = parse_connection(value);
}

void apply_attribute(std::string_view attr, sdp_media* m, sdp_session& s) {
  const size_t colon = attr.find(':');
  const std::string_view name = attr.substr(0, colon);
  const std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : trim(attr.substr(colon + 1));
  if (const auto dir = parse_direction(name)) {
    if (m)
      m->direction = *dir;
    else
      s.session_direction = *dir;
    return;
  }
  if (!m)
    return;  // the remaining attributes only mean something at media level
  if (name == "rtpmap") {
    apply_rtpmap(value, *m);
  } else if (name == "rtcp") {
    apply_rtcp(value, *m);
  } else if (name == "rtcp-mux") {
    m->rtcp_mux = true;
  } else if (name == "crypto") {  // RFC 4568 SDES keys: the media is SRTP
    m->srtp = true;
  } else if (name == "ptime") {
    size_t digits = 0;  // "20" or "20.0"
    while (digits < value.size() && is_digit(value[digits]))
      ++digits;
    if (const auto ms = parse_decimal(value.substr(0, digits), 100000))
      m->ptime_ms = *ms;
  }
}

}  // namespace

std::optional<sdp_session> parse_sdp(std::string_view text) {
  sdp_session s;
  bool seen_version = false;
  bool in_media = false;   // after the first m= line
  sdp_media* current = nullptr;  // nullptr while in session part or inside an ignored m= block
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string_view line =
        nl == std::string_view::npos ? text.substr(pos) : text.substr(pos, nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    line = trim(line);
    if (line.size() < 2 || line[1] != '=')
      continue;
    const std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'v':
        seen_version = true;
        break;
      case 'c':
        if (auto addr = parse_connection(value)) {
          if (!in_media)
            s.session_address = addr;
          else if (current)
            current->address = addr;
        }
        break;
      case 'm': {
        in_media = true;
        current = nullptr;
        sdp_media m;
        m.direction = s.session_direction;
        if (s.media_count < sdp_session::max_media && parse_media_line(value, m)) {
          s.media[s.media_count] = m;
          current = &s.media[s.media_count++];
        } else if (s.media_ignored < UINT8_MAX) {
          ++s.media_ignored;
        }
        break;
      }
      case 'a':
        if (!in_media || current)
          apply_attribute(value, current, s);
        break;
      default:
        break;
    }
  }
  if (!seen_version || (s.media_count == 0 && !s.session_address))
    return std::nullopt;
  for (uint8_t i = 0; i < s.media_count; ++i)
    if (!s.media[i].address)
      s.media[i].address = s.session_address;
  return s;
}

uint32_t static_payload_clock_rate(uint8_t pt) {
  switch (pt) {
    case 0: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 13: case 15: case 18:
      return 8000;
    case 6: return 16000;
    case 10: case 11: return 44100;
    case 16: return 11025;
    case 17: return 22050;
    case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
      return 90000;
    default:
      return 0;
  }
}

std::string_view static_payload_name(uint8_t pt) {
  switch (pt) {
    case 0: return "PCMU";
    case 3: return "GSM";
    case 4: return "G723";
    case 5: case 6: case 16: case 17: return "DVI4";
    case 7: return "LPC";
    case 8: return "PCMA";
    case 9: return "G722";
    case 10: case 11: return "L16";
    case 12: return "QCELP";
    case 13: return "CN";
    case 14: return "MPA";
    case 15: return "G728";
    case 18: return "G729";
    case 25: return "CelB";
    case 26: return "JPEG";
    case 28: return "nv";
    case 31: return "H261";
    case 32: return "MPV";
    case 33: return "MP2T";
    case 34: return "H263";
    default: return {};
  }
}

}  // namespace voxmon::core
