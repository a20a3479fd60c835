#include "tools/gen/frame_builder.hpp"

#include <arpa/inet.h>
#include <pcap/dlt.h>

#include <algorithm>

namespace voxmon::gen {
namespace {

constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86DD;
constexpr uint16_t ethertype_vlan = 0x8100;
constexpr uint8_t proto_ipip = 4;
constexpr uint8_t proto_udp = 17;
constexpr uint8_t proto_tcp = 6;
constexpr uint8_t proto_gre = 47;
constexpr uint8_t proto_l2tp = 115;
constexpr uint16_t ethertype_erspan2 = 0x88BE;
constexpr uint16_t vxlan_port = 4789;
constexpr uint8_t proto_ipv6 = 41;
constexpr uint8_t proto_frag = 44;
constexpr size_t ipv4_header = 20;
constexpr size_t ipv6_header = 40;
constexpr size_t frag_header = 8;

void put8(std::vector<uint8_t>& v, uint8_t x) { v.push_back(x); }
void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, static_cast<uint16_t>(x >> 16));
  put16(v, static_cast<uint16_t>(x));
}
void set16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void put_addr(std::vector<uint8_t>& v, const ip_addr& a) {
  v.insert(v.end(), a.b.begin(), a.b.begin() + (a.v6 ? 16 : 4));
}

// One's complement sum of 16-bit big-endian words (RFC 1071), not yet folded.
uint32_t sum16(const uint8_t* p, size_t n, uint32_t acc = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) acc += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) acc += static_cast<uint32_t>(p[n - 1] << 8);
  return acc;
}
uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return static_cast<uint16_t>(~acc & 0xFFFF);
}

void ipv4_header_bytes(std::vector<uint8_t>& v, size_t payload_len, uint16_t id,
                       uint16_t flags_offset, uint8_t proto, const uint8_t* src,
                       const uint8_t* dst) {
  const size_t at = v.size();
  put8(v, 0x45);
  put8(v, 0);
  put16(v, static_cast<uint16_t>(ipv4_header + payload_len));
  put16(v, id);
  put16(v, flags_offset);
  put8(v, 64);
  put8(v, proto);
  put16(v, 0);
  v.insert(v.end(), src, src + 4);
  v.insert(v.end(), dst, dst + 4);
  set16(v, at + 10, fold(sum16(v.data() + at, ipv4_header)));
}

std::array<uint8_t, 6> mac_of(const uint8_t* last4) {
  return {0x02, 0x00, last4[0], last4[1], last4[2], last4[3]};
}

constexpr uint8_t outer_src[4] = {192, 0, 2, 1};
constexpr uint8_t outer_dst[4] = {192, 0, 2, 2};

}  // namespace

std::string to_string(const ip_addr& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  // glibc's inet_ntop writes RFC 5952 text (lower case, longest zero run of 2+ groups as ::).
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.b.data(), buf, sizeof buf);
  return buf;
}

frame_builder::frame_builder(const gen_options& opts)
    : link_(opts.link),
      has_vlan_(opts.vlan.has_value()),
      vlan_(opts.vlan.value_or(0)),
      ipip_(opts.ipip),
      tunnel_(opts.tunnel) {}

int frame_builder::dlt() const { return link_ == link_kind::sll ? DLT_LINUX_SLL : DLT_EN10MB; }

std::vector<uint8_t>& frame_builder::next_packet() {
  if (n_packets_ == packets_.size()) packets_.emplace_back();
  auto& p = packets_[n_packets_++];
  p.clear();
  return p;
}

std::span<const std::vector<uint8_t>> frame_builder::udp(const ip_addr& src, uint16_t sport,
                                                         const ip_addr& dst, uint16_t dport,
                                                         const uint8_t* data, size_t len,
                                                         bool may_fragment) {
  udp_.clear();
  put16(udp_, sport);
  put16(udp_, dport);
  put16(udp_, static_cast<uint16_t>(8 + len));
  put16(udp_, 0);
  udp_.insert(udp_.end(), data, data + len);
  l4_checksum(src, dst, proto_udp, 6);
  return finish(src, dst, may_fragment, proto_udp);
}

