// IP layer of the packet decoder: IPv4/IPv6 headers, IPv6 extension headers, IP-in-IP,
// fragment reassembly hand-off, and UDP/TCP/SCTP ports.
#include <algorithm>

#include "core/fragment_reassembler.hpp"
#include "core/packet_decoder.hpp"

namespace voxmon::core {

namespace {
constexpr uint8_t proto_hopopt = 0;
constexpr uint8_t proto_ipip = 4;
constexpr uint8_t proto_tcp = 6;
constexpr uint8_t proto_udp = 17;
constexpr uint8_t proto_ipv6 = 41;
constexpr uint8_t proto_routing = 43;
constexpr uint8_t proto_fragment = 44;
constexpr uint8_t proto_gre = 47;
constexpr uint8_t proto_l2tp = 115;  // L2TPv3 over IP
constexpr uint8_t proto_esp = 50;
constexpr uint8_t proto_ah = 51;
constexpr uint8_t proto_none = 59;
constexpr uint8_t proto_dstopts = 60;
constexpr uint8_t proto_sctp = 132;
constexpr uint8_t proto_mobility = 135;
constexpr uint8_t proto_hip = 139;
constexpr uint8_t proto_shim6 = 140;

// In place (out's addresses start zeroed), no temporary: this runs twice per packet.
inline void set_v4(ip_address& a, const uint8_t* p) {
  std::memcpy(a.bytes.data(), p, 4);
  if (a.is_v6) {  // an outer IPv6 header of a tunnel wrote here before
    std::memset(a.bytes.data() + 4, 0, 12);
    a.is_v6 = false;
  }
}
inline void set_v6(ip_address& a, const uint8_t* p) {
  std::memcpy(a.bytes.data(), p, 16);
  a.is_v6 = true;
}
}  // namespace

decode_status packet_decoder::decode_ip(l3_kind kind, const uint8_t* base, size_t off,
                                        size_t end, decoded_packet& out,
                                        std::vector<uint8_t>& arena) {
  cursor c{base, off, end};
  int depth = 0;
  for (;;) {  // one round per IP header; IP-in-IP loops, bounded by max_tunnel_depth
    const uint8_t* h = c.base + c.off;
    const size_t avail = c.end - c.off;
    if (avail == 0)
      return drop(drop_reason::truncated);
    if (kind == l3_kind::guess) {
      const unsigned version = h[0] >> 4;
      if (version != 4 && version != 6)
        return drop(drop_reason::bad_ip_header);
      kind = version == 4 ? l3_kind::ipv4 : l3_kind::ipv6;
    }

    uint8_t proto;
    if (kind == l3_kind::ipv4) {
      if (avail < 20)
        return drop(drop_reason::truncated);
      const size_t ihl = size_t{h[0] & 0x0fu} * 4;
      if ((h[0] >> 4) != 4 || ihl < 20)
        return drop(drop_reason::bad_ip_header);
      size_t total = read_be16(h + 2);
      if (total == 0)  // segmentation offload on the capturing host: trust the capture
        total = avail;
      if (total < ihl)
        return drop(drop_reason::bad_ip_header);
      if (total > avail)
        return drop(drop_reason::truncated);
      set_v4(out.src.addr, h + 12);
      set_v4(out.dst.addr, h + 16);
      proto = h[9];
      const uint16_t frag = read_be16(h + 6);
      c.end = c.off + total;  // trims Ethernet padding
      c.off += ihl;
      if ((frag & 0x3fff) != 0) {  // MF set or offset non-zero
        fragment_key key{out.src.addr, out.dst.addr, read_be16(h + 4), proto};
        const auto st = reassemble(key, uint32_t{frag & 0x1fffu} * 8, (frag & 0x2000) != 0, c,
                                   out, arena);
        if (st != decode_status::packet)
          return st;
      }
    } else {
      if (avail < 40)
        return drop(drop_reason::truncated);
      if ((h[0] >> 4) != 6)
        return drop(drop_reason::bad_ip_header);
      size_t total = 40 + size_t{read_be16(h + 4)};
      if (total == 40)  // jumbogram or offload: trust the capture
        total = avail;
      if (total > avail)
        return drop(drop_reason::truncated);
      set_v6(out.src.addr, h + 8);
      set_v6(out.dst.addr, h + 24);
      proto = h[6];
      c.end = c.off + total;
      c.off += 40;
      bool reassembled = false;
      for (bool more_headers = true; more_headers;) {  // each header consumes >= 8 bytes
        const uint8_t* x = c.base + c.off;
        const size_t left = c.end - c.off;
        switch (proto) {
          case proto_hopopt:
          case proto_routing:
          case proto_dstopts:
          case proto_mobility:
          case proto_hip:
          case proto_shim6:
          case proto_ah: {
            if (left < 2)
              return drop(drop_reason::truncated);
            const size_t len = proto == proto_ah ? (size_t{x[1]} + 2) * 4 : (size_t{x[1]} + 1) * 8;
            if (left < len)
              return drop(drop_reason::truncated);
            proto = x[0];
            c.off += len;
            break;
          }
          case proto_fragment: {
            if (left < 8)
              return drop(drop_reason::truncated);
            if (reassembled)  // a fragment header inside a reassembled datagram
              return drop(drop_reason::bad_ip_header);
            proto = x[0];
            const uint16_t fo = read_be16(x + 2);
            const uint32_t id = read_be32(x + 4);
            c.off += 8;
            if ((fo & 0xfff9) == 0)  // atomic fragment (RFC 6946): offset 0, M clear
              break;
            fragment_key key{out.src.addr, out.dst.addr, id, proto};
            const auto st = reassemble(key, fo & 0xfff8u, (fo & 1) != 0, c, out, arena);
            if (st != decode_status::packet)
              return st;
            reassembled = true;
            break;
          }
          case proto_esp:
          case proto_none:
            return drop(drop_reason::not_ip);  // encrypted or empty: nothing to analyse
          default:
            more_headers = false;
        }
      }
    }

    if (proto == proto_ipip || proto == proto_ipv6) {
      if (++depth > limits_.max_tunnel_depth)
        return drop(drop_reason::tunnel_depth);
      if (depth == 1)
        ++counters_.ip_in_ip;
      kind = proto == proto_ipip ? l3_kind::ipv4 : l3_kind::ipv6;
      continue;
    }
    if (proto == proto_esp)
      return drop(drop_reason::not_ip);
    if (proto == proto_gre && limits_.decapsulate)
      return decode_gre(c.base, c.off, c.end, out, arena);
    if (proto == proto_l2tp && limits_.decapsulate) {
      decode_status st = decode_status::dropped;
      decode_l2tp(c.base, c.off, c.end, false, out, arena, st);
      return st;
    }
    return decode_l4(proto, c.base, c.off, c.end, out, arena);
  }
}

decode_status packet_decoder::reassemble(const fragment_key& key, uint32_t frag_offset,
                                         bool more, cursor& c, decoded_packet& out,
                                         std::vector<uint8_t>& arena) {
  ++counters_.fragments;
  uint32_t at = 0, len = 0;
  const std::span<const uint8_t> data{c.base + c.off, c.end - c.off};
  switch (fragments_->add(key, frag_offset, more, data, now_, arena, at, len, frame_,
                          frame_wirelen_)) {
    case fragment_result::stored:
      return decode_status::pending;
    case fragment_result::overflow:
      return drop(drop_reason::fragment_overflow);
    case fragment_result::invalid:
      return drop(drop_reason::bad_ip_header);
    case fragment_result::complete:
      break;
  }
  ++counters_.reassembled;
  completed_frame_ = counters_.frames;
  out.payload_in_arena = true;
  c = cursor{arena.data(), at, size_t{at} + len};
  return decode_status::packet;
}

decode_status packet_decoder::decode_l4(uint8_t proto, const uint8_t* base, size_t off,
                                        size_t end, decoded_packet& out,
                                        std::vector<uint8_t>& arena) {
  const uint8_t* l4 = base + off;
  const size_t avail = end - off;
  size_t header = 0;
  size_t length = avail;
  switch (proto) {
    case proto_udp: {
      if (avail < 8)
        return drop(drop_reason::truncated);
      const size_t ulen = read_be16(l4 + 4);
      if (ulen != 0) {  // 0: IPv6 jumbogram (RFC 2675), the IP length rules
        if (ulen < 8)
          return drop(drop_reason::bad_ip_header);
        if (ulen > avail)
          return drop(drop_reason::truncated);
        length = ulen;
      }
      header = 8;
      out.proto = l4_protocol::udp;
      if (limits_.decapsulate) {  // a few compares on the plain path
        const uint16_t sp = read_be16(l4), dp = read_be16(l4 + 2);
        decode_status st;
        if (dp == limits_.vxlan_port || dp == limits_.tzsp_port || dp == limits_.gtp_port ||
            sp == limits_.gtp_port) {
          if (decode_udp_tunnel(base, off, off + length, out, arena, st))
            return st;
        } else if (dp == limits_.hep_port || sp == limits_.hep_port ||
                   (length >= 12 && read_be32(l4 + 8) == 0x48455033u)) {  // "HEP3"
          if (decode_hep(base, off + 8, off + length, out, arena, st))
            return st;
        } else if (dp == limits_.l2tp_port || sp == limits_.l2tp_port) {
          if (decode_l2tp(base, off, off + length, true, out, arena, st))
            return st;
        }
      }
      break;
    }
    case proto_tcp: {
      if (avail < 20)
        return drop(drop_reason::truncated);
      header = static_cast<size_t>(l4[12] >> 4) * 4;
      if (header < 20)
        return drop(drop_reason::bad_ip_header);
      if (header > avail)
        return drop(drop_reason::truncated);
      out.proto = l4_protocol::tcp;
      tcp_seq_ = read_be32(l4 + 4);
      tcp_flags_ = l4[13];
      tcp_valid_ = true;
      break;
    }
    case proto_sctp:
      if (avail < 12)
        return drop(drop_reason::truncated);
      header = 12;
      out.proto = l4_protocol::sctp;
      break;
    default:
      out.proto = l4_protocol::other;
      out.payload_offset = static_cast<uint32_t>(off);
      out.payload_length = static_cast<uint32_t>(avail);
      return decode_status::packet;
  }
  out.src.port = read_be16(l4);
  out.dst.port = read_be16(l4 + 2);
  out.payload_offset = static_cast<uint32_t>(off + header);
  out.payload_length = static_cast<uint32_t>(length - header);
  return decode_status::packet;
}

}  // namespace voxmon::core
