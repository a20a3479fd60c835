#pragma once
// Wire bytes of one UDP datagram or TCP segment: Ethernet (optionally 802.1Q) or Linux cooked
// (SLL) link header, optional outer IPv4 tunnel (IP-in-IP, GRE, ERSPAN type II, VXLAN, L2TPv3), IPv4 or
// IPv6, UDP/TCP; IPv4 fragments or IPv6 fragment headers when a datagram does not fit the
// 1500-byte MTU. Every checksum is computed (the outer VXLAN UDP checksum is 0, RFC 7348).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tools/gen/gen_options.hpp"

namespace voxmon::gen {

struct ip_addr {
  bool v6 = false;
  std::array<uint8_t, 16> b{};  // IPv4 in b[0..3]
};
// Dotted quad, or RFC 5952 text for IPv6.
std::string to_string(const ip_addr& a);

class frame_builder {
 public:
  static constexpr size_t mtu = 1500;

  explicit frame_builder(const gen_options& opts);
  int dlt() const;  // pcap link type

  // Frames of one datagram (several when `may_fragment` and the IP packet exceeds the MTU).
  // Valid until the next call.
  std::span<const std::vector<uint8_t>> udp(const ip_addr& src, uint16_t sport,
                                            const ip_addr& dst, uint16_t dport,
                                            const uint8_t* data, size_t len, bool may_fragment);
  // One TCP segment, never fragmented: callers keep `len` within mss. Flags PSH|ACK unless
  // given (tcp_syn, tcp_syn_ack, tcp_ack for the handshake).
  static constexpr size_t mss = 1400;
  static constexpr uint8_t tcp_syn = 0x02, tcp_syn_ack = 0x12, tcp_ack = 0x10, tcp_psh_ack = 0x18;
  std::span<const std::vector<uint8_t>> tcp(const ip_addr& src, uint16_t sport,
                                            const ip_addr& dst, uint16_t dport, uint32_t seq,
                                            uint32_t ack, const uint8_t* data, size_t len,
                                            uint8_t flags = tcp_psh_ack);

 private:
  void build_ipv4(const ip_addr& src, const ip_addr& dst, bool may_fragment, uint8_t proto);
  void build_ipv6(const ip_addr& src, const ip_addr& dst, bool may_fragment, uint8_t proto);
  void l4_checksum(const ip_addr& src, const ip_addr& dst, uint8_t proto, size_t at);
  std::span<const std::vector<uint8_t>> finish(const ip_addr& src, const ip_addr& dst,
                                               bool may_fragment, uint8_t proto);
  std::vector<uint8_t>& next_packet();
  void wrap(const std::vector<uint8_t>& inner, bool inner_v6, const ip_addr& src,
            const ip_addr& dst, std::vector<uint8_t>& frame);

  link_kind link_;
  bool has_vlan_;
  uint16_t vlan_;
  bool ipip_;
  tunnel_kind tunnel_;
  uint32_t gre_seq_ = 0;
  uint16_t ip_id_ = 0x1000;
  uint32_t frag_id_ = 0x10000;
  std::vector<uint8_t> udp_;                   // UDP or TCP header + payload
  std::vector<std::vector<uint8_t>> packets_;  // inner IP packets (scratch)
  size_t n_packets_ = 0;
  std::vector<std::vector<uint8_t>> frames_;
};

}  // namespace voxmon::gen