std::span<const std::vector<uint8_t>> frame_builder::tcp(const ip_addr& src, uint16_t sport,
                                                         const ip_addr& dst, uint16_t dport,
                                                         uint32_t seq, uint32_t ack,
                                                         const uint8_t* data, size_t len,
                                                         uint8_t flags) {
  udp_.clear();
  put16(udp_, sport);
  put16(udp_, dport);
  put32(udp_, seq);
  put32(udp_, flags & tcp_ack ? ack : 0);  // only with ACK set is the number meaningful
  put16(udp_, static_cast<uint16_t>(0x5000 | flags));  // data offset 5 words
  put16(udp_, 65535);   // window
  put16(udp_, 0);       // checksum
  put16(udp_, 0);       // urgent pointer
  udp_.insert(udp_.end(), data, data + len);
  l4_checksum(src, dst, proto_tcp, 16);
  return finish(src, dst, false, proto_tcp);
}

// Checksum over the pseudo header (RFC 768, RFC 793, RFC 8200 8.1) into udp_[at].
void frame_builder::l4_checksum(const ip_addr& src, const ip_addr& dst, uint8_t proto, size_t at) {
  const size_t alen = src.v6 ? 16 : 4;
  uint32_t acc = sum16(src.b.data(), alen);
  acc = sum16(dst.b.data(), alen, acc);
  acc += proto;
  acc += static_cast<uint32_t>(udp_.size());  // IPv4: 16-bit length; IPv6: 32-bit, < 65536
  uint16_t ck = fold(sum16(udp_.data(), udp_.size(), acc));
  if (ck == 0 && proto == proto_udp) ck = 0xFFFF;
  set16(udp_, at, ck);
}

std::span<const std::vector<uint8_t>> frame_builder::finish(const ip_addr& src, const ip_addr& dst,
                                                            bool may_fragment, uint8_t proto) {
  n_packets_ = 0;
  if (src.v6)
    build_ipv6(src, dst, may_fragment, proto);
  else
    build_ipv4(src, dst, may_fragment, proto);
  if (frames_.size() < n_packets_) frames_.resize(n_packets_);
  for (size_t i = 0; i < n_packets_; ++i) wrap(packets_[i], src.v6, src, dst, frames_[i]);
  return {frames_.data(), n_packets_};
}

void frame_builder::build_ipv4(const ip_addr& src, const ip_addr& dst, bool may_fragment,
                               uint8_t proto) {
  const size_t mtu_inner = mtu - (ipip_ ? ipv4_header : 0);
  const uint16_t id = ip_id_++;
  if (!may_fragment || ipv4_header + udp_.size() <= mtu_inner) {
    auto& p = next_packet();
    ipv4_header_bytes(p, udp_.size(), id, 0, proto, src.b.data(), dst.b.data());
    p.insert(p.end(), udp_.begin(), udp_.end());
    return;
  }
  const size_t chunk = (mtu_inner - ipv4_header) / 8 * 8;
  for (size_t off = 0; off < udp_.size(); off += chunk) {
    const size_t n = std::min(chunk, udp_.size() - off);
    const bool more = off + n < udp_.size();
    auto& p = next_packet();
    const auto flags = static_cast<uint16_t>((more ? 0x2000 : 0) | (off / 8));
    ipv4_header_bytes(p, n, id, flags, proto_udp, src.b.data(), dst.b.data());
    p.insert(p.end(), udp_.begin() + static_cast<ptrdiff_t>(off),
             udp_.begin() + static_cast<ptrdiff_t>(off + n));
  }
}

void frame_builder::build_ipv6(const ip_addr& src, const ip_addr& dst, bool may_fragment,
                               uint8_t proto) {
  const size_t mtu_inner = mtu - (ipip_ ? ipv4_header : 0);
  auto header = [&](std::vector<uint8_t>& p, size_t payload_len, uint8_t next) {
    put32(p, 0x60000000);
    put16(p, static_cast<uint16_t>(payload_len));
    put8(p, next);
    put8(p, 64);
    put_addr(p, src);
    put_addr(p, dst);
  };
  if (!may_fragment || ipv6_header + udp_.size() <= mtu_inner) {
    auto& p = next_packet();
    header(p, udp_.size(), proto);
    p.insert(p.end(), udp_.begin(), udp_.end());
    return;
  }
  const uint32_t id = frag_id_++;
  const size_t chunk = (mtu_inner - ipv6_header - frag_header) / 8 * 8;
  for (size_t off = 0; off < udp_.size(); off += chunk) {
    const size_t n = std::min(chunk, udp_.size() - off);
    const bool more = off + n < udp_.size();
    auto& p = next_packet();
    header(p, frag_header + n, proto_frag);
    put8(p, proto_udp);
    put8(p, 0);
    put16(p, static_cast<uint16_t>(off | (more ? 1 : 0)));  // offset is in 8-byte units << 3
    put32(p, id);
    p.insert(p.end(), udp_.begin() + static_cast<ptrdiff_t>(off),
             udp_.begin() + static_cast<ptrdiff_t>(off + n));
  }
}

