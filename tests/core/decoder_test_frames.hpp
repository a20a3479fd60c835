#pragma once
// Hand-built frames for the packet decoder tests: each helper returns the bytes of one header
// followed by its payload, so tests nest them like the wire does.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net_types.hpp"
#include "core/packet_decoder.hpp"

namespace voxmon::test {

using bytes = std::vector<uint8_t>;

inline void put16(bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
inline void append(bytes& b, const bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline bytes text(std::string_view s) { return bytes(s.begin(), s.end()); }
inline bytes addr_bytes(std::string_view s, size_t n) {
  auto a = core::ip_address::parse(s).value();
  return bytes(a.bytes.begin(), a.bytes.begin() + static_cast<long>(n));
}

// UDP with an optional explicit length field (-1: the real length).
inline bytes udp(uint16_t sport, uint16_t dport, const bytes& payload, int length = -1) {
  bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<uint16_t>(length < 0 ? 8 + payload.size() : length));
  put16(b, 0);
  append(b, payload);
  return b;
}

// TCP with `options` bytes of NOP options (a multiple of 4) before the payload.
inline bytes tcp(uint16_t sport, uint16_t dport, const bytes& payload, size_t options = 0) {
  bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 1000);  // seq
  put32(b, 0);     // ack
  b.push_back(static_cast<uint8_t>(((20 + options) / 4) << 4));
  b.push_back(0x18);  // PSH ACK
  put16(b, 65535);
  put32(b, 0);  // checksum, urgent
  b.insert(b.end(), options, 0x01);
  append(b, payload);
  return b;
}

inline bytes sctp(uint16_t sport, uint16_t dport, const bytes& chunks) {
  bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 0xdeadbeef);  // verification tag
  put32(b, 0);           // checksum
  append(b, chunks);
  return b;
}

struct v4_options {
  uint16_t id = 0x1234;
  bool more_fragments = false;
  uint32_t fragment_offset = 0;  // bytes, a multiple of 8
  int ihl = 5;
  int total_length = -1;  // -1: the real length
  int version = 4;
};

