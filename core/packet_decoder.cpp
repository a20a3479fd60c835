// Link layer of the packet decoder: picks the L3 start from the DLT, walks VLAN/MPLS/PPPoE,
// then hands over to decode_ip (ip_layer.cpp).
#include "core/packet_decoder.hpp"

#include "core/fragment_reassembler.hpp"

namespace voxmon::core {

const char* to_string(drop_reason r) {
  switch (r) {
    case drop_reason::truncated: return "truncated";
    case drop_reason::unsupported_link: return "unsupported_link";
    case drop_reason::not_ip: return "not_ip";
    case drop_reason::bad_ip_header: return "bad_ip_header";
    case drop_reason::fragment_overflow: return "fragment_overflow";
    case drop_reason::fragment_timeout: return "fragment_timeout";
    case drop_reason::tunnel_depth: return "tunnel_depth";
    case drop_reason::count_: break;
  }
  return "unknown";
}

const char* to_string(tunnel_kind k) {
  switch (k) {
    case tunnel_kind::gre: return "gre";
    case tunnel_kind::erspan: return "erspan";
    case tunnel_kind::vxlan: return "vxlan";
    case tunnel_kind::tzsp: return "tzsp";
    case tunnel_kind::gtp: return "gtp";
    case tunnel_kind::hep: return "hep";
    case tunnel_kind::l2tp: return "l2tp";
    case tunnel_kind::count_: break;
  }
  return "unknown";
}

packet_decoder::packet_decoder(decoder_limits limits)
  : limits_(limits), fragments_(std::make_unique<fragment_reassembler>(limits)) {}
packet_decoder::~packet_decoder() = default;

const fragment_frames* packet_decoder::last_fragment_frames() const {
  if (completed_frame_ != counters_.frames || completed_frame_ == 0)
    return nullptr;
  return &fragments_->completed_frames();
}
packet_decoder::packet_decoder(packet_decoder&&) noexcept = default;
packet_decoder& packet_decoder::operator=(packet_decoder&&) noexcept = default;

void packet_decoder::expire(timestamp_ns now) {
  if (!fragments_ || fragments_->empty())
    return;
  counters_.drops[static_cast<size_t>(drop_reason::fragment_timeout)] +=
    fragments_->expire(now, limits_.fragment_timeout);
}

namespace {
constexpr uint16_t eth_ipv4 = 0x0800;
constexpr uint16_t eth_ipv6 = 0x86dd;
constexpr uint16_t eth_vlan = 0x8100;
constexpr uint16_t eth_qinq = 0x88a8;
constexpr uint16_t eth_qinq_old = 0x9100;
constexpr uint16_t eth_mpls_uc = 0x8847;
constexpr uint16_t eth_mpls_mc = 0x8848;
constexpr uint16_t eth_pppoe_session = 0x8864;
constexpr uint16_t ppp_ipv4 = 0x0021;
constexpr uint16_t ppp_ipv6 = 0x0057;

// BSD address families as they appear in DLT_NULL / DLT_LOOP headers.
constexpr bool is_af_inet6(uint32_t af) { return af == 24 || af == 28 || af == 30; }
}  // namespace

decode_status packet_decoder::decode(int link, timestamp_ns ts, std::span<const uint8_t> frame,
                                     uint32_t frame_index, decoded_packet& out,
                                     std::vector<uint8_t>& arena, uint32_t wirelen) {
  ++counters_.frames;
  counters_.bytes += frame.size();
  now_ = ts;
  frame_ = frame;
  frame_wirelen_ = wirelen;
  if (ts > last_expiry_check_ + ns_per_second) {  // keeps fragment memory bounded by itself
    last_expiry_check_ = ts;
    expire(ts);
  }
  // Field by field: assigning a temporary costs a store-forwarding stall on every frame.
  static_assert(sizeof(decoded_packet) == 72, "a field was added: reset it here");
  out.ts = ts;
  out.frame_index = frame_index;
  out.src = endpoint{};
  out.dst = endpoint{};
  out.proto = l4_protocol::other;
  out.has_vlan = false;
  out.vlan = 0;
  out.payload_in_arena = false;
  out.payload_offset = 0;
  out.payload_length = 0;

  const uint8_t* p = frame.data();
  const size_t n = frame.size();
  switch (link) {
    case link_ethernet:
      if (n < 14)
        return drop(drop_reason::truncated);
      return decode_ethertype(read_be16(p + 12), p, 14, n, out, arena);
    case link_linux_sll:
      if (n < 16)
        return drop(drop_reason::truncated);
      return decode_ethertype(read_be16(p + 14), p, 16, n, out, arena);
    case link_linux_sll2:
      if (n < 20)
        return drop(drop_reason::truncated);
      return decode_ethertype(read_be16(p), p, 20, n, out, arena);
    case link_raw:
    case link_dlt_raw_bsd:
    case link_dlt_raw_bsd2:
      return decode_ip(l3_kind::guess, p, 0, n, out, arena);
    case link_ipv4:
      return decode_ip(l3_kind::ipv4, p, 0, n, out, arena);
    case link_ipv6:
      return decode_ip(l3_kind::ipv6, p, 0, n, out, arena);
    case link_null:
    case link_loop: {
      if (n < 4)
        return drop(drop_reason::truncated);
      const uint32_t be = read_be32(p);
      const uint32_t le = link == link_null ? read_le32(p) : be;  // NULL: writer's byte order
      if (be == 2 || le == 2)
        return decode_ip(l3_kind::ipv4, p, 4, n, out, arena);
      if (is_af_inet6(be) || is_af_inet6(le))
        return decode_ip(l3_kind::ipv6, p, 4, n, out, arena);
      return drop(drop_reason::not_ip);
    }
    case link_hep: {
      decode_status st;
      if (decode_hep(p, 0, n, out, arena, st))
        return st;
      return drop(drop_reason::not_ip);  // neither HEP3 nor a HEP v1/v2 header
    }
    default:
      return drop(drop_reason::unsupported_link);
  }
}

decode_status packet_decoder::decode_ethertype(uint16_t type, const uint8_t* p, size_t off,
                                               size_t end, decoded_packet& out,
                                               std::vector<uint8_t>& arena) {
  for (;;) {  // each VLAN tag consumes 4 bytes, so this ends with the frame
    switch (type) {
      case eth_ipv4:
        return decode_ip(l3_kind::ipv4, p, off, end, out, arena);
      case eth_ipv6:
        return decode_ip(l3_kind::ipv6, p, off, end, out, arena);
      case eth_vlan:
      case eth_qinq:
      case eth_qinq_old:
        if (end - off < 4)
          return drop(drop_reason::truncated);
        out.has_vlan = true;
        out.vlan = read_be16(p + off) & 0x0fff;  // the last tag read is the innermost
        type = read_be16(p + off + 2);
        off += 4;
        continue;
      case eth_mpls_uc:
      case eth_mpls_mc:
        for (;;) {
          if (end - off < 4)
            return drop(drop_reason::truncated);
          const bool bottom = (p[off + 2] & 0x01) != 0;
          off += 4;
          if (bottom)
            break;
        }
        if (off >= end)
          return drop(drop_reason::truncated);
        switch (p[off] >> 4) {  // no type field after MPLS: guess from the IP version
          case 4: return decode_ip(l3_kind::ipv4, p, off, end, out, arena);
          case 6: return decode_ip(l3_kind::ipv6, p, off, end, out, arena);
          default: return drop(drop_reason::not_ip);  // pseudowire, control word ...
        }
      case eth_pppoe_session: {
        if (end - off < 8)  // PPPoE header (6) + PPP protocol (2)
          return drop(drop_reason::truncated);
        const uint16_t ppp = read_be16(p + off + 6);
        off += 8;
        if (ppp == ppp_ipv4)
          return decode_ip(l3_kind::ipv4, p, off, end, out, arena);
        if (ppp == ppp_ipv6)
          return decode_ip(l3_kind::ipv6, p, off, end, out, arena);
        return drop(drop_reason::not_ip);  // LCP, IPCP, PAP ...
      }
      default:
        return drop(drop_reason::not_ip);  // ARP, LLDP, 802.3 length field ...
    }
  }
}

}  // namespace voxmon::core
