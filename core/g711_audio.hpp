#pragma once
// The audio of a call's saved RTP (its spool RTP pcap, savertp = yes): the RTP streams grouped
// by (source, destination, SSRC), and for a G.711 stream (PCMU payload type 0, PCMA 8) its
// samples as 16-bit linear PCM placed by RTP timestamp, written as a RIFF/WAVE file (PCM,
// 16 bits, mono, 8000 Hz). Used by the GUI's /api/cdr/ID/audio (docs/GUI.md). No actors.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

// ITU-T G.711 decoders: one code word -> 16-bit linear (the standard's 14-bit u-law and
// 13-bit A-law values scaled to 16 bits: u-law -32124..32124, A-law -32256..32256).
int16_t pcmu_to_linear(uint8_t code);
int16_t pcma_to_linear(uint8_t code);

inline constexpr uint8_t payload_type_pcmu = 0;
inline constexpr uint8_t payload_type_pcma = 8;
inline constexpr uint32_t g711_sample_rate = 8000;
// The longest audio made of one stream: 4 hours (a longer stream is cut, with a note).
inline constexpr uint64_t max_audio_samples = uint64_t{4} * 3600 * g711_sample_rate;

struct rtp_stream_key {
  endpoint src, dst;
  uint32_t ssrc = 0;
  friend bool operator==(const rtp_stream_key&, const rtp_stream_key&) = default;
};

// One RTP packet as captured; its payload is `rtp_stream::payload_bytes[offset, offset+length)`.
struct rtp_audio_packet {
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint8_t payload_type = 0;
  uint32_t payload_offset = 0;
  uint32_t payload_length = 0;
};

struct rtp_stream {
  rtp_stream_key key;
  uint64_t packets = 0;                        // RTP packets seen, every payload type
  std::array<uint64_t, 128> packets_by_type{};
  // The packets in arrival order, with their payloads: only when kept (read_call_rtp's
  // `keep_payload_of`, or built by hand).
  std::vector<rtp_audio_packet> kept;
  std::vector<uint8_t> payload_bytes;

  void count(uint8_t payload_type);  // a packet seen, payload not kept
  void add(uint16_t sequence, uint32_t timestamp, uint8_t payload_type,
           std::span<const uint8_t> payload);  // a packet seen and kept
  // The payload type most packets carry (the lowest on a tie).
  uint8_t main_payload_type() const;
};

struct call_rtp {
  std::vector<rtp_stream> streams;  // in order of their first packet
  uint64_t frames = 0;              // frames read from the files
  uint64_t not_rtp = 0;             // RTCP, non-UDP, not RTP version 2
  uint64_t cut_frames = 0;          // frames captured shorter than on the wire: not used
  // savertp = header: the files hold RTP cut after the header, so no stream has a payload.
  bool headers_only() const { return streams.empty() && cut_frames > 0; }
};

// Reads a call's RTP pcap files (plain or gzip, in order) through core's packet decoder and
// groups their RTP by stream. The payloads of stream number `keep_payload_of` (its index in
// `streams`, as a read without it numbers them) are kept. false + error when a file cannot
// be read.
bool read_call_rtp(const std::vector<std::filesystem::path>& files, call_rtp& out,
                   std::string& error, std::optional<size_t> keep_payload_of = std::nullopt);

// "PCMU", "PCMA", "G722", "G729", ... for the static payload types; "dynamic PT 111" otherwise.
std::string codec_name(uint8_t payload_type);

struct audio_stream_info {
  size_t index = 0;
  rtp_stream_key key;
  uint8_t payload_type = 0;  // the main one
  std::string codec;
  uint64_t packets = 0;
  bool playable = false;     // G.711 (PCMU or PCMA)
  std::string reason;        // why not, when not playable
};
std::vector<audio_stream_info> list_audio_streams(const call_rtp& rtp);

// A stream's G.711 packets decoded and placed by RTP timestamp (sequence numbers and
// timestamps unwrapped across their wrap): sample 0 is the lowest timestamp that arrived;
// a later copy of a sequence number is ignored; time no packet covers (loss, comfort noise,
// DTMF events, other payload types) is silence; where packets overlap the earlier timestamp
// wins. At most `max_samples` samples (then `cut` and a note).
struct g711_audio {
  std::vector<int16_t> samples;
  uint64_t packets_used = 0;
  uint64_t duplicates = 0;       // sequence numbers seen again
  uint64_t not_g711 = 0;         // packets of other payload types (silence in their place)
  uint64_t silence_samples = 0;  // samples no packet covered
  bool cut = false;
  std::string note;              // what was cut, when cut
};
g711_audio decode_g711_stream(const rtp_stream& stream, uint64_t max_samples = max_audio_samples);

// The 44-byte RIFF/WAVE header of `samples` 16-bit mono samples at 8000 Hz.
std::string wav_header(uint32_t samples);
// Header and samples (little endian): a whole .wav file.
std::string wav_file(const std::vector<int16_t>& samples);

}  // namespace voxmon::core
