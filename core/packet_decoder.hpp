#pragma once
// Turns one captured frame into a decoded_packet: link layer (Ethernet, Linux cooked v1/v2, raw
// IP, BSD NULL/loopback, PPPoE), 802.1Q/802.1ad VLAN stacks, MPLS label stacks, IPv4 and IPv6
// (extension headers), IP-in-IP (4in4, 6in4, 4in6, 6in6, recursively), IPv4/IPv6 fragment
// reassembly with bounded memory and packet-time timeouts, then UDP/TCP/SCTP ports.
// Tunnels are decapsulated recursively (tunnel_layer.cpp, hep_layer.cpp): GRE (keys, sequence
// numbers, enhanced GRE with PPP, transparent Ethernet bridging), ERSPAN I/II/III, VXLAN, TZSP,
// GTP-U, L2TPv3 (Ethernet pseudowire over IP or UDP) and HEP v1/v2/v3 (HEP's own addresses and
// timestamps become the packet's; link_hep frames are HEP messages received by the listener).
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/decoded_packet.hpp"

namespace voxmon::core {

// libpcap DLT values the decoder understands.
enum link_type : int {
  link_null = 0,          // DLT_NULL (BSD loopback)
  link_ethernet = 1,      // DLT_EN10MB
  link_raw = 101,         // LINKTYPE_RAW
  link_loop = 108,        // DLT_LOOP (OpenBSD loopback, big-endian family)
  link_linux_sll = 113,   // Linux cooked v1
  link_ipv4 = 228,        // LINKTYPE_IPV4
  link_ipv6 = 229,        // LINKTYPE_IPV6
  link_linux_sll2 = 276,  // Linux cooked v2
  link_dlt_raw_bsd = 12,  // DLT_RAW on some BSDs
  link_dlt_raw_bsd2 = 14,
  // Not a capture format: frames that are whole HEP v1/v2/v3 messages as the HEP listener
  // received them (LINKTYPE_USER0; per-call pcap files of HEP sources carry it too).
  link_hep = 147,
};

struct decoder_limits {
  size_t max_fragment_bytes = 8 * 1024 * 1024;  // memory held by incomplete datagrams
  size_t max_fragment_datagrams = 4096;          // incomplete datagrams held at once
  timestamp_ns fragment_timeout = 30 * ns_per_second;
  int max_tunnel_depth = 8;
  bool decapsulate = true;        // GRE, ERSPAN, VXLAN, TZSP, GTP-U, HEP
  uint16_t vxlan_port = 4789;
  uint16_t tzsp_port = 37008;
  uint16_t gtp_port = 2152;
  uint16_t hep_port = 9060;       // HEP3 is also recognised by its magic on any UDP port
  uint16_t l2tp_port = 1701;      // L2TPv3 over UDP (L2TPv3 over IP, protocol 115, always)
  int l2tp_cookie_length = -1;    // 0, 4 or 8 bytes; -1 = guessed per packet (see tunnel_layer)
};

// What a packet was decapsulated from (counted once per packet, outermost tunnel of each kind).
enum class tunnel_kind : uint8_t { gre, erspan, vxlan, tzsp, gtp, hep, l2tp, count_ };
constexpr size_t tunnel_kind_count = static_cast<size_t>(tunnel_kind::count_);
const char* to_string(tunnel_kind k);

struct decoder_counters {
  uint64_t frames = 0;
  uint64_t bytes = 0;
  uint64_t ip_in_ip = 0;              // packets that were decapsulated from IP-in-IP
  uint64_t fragments = 0;             // fragments seen
  uint64_t reassembled = 0;           // datagrams completed from fragments
  std::array<uint64_t, tunnel_kind_count> tunnels{};  // packets decapsulated, by kind
  std::array<uint64_t, drop_reason_count> drops{};
};

enum class decode_status : uint8_t {
  packet,    // `out` holds a packet
  pending,   // a fragment was stored; no packet yet
  dropped,   // see the drop counters (and `last_drop`)
};

class fragment_reassembler;
struct fragment_frames;
struct fragment_key;

class packet_decoder {
 public:
  explicit packet_decoder(decoder_limits limits = {});
  ~packet_decoder();
  packet_decoder(packet_decoder&&) noexcept;
  packet_decoder& operator=(packet_decoder&&) noexcept;

  // Decodes `frame` (the captured bytes). On `packet`, `out.payload_offset` is relative to
  // `frame.data()` unless out.payload_in_arena, in which case the reassembled payload was
  // appended to `arena` and the offset is into `arena`. `frame_index` is copied into `out`.
  // `wirelen` (0 = the captured length) is kept with a fragment's frame (see
  // last_fragment_frames).
  decode_status decode(int link, timestamp_ns ts, std::span<const uint8_t> frame,
                       uint32_t frame_index, decoded_packet& out, std::vector<uint8_t>& arena,
                       uint32_t wirelen = 0);

