// Tunnel layer of the packet decoder: GRE (RFC 2784/2890, keys and sequence numbers; enhanced
// GRE of RFC 2637 carrying PPP), ERSPAN types I, II and III, transparent Ethernet bridging,
// VXLAN (RFC 7348), TZSP, GTP-U and L2TPv3 (RFC 3931/4719: Ethernet pseudowire over IP
// protocol 115 or UDP 1701, cookie of 0, 4 or 8 bytes, configured or guessed). Each hands the inner frame back to the link or IP layer,
// so tunnels nest with each other and with VLAN, MPLS and IP-in-IP; the depth is bounded by
// decoder_limits::max_tunnel_depth. An outer VLAN stays on the packet unless the inner frame
// carries its own tag.
#include "core/packet_decoder.hpp"

namespace voxmon::core {

namespace {
constexpr uint16_t gre_checksum = 0x8000;
constexpr uint16_t gre_routing = 0x4000;
constexpr uint16_t gre_key = 0x2000;
constexpr uint16_t gre_sequence = 0x1000;
constexpr uint16_t gre_ack = 0x0080;  // enhanced GRE only
constexpr uint16_t type_teb = 0x6558;        // transparent Ethernet bridging
constexpr uint16_t type_erspan_2 = 0x88be;   // ERSPAN type I (no sequence) and II
constexpr uint16_t type_erspan_3 = 0x22eb;
constexpr uint16_t type_ppp = 0x880b;
constexpr uint16_t ppp_ipv4 = 0x0021;
constexpr uint16_t ppp_ipv6 = 0x0057;
constexpr uint16_t tzsp_encap_ethernet = 1;

// True when `x` starts an Ethernet frame (optionally with up to two VLAN tags) whose IPv4 or
// IPv6 header is valid and fits in `n` bytes: used to tell an L2TPv3 cookie's length.
bool looks_like_ethernet_ip(const uint8_t* x, size_t n) {
  if (n < 14)
    return false;
  size_t off = 12;
  uint16_t type = read_be16(x + off);
  for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8) && n >= off + 6; ++tags) {
    off += 4;
    type = read_be16(x + off);
  }
  off += 2;
  const uint8_t* ip = x + off;
  const size_t left = n - off;
  if (type == 0x0800) {
    if (left < 20 || (ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
      return false;
    const size_t total = read_be16(ip + 2);
    return total >= size_t{ip[0] & 0x0fu} * 4 && total <= left;
  }
  if (type == 0x86dd)
    return left >= 40 && (ip[0] >> 4) == 6 && size_t{read_be16(ip + 4)} + 40 <= left;
  return false;
}
}  // namespace

bool packet_decoder::enter_tunnel(tunnel_kind k) {
  if (tunnel_frame_ != counters_.frames) {  // first tunnel of this frame
    tunnel_frame_ = counters_.frames;
    tunnel_depth_ = 0;
    tunnels_seen_ = 0;
  }
  if (++tunnel_depth_ > limits_.max_tunnel_depth)
    return false;
  const uint32_t bit = 1u << static_cast<unsigned>(k);
  if ((tunnels_seen_ & bit) == 0) {
    tunnels_seen_ |= bit;
    ++counters_.tunnels[static_cast<size_t>(k)];
  }
  return true;
}

decode_status packet_decoder::decode_ethernet(const uint8_t* base, size_t off, size_t end,
                                              decoded_packet& out, std::vector<uint8_t>& arena) {
  if (end < off || end - off < 14)
    return drop(drop_reason::truncated);
  return decode_ethertype(read_be16(base + off + 12), base, off + 14, end, out, arena);
}

decode_status packet_decoder::decode_gre(const uint8_t* base, size_t off, size_t end,
                                         decoded_packet& out, std::vector<uint8_t>& arena) {
  if (end - off < 4)
    return drop(drop_reason::truncated);
  const uint8_t* g = base + off;
  const uint16_t flags = read_be16(g);
  const uint16_t type = read_be16(g + 2);
  size_t header = 4;
  switch (flags & 0x7) {
    case 0:
      if (flags & gre_routing)  // RFC 1701 source routing: obsolete, not decoded
        return drop(drop_reason::not_ip);
      if (flags & gre_checksum)
        header += 4;
      if (flags & gre_key)
        header += 4;
      if (flags & gre_sequence)
        header += 4;
      break;
    case 1:  // enhanced GRE (PPTP): key holds payload length and call id
      if (type != type_ppp || (flags & gre_key) == 0)
        return drop(drop_reason::not_ip);
      header += 4;
      if (flags & gre_sequence)
        header += 4;
      if (flags & gre_ack)
        header += 4;
      break;
    default:
      return drop(drop_reason::not_ip);
  }
  if (end - off < header)
    return drop(drop_reason::truncated);
  const bool erspan = type == type_erspan_2 || type == type_erspan_3;
  if (!enter_tunnel(erspan ? tunnel_kind::erspan : tunnel_kind::gre))
    return drop(drop_reason::tunnel_depth);
  off += header;
  const uint8_t* x = base + off;
  const size_t left = end - off;
  switch (type) {
    case type_teb:
      return decode_ethernet(base, off, end, out, arena);
    case type_erspan_2:
      if (flags & gre_sequence) {  // type II: 8-byte ERSPAN header; type I has none
        if (left < 8)
          return drop(drop_reason::truncated);
        off += 8;
      }
      return decode_ethernet(base, off, end, out, arena);
    case type_erspan_3: {
      if (left < 12)
        return drop(drop_reason::truncated);
      const size_t h = (x[11] & 0x01) ? 20 : 12;  // O flag: platform-specific subheader
      if (left < h)
        return drop(drop_reason::truncated);
      return decode_ethernet(base, off + h, end, out, arena);
    }
    case type_ppp: {
      size_t at = 0;
      if (left >= 2 && x[0] == 0xff && x[1] == 0x03)  // address and control (not compressed)
        at = 2;
      if (left <= at)
        return drop(drop_reason::truncated);
      uint16_t proto;
      if (x[at] & 0x01) {  // protocol field compression: one byte
        proto = x[at];
        at += 1;
      } else {
        if (left < at + 2)
          return drop(drop_reason::truncated);
        proto = read_be16(x + at);
        at += 2;
      }
      if (proto == ppp_ipv4)
        return decode_ip(l3_kind::ipv4, base, off + at, end, out, arena);
      if (proto == ppp_ipv6)
        return decode_ip(l3_kind::ipv6, base, off + at, end, out, arena);
      return drop(drop_reason::not_ip);  // LCP, CCP, compressed data ...
    }
    default:  // IPv4, IPv6, MPLS, VLAN ... as an Ethernet type
      return decode_ethertype(type, base, off, end, out, arena);
  }
}

bool packet_decoder::decode_l2tp(const uint8_t* base, size_t off, size_t end, bool over_udp,
                                 decoded_packet& out, std::vector<uint8_t>& arena,
                                 decode_status& st) {
  size_t at = off;
  if (over_udp) {
    // T bit clear (data), version 3, reserved; then the session id as over IP
    at += 8;
    if (end - at < 8 || (base[at + 1] & 0x0f) != 3)
      return false;  // L2TPv2 or something else on the port: plain UDP
    if (base[at] & 0x80) {
      st = drop(drop_reason::not_ip);  // control message
      return true;
    }
    at += 4;
  }
  if (end - at < 4) {
    st = drop(drop_reason::truncated);
    return true;
  }
  if (read_be32(base + at) == 0) {  // session id 0: control message (over IP)
    st = drop(drop_reason::not_ip);
    return true;
  }
  at += 4;
  size_t cookie = 0;
  if (limits_.l2tp_cookie_length >= 0) {
    cookie = static_cast<size_t>(limits_.l2tp_cookie_length);
  } else {
    // Guess: the smallest of 0, 4, 8 that leaves a valid Ethernet + IP header behind it. A
    // larger one can also match, but only by reading a VLAN tag of the right frame as the end
    // of the cookie (4 bytes further, the inner type and IP header line up again), so the
    // smallest is the right one. No match: not decoded rather than misread.
    bool found = false;
    for (size_t c : {size_t{0}, size_t{4}, size_t{8}})
      if (end - at > c && looks_like_ethernet_ip(base + at + c, end - at - c)) {
        cookie = c;
        found = true;
        break;
      }
    if (!found) {
      st = drop(drop_reason::not_ip);
      return true;
    }
  }
  if (end - at < cookie) {
    st = drop(drop_reason::truncated);
    return true;
  }
  st = enter_tunnel(tunnel_kind::l2tp) ? decode_ethernet(base, at + cookie, end, out, arena)
                                       : drop(drop_reason::tunnel_depth);
  return true;
}

bool packet_decoder::decode_udp_tunnel(const uint8_t* base, size_t off, size_t end,
                                       decoded_packet& out, std::vector<uint8_t>& arena,
                                       decode_status& st) {
  const uint8_t* u = base + off;
  const uint16_t sp = read_be16(u), dp = read_be16(u + 2);
  const size_t p = off + 8;
  const uint8_t* h = base + p;
  const size_t avail = end - p;
  if (dp == limits_.vxlan_port) {
    if (avail < 8 + 14 || (h[0] & 0x08) == 0)  // I flag: the VNI is valid
      return false;
    st = enter_tunnel(tunnel_kind::vxlan) ? decode_ethernet(base, p + 8, end, out, arena)
                                          : drop(drop_reason::tunnel_depth);
    return true;
  }
  if (dp == limits_.tzsp_port) {
    // version 1, type 0 (received) or 1 (to transmit), encapsulated protocol, tagged fields
    if (avail < 5 || h[0] != 1 || h[1] > 1 || read_be16(h + 2) != tzsp_encap_ethernet)
      return false;
    size_t at = 4;
    for (;;) {
      if (at >= avail) {
        st = drop(drop_reason::truncated);
        return true;
      }
      const uint8_t tag = h[at];
      if (tag == 1) {  // end of the tagged fields
        ++at;
        break;
      }
      if (tag == 0) {  // padding
        ++at;
        continue;
      }
      if (at + 2 > avail) {
        st = drop(drop_reason::truncated);
        return true;
      }
      at += 2 + size_t{h[at + 1]};
    }
    st = enter_tunnel(tunnel_kind::tzsp) ? decode_ethernet(base, p + at, end, out, arena)
                                         : drop(drop_reason::tunnel_depth);
    return true;
  }
  if (dp == limits_.gtp_port || sp == limits_.gtp_port) {
    // GTPv1-U: version 1, protocol type GTP, message type G-PDU
    if (avail < 8 || (h[0] >> 5) != 1 || (h[0] & 0x10) == 0 || h[1] != 0xff)
      return false;
    size_t header = 8;
    if (h[0] & 0x07) {  // E, S or PN: sequence, N-PDU and next extension type are present
      header = 12;
      if (avail < header)
        return false;
      uint8_t next = h[11];
      while ((h[0] & 0x04) && next != 0) {  // extension headers, length in 4-byte units
        if (avail <= header) {
          st = drop(drop_reason::truncated);
          return true;
        }
        const size_t len = size_t{h[header]} * 4;
        if (len == 0 || avail < header + len) {
          st = drop(len == 0 ? drop_reason::bad_ip_header : drop_reason::truncated);
          return true;
        }
        next = h[header + len - 1];
        header += len;
      }
    }
    if (avail <= header)
      return false;  // echo or empty PDU: not a tunnelled packet
    st = enter_tunnel(tunnel_kind::gtp) ? decode_ip(l3_kind::guess, base, p + header, end, out, arena)
                                        : drop(drop_reason::tunnel_depth);
    return true;
  }
  return false;
}

}  // namespace voxmon::core