inline bytes ipv4(std::string_view src, std::string_view dst, uint8_t proto, const bytes& payload,
                  v4_options o = {}) {
  bytes b;
  const size_t header = static_cast<size_t>(o.ihl) * 4;
  b.push_back(static_cast<uint8_t>((o.version << 4) | (o.ihl & 0x0f)));
  b.push_back(0);
  put16(b, static_cast<uint16_t>(o.total_length < 0 ? (header < 20 ? 20 : header) + payload.size()
                                                    : static_cast<size_t>(o.total_length)));
  put16(b, o.id);
  put16(b, static_cast<uint16_t>((o.more_fragments ? 0x2000 : 0) | (o.fragment_offset / 8)));
  b.push_back(64);
  b.push_back(proto);
  put16(b, 0);
  append(b, addr_bytes(src, 4));
  append(b, addr_bytes(dst, 4));
  if (header > 20)
    b.insert(b.end(), header - 20, 0x01);  // NOP options
  uint32_t sum = 0;  // a real checksum keeps tshark quiet when a test dumps a frame
  for (size_t i = 0; i < 20; i += 2)
    sum += static_cast<uint32_t>((b[i] << 8) | b[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  b[10] = static_cast<uint8_t>(~sum >> 8);
  b[11] = static_cast<uint8_t>(~sum);
  append(b, payload);
  return b;
}

inline bytes ipv6(std::string_view src, std::string_view dst, uint8_t next, const bytes& payload,
                  int payload_length = -1) {
  bytes b;
  put32(b, 0x60000000);
  put16(b, static_cast<uint16_t>(payload_length < 0 ? payload.size() : payload_length));
  b.push_back(next);
  b.push_back(64);
  append(b, addr_bytes(src, 16));
  append(b, addr_bytes(dst, 16));
  append(b, payload);
  return b;
}

// Hop-by-hop / routing / destination options header of `len` bytes (a multiple of 8).
inline bytes ipv6_ext(uint8_t next, size_t len, const bytes& payload) {
  bytes b{next, static_cast<uint8_t>(len / 8 - 1)};
  b.resize(len, 0);
  if (len > 2)
    b[2] = 1, b[3] = static_cast<uint8_t>(len - 4);  // one PadN option filling the header
  append(b, payload);
  return b;
}

// Authentication header with a 12-byte ICV (24 bytes in all).
inline bytes ipv6_ah(uint8_t next, const bytes& payload) {
  bytes b{next, 4, 0, 0};
  put32(b, 0x100);  // SPI
  put32(b, 1);      // sequence
  b.resize(24, 0xaa);
  append(b, payload);
  return b;
}

inline bytes ipv6_frag(uint8_t next, uint32_t offset, bool more, uint32_t id,
                       const bytes& payload) {
  bytes b{next, 0};
  put16(b, static_cast<uint16_t>(offset | (more ? 1 : 0)));
  put32(b, id);
  append(b, payload);
  return b;
}

// Ethernet II with optional VLAN tags, outermost first: {tpid, vlan id}.
inline bytes eth(uint16_t type, const bytes& payload,
                 std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  bytes b{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  for (auto [tpid, vid] : tags) {
    put16(b, tpid);
    put16(b, static_cast<uint16_t>(0x2000 | vid));  // priority 1
  }
  put16(b, type);
  append(b, payload);
  return b;
}

inline bytes mpls(std::initializer_list<uint32_t> labels, const bytes& payload) {
  bytes b;
  size_t i = 0;
  for (uint32_t label : labels)
    put32(b, (label << 12) | (++i == labels.size() ? 0x100u : 0u) | 64u);
  append(b, payload);
  return b;
}

inline bytes pppoe(uint16_t ppp_protocol, const bytes& payload) {
  bytes b{0x11, 0x00};  // version 1 type 1, code: session data
  put16(b, 0x0042);     // session id
  put16(b, static_cast<uint16_t>(payload.size() + 2));
  put16(b, ppp_protocol);
  append(b, payload);
  return b;
}

inline bytes sll(uint16_t protocol, const bytes& payload) {
  bytes b;
  put16(b, 0);  // packet type: to us
  put16(b, 1);  // ARPHRD_ETHER
  put16(b, 6);
  append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0});
  put16(b, protocol);
  append(b, payload);
  return b;
}

inline bytes sll2(uint16_t protocol, const bytes& payload) {
  bytes b;
  put16(b, protocol);
  put16(b, 0);  // reserved
  put32(b, 2);  // interface index
  put16(b, 1);  // ARPHRD_ETHER
  b.push_back(4);  // packet type: outgoing
  b.push_back(6);
  append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0});
  append(b, payload);
  return b;
}

inline bytes null_link(uint32_t family, bool little_endian, const bytes& payload) {
  bytes b;
  if (little_endian)
    b = {static_cast<uint8_t>(family), static_cast<uint8_t>(family >> 8),
         static_cast<uint8_t>(family >> 16), static_cast<uint8_t>(family >> 24)};
  else
    put32(b, family);
  append(b, payload);
  return b;
}

struct decoded {
  core::decode_status status;
  core::decoded_packet pkt;
  std::string payload;  // the payload bytes as text ("" unless status == packet)
};

inline decoded run(core::packet_decoder& d, int link, const bytes& frame,
                   core::timestamp_ns ts = core::ns_per_second, uint32_t index = 7,
                   std::vector<uint8_t>* arena_in = nullptr) {
  std::vector<uint8_t> local;
  auto& arena = arena_in ? *arena_in : local;
  decoded r;
  r.status = d.decode(link, ts, frame, index, r.pkt, arena);
  if (r.status == core::decode_status::packet) {
    const auto& buf = r.pkt.payload_in_arena ? arena : frame;
    if (size_t{r.pkt.payload_offset} + r.pkt.payload_length <= buf.size())
      r.payload.assign(buf.begin() + r.pkt.payload_offset,
                       buf.begin() + r.pkt.payload_offset + r.pkt.payload_length);
    else
      r.payload = "<payload out of bounds>";
  }
  return r;
}

inline uint64_t drops(const core::packet_decoder& d, core::drop_reason r) {
  return d.counters().drops[static_cast<size_t>(r)];
}

}  // namespace voxmon::test