  // Drops incomplete datagrams older than the timeout relative to `now` (packet time).
  void expire(timestamp_ns now);

  drop_reason last_drop() const { return last_drop_; }
  const decoder_counters& counters() const { return counters_; }
  // TCP sequence number and flags (FIN 0x01, SYN 0x02, RST 0x04) of the last decoded packet
  // when it was TCP; the reassembler reads them.
  bool last_has_tcp_header() const { return tcp_valid_; }  // false for HEP-carried TCP
  uint32_t last_tcp_seq() const { return tcp_seq_; }
  uint8_t last_tcp_flags() const { return tcp_flags_; }
  // When the last decoded frame completed an IP datagram: the captured frames of its earlier
  // fragments (copies, in arrival order); nullptr otherwise. Valid until the next decode.
  const fragment_frames* last_fragment_frames() const;

 private:
  // Where the decoder currently reads: `base` is the frame, or the arena after reassembly.
  struct cursor {
    const uint8_t* base;
    size_t off;  // start of the current header
    size_t end;  // end of the current IP datagram (trailing link padding trimmed)
  };
  enum class l3_kind : uint8_t { ipv4, ipv6, guess };

  decode_status drop(drop_reason r) {
    ++counters_.drops[static_cast<size_t>(r)];
    last_drop_ = r;
    return decode_status::dropped;
  }
  // Positions travel as scalars, not as a cursor by value: a struct copied through memory
  // costs a store-forwarding stall per call on the hot path.
  decode_status decode_ethertype(uint16_t type, const uint8_t* base, size_t off, size_t end,
                                 decoded_packet& out, std::vector<uint8_t>& arena);
  decode_status decode_ip(l3_kind kind, const uint8_t* base, size_t off, size_t end,
                          decoded_packet& out, std::vector<uint8_t>& arena);
  decode_status reassemble(const fragment_key& key, uint32_t frag_offset, bool more, cursor& c,
                           decoded_packet& out, std::vector<uint8_t>& arena);
  decode_status decode_l4(uint8_t proto, const uint8_t* base, size_t off, size_t end,
                          decoded_packet& out, std::vector<uint8_t>& arena);
  // Tunnels (tunnel_layer.cpp). decode_udp_tunnel returns false when the payload is not the
  // tunnel its port suggested, so the packet stays plain UDP.
  bool enter_tunnel(tunnel_kind k);
  decode_status decode_ethernet(const uint8_t* base, size_t off, size_t end, decoded_packet& out,
                                std::vector<uint8_t>& arena);
  decode_status decode_gre(const uint8_t* base, size_t off, size_t end, decoded_packet& out,
                           std::vector<uint8_t>& arena);
  bool decode_udp_tunnel(const uint8_t* base, size_t off, size_t end, decoded_packet& out,
                         std::vector<uint8_t>& arena, decode_status& st);
  // L2TPv3 data messages carrying an Ethernet pseudowire (tunnel_layer.cpp); `off` is the
  // session id (over IP) or the UDP header (over UDP). Over UDP, false when it is not L2TPv3.
  bool decode_l2tp(const uint8_t* base, size_t off, size_t end, bool over_udp,
                   decoded_packet& out, std::vector<uint8_t>& arena, decode_status& st);
  // HEP v1/v2/v3 (hep_layer.cpp); `at` is the first byte of the HEP message; same contract
  // as decode_udp_tunnel.
  bool decode_hep(const uint8_t* base, size_t at, size_t end, decoded_packet& out,
                  std::vector<uint8_t>& arena, decode_status& st);

  decoder_limits limits_;
  decoder_counters counters_;
  drop_reason last_drop_ = drop_reason::truncated;
  timestamp_ns last_expiry_check_ = 0;
  timestamp_ns now_ = 0;  // timestamp of the frame being decoded
  // Tunnel state of the current frame, reset lazily by enter_tunnel (no store on the plain
  // path): valid while tunnel_frame_ == counters_.frames.
  uint64_t tunnel_frame_ = 0;
  int tunnel_depth_ = 0;       // tunnels entered while decoding the current frame
  uint32_t tunnels_seen_ = 0;  // bit per tunnel_kind, for counting once per packet
  uint32_t tcp_seq_ = 0;
  uint8_t tcp_flags_ = 0;
  bool tcp_valid_ = false;  // set by every TCP header, cleared by HEP (read only for TCP)
  std::vector<uint8_t> inflate_;  // HEP compressed payloads, reused
  std::unique_ptr<fragment_reassembler> fragments_;
  std::span<const uint8_t> frame_;     // the frame being decoded (kept with its fragment)
  uint32_t frame_wirelen_ = 0;
  uint64_t completed_frame_ = 0;       // counters_.frames of the last frame that completed a datagram
};

}  // namespace voxmon::core
