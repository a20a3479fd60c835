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
      ipip_(opts.ipip) {}

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
  // UDP header and checksum over the pseudo header (RFC 768, RFC 8200 8.1).
  udp_.clear();
  put16(udp_, sport);
  put16(udp_, dport);
  put16(udp_, static_cast<uint16_t>(8 + len));
  put16(udp_, 0);
  udp_.insert(udp_.end(), data, data + len);
  const size_t alen = src.v6 ? 16 : 4;
  uint32_t acc = sum16(src.b.data(), alen);
  acc = sum16(dst.b.data(), alen, acc);
  acc += proto_udp;
  acc += static_cast<uint32_t>(udp_.size());  // IPv4: 16-bit length; IPv6: 32-bit, < 65536
  uint16_t ck = fold(sum16(udp_.data(), udp_.size(), acc));
  if (ck == 0) ck = 0xFFFF;
  set16(udp_, 6, ck);

  n_packets_ = 0;
  if (src.v6)
    build_ipv6(src, dst, may_fragment);
  else
    build_ipv4(src, dst, may_fragment);

  if (frames_.size() < n_packets_) frames_.resize(n_packets_);
  for (size_t i = 0; i < n_packets_; ++i) wrap(packets_[i], src.v6, src, dst, frames_[i]);
  return {frames_.data(), n_packets_};
}

void frame_builder::build_ipv4(const ip_addr& src, const ip_addr& dst, bool may_fragment) {
  const size_t mtu_inner = mtu - (ipip_ ? ipv4_header : 0);
  const uint16_t id = ip_id_++;
  if (!may_fragment || ipv4_header + udp_.size() <= mtu_inner) {
    auto& p = next_packet();
    ipv4_header_bytes(p, udp_.size(), id, 0, proto_udp, src.b.data(), dst.b.data());
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

void frame_builder::build_ipv6(const ip_addr& src, const ip_addr& dst, bool may_fragment) {
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
    header(p, udp_.size(), proto_udp);
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
  const uint8_t* s4 = ipip_ ? outer_src : src.b.data() + (src.v6 ? 12 : 0);
  const uint8_t* d4 = ipip_ ? outer_dst : dst.b.data() + (dst.v6 ? 12 : 0);
  const uint16_t l3 = (inner_v6 && !ipip_) ? ethertype_ipv6 : ethertype_ipv4;
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
  if (ipip_)
    ipv4_header_bytes(f, inner.size(), ip_id_++, 0, inner_v6 ? proto_ipv6 : proto_ipip, outer_src,
                      outer_dst);
  f.insert(f.end(), inner.begin(), inner.end());
}

}  // namespace voxmon::gen
