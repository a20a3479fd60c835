// HEP (Homer Encapsulation Protocol) inside a capture: v1/v2 on the HEP port, v3 on the HEP
// port or anywhere by its "HEP3" magic. The packet takes HEP's own addresses, ports, transport
// and timestamp; its payload is the captured payload chunk (0x000f) or the zlib-compressed one
// (0x0010), inflated into the arena. Chunks that are not SIP (logs, RTCP JSON ...) leave a
// packet with protocol `other`.
#include <cstring>

#include <zlib.h>

#include "core/packet_decoder.hpp"

namespace voxmon::core {

namespace {
constexpr size_t max_inflated = 256 * 1024;
constexpr uint8_t hep_proto_sip = 1;

void set_addr(ip_address& a, const uint8_t* p, bool v6) {
  a = ip_address{};
  std::memcpy(a.bytes.data(), p, v6 ? 16 : 4);
  a.is_v6 = v6;
}

l4_protocol transport(uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return l4_protocol::tcp;
    case 132: return l4_protocol::sctp;
    default: return l4_protocol::udp;
  }
}

// Inflates zlib or gzip data into `out`; false when it is not valid or too large.
bool inflate_into(const uint8_t* data, size_t n, std::vector<uint8_t>& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK)
    return false;
  out.resize(max_inflated);
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const size_t produced = out.size() - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END)
    return false;
  out.resize(produced);
  return true;
}
}  // namespace

bool packet_decoder::decode_hep(const uint8_t* base, size_t at, size_t end, decoded_packet& out,
                                std::vector<uint8_t>& arena, decode_status& st) {
  const size_t p = at;  // first byte of the HEP message
  if (end < p)
    return false;
  const uint8_t* h = base + p;
  const size_t n = end - p;
  const bool v3 = n >= 6 && std::memcmp(h, "HEP3", 4) == 0;
  if (!v3) {
    // HEP v1/v2: version, header length, family, protocol, ports; addresses; v2 time header
    if (n < 16 || (h[0] != 1 && h[0] != 2) || (h[2] != 2 && h[2] != 10))
      return false;
    const bool v6 = h[2] == 10;
    size_t at = 8 + (v6 ? 32 : 8);
    const size_t time_at = at;
    if (h[0] == 2)
      at += 12;  // tv_sec, tv_usec (sender's byte order, little-endian in practice), capture id
    if (n < at)
      return false;
    if (!enter_tunnel(tunnel_kind::hep)) {
      st = drop(drop_reason::tunnel_depth);
      return true;
    }
    tcp_valid_ = false;
    set_addr(out.src.addr, h + 8, v6);
    set_addr(out.dst.addr, h + 8 + (v6 ? 16 : 4), v6);
    out.src.port = read_be16(h + 4);
    out.dst.port = read_be16(h + 6);
    out.proto = transport(h[3]);
    if (h[0] == 2)
      out.ts = timestamp_ns{read_le32(h + time_at)} * ns_per_second +
               timestamp_ns{read_le32(h + time_at + 4) % 1000000} * 1000;
    out.payload_offset = static_cast<uint32_t>(p + at);
    out.payload_length = static_cast<uint32_t>(n - at);
    st = decode_status::packet;
    return true;
  }

  const size_t total = read_be16(h + 4);
  if (total < 6 || total > n)
    return false;
  const uint8_t* src = nullptr;
  const uint8_t* dst = nullptr;
  bool v6 = false;
  uint8_t ip_proto = 17, proto_type = hep_proto_sip;
  uint16_t sport = 0, dport = 0;
  bool have_time = false;
  uint32_t sec = 0, usec = 0;
  size_t payload_at = 0, payload_len = 0, zipped_at = 0, zipped_len = 0;
  for (size_t at = 6; at < total;) {
    if (total - at < 6) {
      st = drop(drop_reason::truncated);
      return true;
    }
    const uint8_t* c = h + at;
    const uint16_t vendor = read_be16(c), type = read_be16(c + 2);
    const size_t len = read_be16(c + 4);
    if (len < 6 || len > total - at) {
      st = drop(drop_reason::truncated);
      return true;
    }
    const uint8_t* v = c + 6;
    const size_t vlen = len - 6;
    if (vendor == 0) {
      switch (type) {
        case 0x02: if (vlen >= 1) ip_proto = v[0]; break;
        case 0x03: if (vlen >= 4) { src = v; v6 = false; } break;
        case 0x04: if (vlen >= 4) dst = v; break;
        case 0x05: if (vlen >= 16) { src = v; v6 = true; } break;
        case 0x06: if (vlen >= 16) dst = v; break;
        case 0x07: if (vlen >= 2) sport = read_be16(v); break;
        case 0x08: if (vlen >= 2) dport = read_be16(v); break;
        case 0x09: if (vlen >= 4) { sec = read_be32(v); have_time = true; } break;
        case 0x0a: if (vlen >= 4) usec = read_be32(v); break;
        case 0x0b: if (vlen >= 1) proto_type = v[0]; break;
        case 0x0f: payload_at = p + at + 6; payload_len = vlen; break;
        case 0x10: zipped_at = p + at + 6; zipped_len = vlen; break;
        default: break;
      }
    }
    at += len;
  }
  if (!enter_tunnel(tunnel_kind::hep)) {
    st = drop(drop_reason::tunnel_depth);
    return true;
  }
  tcp_valid_ = false;  // HEP agents send whole messages: nothing to reassemble
  if (src && dst) {
    set_addr(out.src.addr, src, v6);
    set_addr(out.dst.addr, dst, v6);
  }
  out.src.port = sport;
  out.dst.port = dport;
  out.proto = proto_type == hep_proto_sip ? transport(ip_proto) : l4_protocol::other;
  if (have_time)
    out.ts = timestamp_ns{sec} * ns_per_second + timestamp_ns{usec % 1000000} * 1000;
  if (payload_len == 0 && zipped_len != 0) {
    // Inflate into scratch first: `base` may be the arena, which must not grow under it.
    if (!inflate_into(base + zipped_at, zipped_len, inflate_)) {
      st = drop(drop_reason::bad_ip_header);
      return true;
    }
    out.payload_in_arena = true;
    out.payload_offset = static_cast<uint32_t>(arena.size());
    out.payload_length = static_cast<uint32_t>(inflate_.size());
    arena.insert(arena.end(), inflate_.begin(), inflate_.end());
  } else {
    out.payload_offset = static_cast<uint32_t>(payload_at);
    out.payload_length = static_cast<uint32_t>(payload_len);
  }
  st = decode_status::packet;
  return true;
}

}  // namespace voxmon::core