void frame_builder::wrap(const std::vector<uint8_t>& inner, bool inner_v6, const ip_addr& src,
                         const ip_addr& dst, std::vector<uint8_t>& f) {
  f.clear();
  const bool outer = ipip_ || tunnel_ != tunnel_kind::none;
  const uint8_t* s4 = outer ? outer_src : src.b.data() + (src.v6 ? 12 : 0);
  const uint8_t* d4 = outer ? outer_dst : dst.b.data() + (dst.v6 ? 12 : 0);
  const uint16_t inner_type = inner_v6 ? ethertype_ipv6 : ethertype_ipv4;
  const uint16_t l3 = outer ? ethertype_ipv4 : inner_type;
  const auto smac = mac_of(s4);
  if (link_ == link_kind::ethernet) {
    const auto dmac = mac_of(d4);
    f.insert(f.end(), dmac.begin(), dmac.end());
    f.insert(f.end(), smac.begin(), smac.end());
  } else {
    put16(f, 0);  // packet type: to us
    put16(f, 1);  // ARPHRD_ETHER
    put16(f, 6);
    f.insert(f.end(), smac.begin(), smac.end());
    put16(f, 0);  // address padding to 8 bytes
  }
  if (has_vlan_) {
    put16(f, ethertype_vlan);
    put16(f, vlan_);  // priority 0, DEI 0
  }
  put16(f, l3);
  // The mirrored frame inside ERSPAN and VXLAN: Ethernet II with MACs from the inner addresses.
  auto inner_ethernet = [&] {
    const auto im_s = mac_of(src.b.data() + (src.v6 ? 12 : 0));
    const auto im_d = mac_of(dst.b.data() + (dst.v6 ? 12 : 0));
    f.insert(f.end(), im_d.begin(), im_d.end());
    f.insert(f.end(), im_s.begin(), im_s.end());
    put16(f, inner_type);
  };
  switch (tunnel_) {
    case tunnel_kind::gre:  // RFC 2784: no options, protocol type = the inner ethertype
      ipv4_header_bytes(f, 4 + inner.size(), ip_id_++, 0, proto_gre, outer_src, outer_dst);
      put16(f, 0);
      put16(f, inner_type);
      break;
    case tunnel_kind::erspan:  // GRE with sequence number, then the ERSPAN type II header
      ipv4_header_bytes(f, 8 + 8 + 14 + inner.size(), ip_id_++, 0, proto_gre, outer_src, outer_dst);
      put16(f, 0x1000);  // S bit
      put16(f, ethertype_erspan2);
      put32(f, gre_seq_++);
      put16(f, static_cast<uint16_t>(1u << 12 | (has_vlan_ ? vlan_ : 0)));  // version 1, VLAN
      put16(f, 1);       // COS 0, En 0, T 0, session id 1
      put32(f, 0);       // reserved, index 0
      inner_ethernet();
      break;
    case tunnel_kind::vxlan: {  // RFC 7348: UDP to 4789, flags I, VNI 100
      ipv4_header_bytes(f, 8 + 8 + 14 + inner.size(), ip_id_++, 0, proto_udp, outer_src, outer_dst);
      put16(f, static_cast<uint16_t>(49152 + (inner.size() * 131 + inner[inner.size() - 1]) % 16384));
      put16(f, vxlan_port);
      put16(f, static_cast<uint16_t>(8 + 8 + 14 + inner.size()));
      put16(f, 0);
      put32(f, 0x08000000);
      put32(f, 100u << 8);
      inner_ethernet();
      break;
    }
    case tunnel_kind::l2tpv3:  // RFC 3931 over IP: session id 0x101, 4-byte cookie, Ethernet
      ipv4_header_bytes(f, 4 + 4 + 14 + inner.size(), ip_id_++, 0, proto_l2tp, outer_src, outer_dst);
      put32(f, 0x101);
      put32(f, 0xc0ffee01);
      inner_ethernet();
      break;
    case tunnel_kind::none:
      if (ipip_)
        ipv4_header_bytes(f, inner.size(), ip_id_++, 0, inner_v6 ? proto_ipv6 : proto_ipip,
                          outer_src, outer_dst);
      break;
  }
  f.insert(f.end(), inner.begin(), inner.end());
}

}  // namespace voxmon::gen
