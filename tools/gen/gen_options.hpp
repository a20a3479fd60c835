#pragma once
// voxmon-gen: options, call outcomes and the codec table. The generator is the ground truth for
// voxmon's tests, so it shares no code with core/.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace voxmon::gen {

enum class outcome : uint8_t {
  answered, busy, declined, cancel, noanswer, unanswered, redirect, forked
};
inline constexpr std::array<const char*, 8> outcome_names{
    "answered", "busy", "declined", "cancel", "noanswer", "unanswered", "redirect", "forked"};

struct codec_info {
  const char* name;     // as written in --codecs
  uint8_t pt;           // RTP payload type
  uint32_t clock;       // RTP clock rate
  uint32_t ts_step;     // RTP timestamp increment per 20 ms packet
  uint16_t payload;     // payload bytes per packet (opus: base size, varies per packet)
  const char* rtpmap;   // a=rtpmap encoding/clock[/channels]
  const char* fmtp;     // a=fmtp parameters or nullptr
};
inline constexpr std::array<codec_info, 5> codec_table{{
    {"PCMU", 0, 8000, 160, 160, "PCMU/8000", nullptr},
    {"PCMA", 8, 8000, 160, 160, "PCMA/8000", nullptr},
    {"G722", 9, 8000, 160, 160, "G722/8000", nullptr},
    {"G729", 18, 8000, 160, 20, "G729/8000", "annexb=no"},
    {"opus", 111, 48000, 960, 60, "opus/48000/2", "useinbandfec=1"},
}};

enum class link_kind : uint8_t { ethernet, sll };
enum class tunnel_kind : uint8_t { none, gre, erspan, vxlan, l2tpv3 };
enum class tcp_mode : uint8_t { whole, split, coalesce, mixed };
enum class jitter_dist : uint8_t { normal, exponential };

struct gen_options {
  std::string output;                 // pcap path
  std::string truth;                  // JSON Lines path (default output + ".truth.jsonl")
  uint64_t seed = 1;
  uint64_t calls = 100;
  double cps = 1.0;                   // call attempts per second (Poisson arrivals)
  uint64_t concurrency = 0;           // > 0: that many calls at once, back to back
  double duration_mean = 30;          // talk time of answered calls, seconds
  double duration_min = 15;
  double duration_max = 45;
  int64_t start_ns = 0;               // capture time origin (UTC, ns since the epoch)
  std::array<double, 8> outcome_weights{70, 10, 5, 5, 5, 5, 0, 0};
  std::array<double, 5> codec_weights{1, 1, 1, 1, 1};
  bool exact_mix = false;             // quotas instead of independent draws
  double loss = 0;                    // per RTP packet, per direction
  double jitter_ms = 0;               // scale of the random part of the RTP network delay
  jitter_dist jitter_kind = jitter_dist::normal;
  std::optional<uint16_t> vlan;
  bool ipip = false;
  bool ipv6 = false;
  bool fragment_sip = false;
  link_kind link = link_kind::ethernet;
  uint32_t id_sensor = 0;
  int64_t quantum_ns = 1;             // 1 (nanosecond pcap) or 1000 (microsecond pcap)
  bool quiet = false;
  // Media features and impairments (per stream or per call; drawn from their own generators,
  // so that turning one on does not move any other random value).
  double reinvite = 0;        // answered calls with hold/unhold re-INVITEs
  double dtmf = 0;            // streams with one RFC 4733 telephone-event (PT 101)
  double cn = 0;              // 8 kHz streams with a silence period sent as comfort noise (PT 13)
  double dup = 0;             // per packet: captured twice
  double ge_p = 0, ge_r = 1;  // Gilbert-Elliott: P(good->bad), P(bad->good); all lost in bad
  double ssrc_change = 0;     // streams whose sender switches SSRC (new seq/ts) mid-call
  double one_way = 0;         // answered calls where the callee sends no RTP
  double orphan = 0;          // calls with one extra RTP stream that no SIP announces
  bool hold_open = false;     // answered calls never send BYE (still open when the file ends)
  bool rtcp = false;          // RTCP SR (+RR block) every 5 s from each sending party
  bool tcp = false;           // SIP over TCP
  tcp_mode tcp_segments = tcp_mode::whole;
  tunnel_kind tunnel = tunnel_kind::none;
  bool pcapng = false;
  bool noise_payload = false;  // RTP payloads of pseudo-random bytes instead of a filler pattern
};

}  // namespace voxmon::gen
