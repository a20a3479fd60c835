#include "core/g711_audio.hpp"

#include <algorithm>
#include <numeric>

#include "core/packet_decoder.hpp"
#include "core/pcap_writer.hpp"
#include "core/rtp.hpp"
#include "core/sdp.hpp"

namespace voxmon::core {

// ---- G.711 (ITU-T G.711, tables 1 and 2) ----
//
// A code word is a sign bit, a 3-bit segment (chord) number e and a 4-bit step m.
// u-law: the transmitted word is the complement of (sign, e, m); sign 1 means positive. The
// decoded 14-bit magnitude is (2m + 33) * 2^e - 33, so segment 0 starts at 0 and segment 7
// ends at 8031; scaled by 4 to 16 bits that is ((8m + 132) << e) - 132.
int16_t pcmu_to_linear(uint8_t code) {
  const uint8_t word = static_cast<uint8_t>(~code);
  const bool negative = (word & 0x80) != 0;  // after complementing: sign bit 0 = positive
  const int segment = (word >> 4) & 0x07;
  const int step = word & 0x0F;
  const int magnitude = (((step << 3) + 132) << segment) - 132;
  return static_cast<int16_t>(negative ? -magnitude : magnitude);
}

// A-law: the transmitted word has its even bits (0x55) inverted; sign 1 means positive. The
// decoded 13-bit magnitude is 2m + 1 in segment 0 and (2m + 33) * 2^(e-1) in segment e >= 1
// (1..4032); scaled by 8 to 16 bits that is 16m + 8, and ((16m + 264) << (e - 1)).
int16_t pcma_to_linear(uint8_t code) {
  const uint8_t word = code ^ 0x55;
  const bool positive = (word & 0x80) != 0;
  const int segment = (word >> 4) & 0x07;
  const int step = word & 0x0F;
  const int magnitude = segment == 0 ? (step << 4) + 8 : ((step << 4) + 264) << (segment - 1);
  return static_cast<int16_t>(positive ? magnitude : -magnitude);
}

// ---- streams ----

void rtp_stream::count(uint8_t payload_type) {
  ++packets;
  ++packets_by_type[payload_type & 0x7F];
}

void rtp_stream::add(uint16_t sequence, uint32_t timestamp, uint8_t payload_type,
                     std::span<const uint8_t> payload) {
  count(payload_type);
  kept.push_back({sequence, timestamp, payload_type, static_cast<uint32_t>(payload_bytes.size()),
                  static_cast<uint32_t>(payload.size())});
  payload_bytes.insert(payload_bytes.end(), payload.begin(), payload.end());
}

uint8_t rtp_stream::main_payload_type() const {
  const auto most = std::max_element(packets_by_type.begin(), packets_by_type.end());
  return static_cast<uint8_t>(most - packets_by_type.begin());
}

bool read_call_rtp(const std::vector<std::filesystem::path>& files, call_rtp& out,
                   std::string& error, std::optional<size_t> keep_payload_of) {
  out = call_rtp{};
  packet_decoder decoder;
  std::vector<uint8_t> arena;
  uint32_t frame_index = 0;
  for (const auto& file : files) {
    int link = link_ethernet;
    auto on_record = [&](const pcap_record& r) {
      ++out.frames;
      if (r.data.size() < r.wirelen) {  // savertp = header: cut after the RTP header
        ++out.cut_frames;
        return;
      }
      decoded_packet p;
      arena.clear();
      if (decoder.decode(link, r.ts, r.data, frame_index++, p, arena, r.wirelen) != decode_status::packet ||
          p.proto != l4_protocol::udp) {
        ++out.not_rtp;
        return;
      }
      const uint8_t* base = p.payload_in_arena ? arena.data() : r.data.data();
      const std::span<const uint8_t> udp(base + p.payload_offset, p.payload_length);
      const auto h = looks_like_rtcp(udp) ? std::nullopt : parse_rtp(udp);
      if (!h) {
        ++out.not_rtp;
        return;
      }
      const rtp_stream_key key{p.src, p.dst, h->ssrc};
      auto it = std::find_if(out.streams.begin(), out.streams.end(),
                             [&](const rtp_stream& s) { return s.key == key; });
      if (it == out.streams.end()) {
        out.streams.emplace_back().key = key;
        it = out.streams.end() - 1;
      }
      if (keep_payload_of && *keep_payload_of == static_cast<size_t>(it - out.streams.begin()))
        it->add(h->sequence, h->timestamp, h->payload_type, udp.subspan(h->payload_offset, h->payload_length));
      else
        it->count(h->payload_type);
    };
    if (!read_pcap_file(file.string(), [&](int lt) { link = lt; }, on_record, error))
      return false;
  }
  return true;
}

std::string codec_name(uint8_t payload_type) {
  if (auto name = static_payload_name(payload_type); !name.empty())
    return std::string(name);
  return (payload_type >= 96 ? "dynamic PT " : "PT ") + std::to_string(payload_type);
}

std::vector<audio_stream_info> list_audio_streams(const call_rtp& rtp) {
  std::vector<audio_stream_info> out;
  for (size_t i = 0; i < rtp.streams.size(); ++i) {
    const auto& s = rtp.streams[i];
    audio_stream_info info;
    info.index = i;
    info.key = s.key;
    info.payload_type = s.main_payload_type();
    info.codec = codec_name(info.payload_type);
    info.packets = s.packets;
    info.playable = info.payload_type == payload_type_pcmu || info.payload_type == payload_type_pcma;
    const std::string what = info.payload_type >= 96
                                 ? "payload type " + std::to_string(info.payload_type) + " (dynamic: a codec the SDP named)"
                                 : info.codec + " (payload type " + std::to_string(info.payload_type) + ")";
    if (!info.playable)
      info.reason = what + " is not G.711: only PCMU (0) and PCMA (8) can be played";
    out.push_back(std::move(info));
  }
  return out;
}

// ---- placing a stream's samples ----

namespace {

struct placed_packet {
  int64_t sequence;   // unwrapped
  int64_t timestamp;  // unwrapped
  size_t index;       // into stream.kept (arrival order)
};

// Sequence numbers and timestamps continued across their wrap, each relative to the previous
// packet to arrive (packets are never reordered by half the number space).
std::vector<placed_packet> unwrap(const rtp_stream& s) {
  std::vector<placed_packet> out;
  out.reserve(s.kept.size());
  int64_t seq = 0, ts = 0;
  for (size_t i = 0; i < s.kept.size(); ++i) {
    const auto& k = s.kept[i];
    if (i > 0) {
      const auto& prev = s.kept[i - 1];
      seq += static_cast<int16_t>(static_cast<uint16_t>(k.sequence - prev.sequence));
      ts += static_cast<int32_t>(k.timestamp - prev.timestamp);
    }
    out.push_back({seq, ts, i});
  }
  return out;
}

}  // namespace

g711_audio decode_g711_stream(const rtp_stream& s, uint64_t max_samples) {
  g711_audio audio;
  std::vector<placed_packet> packets = unwrap(s);
  // The first arrival of each sequence number.
  std::stable_sort(packets.begin(), packets.end(),
                   [](const placed_packet& a, const placed_packet& b) { return a.sequence < b.sequence; });
  const auto last_unique = std::unique(packets.begin(), packets.end(), [](const placed_packet& a, const placed_packet& b) {
    return a.sequence == b.sequence;
  });
  audio.duplicates = static_cast<uint64_t>(packets.end() - last_unique);
  packets.erase(last_unique, packets.end());
  std::erase_if(packets, [&](const placed_packet& p) {
    const uint8_t pt = s.kept[p.index].payload_type;
    const bool g711 = pt == payload_type_pcmu || pt == payload_type_pcma;
    audio.not_g711 += g711 ? 0 : 1;
    return !g711 || s.kept[p.index].payload_length == 0;
  });
  if (packets.empty())
    return audio;
  std::stable_sort(packets.begin(), packets.end(),
                   [](const placed_packet& a, const placed_packet& b) { return a.timestamp < b.timestamp; });
  const int64_t origin = packets.front().timestamp;
  uint64_t end = 0;
  for (const auto& p : packets)
    end = std::max(end, static_cast<uint64_t>(p.timestamp - origin) + s.kept[p.index].payload_length);
  if (end > max_samples) {
    audio.cut = true;
    audio.note = "the stream spans " + std::to_string(end / g711_sample_rate) + " s of audio: cut to the first " +
                 std::to_string(max_samples / g711_sample_rate) + " s";
    end = max_samples;
  }
  audio.samples.assign(end, 0);
  uint64_t filled_to = 0;  // samples before this are written (packets come in timestamp order)
  uint64_t written = 0;
  for (const auto& p : packets) {
    const auto& k = s.kept[p.index];
    const uint64_t start = static_cast<uint64_t>(p.timestamp - origin);
    const uint64_t first = std::max(start, filled_to);
    const uint64_t stop = std::min<uint64_t>(start + k.payload_length, end);
    if (first >= stop)
      continue;
    const uint8_t* code = s.payload_bytes.data() + k.payload_offset;
    const bool ulaw = k.payload_type == payload_type_pcmu;
    for (uint64_t at = first; at < stop; ++at)
      audio.samples[at] = ulaw ? pcmu_to_linear(code[at - start]) : pcma_to_linear(code[at - start]);
    written += stop - first;
    filled_to = stop;
    ++audio.packets_used;
  }
  audio.silence_samples = end - written;
  return audio;
}

// ---- WAV ----

std::string wav_header(uint32_t samples) {
  constexpr uint16_t channels = 1, bits = 16, block_align = channels * bits / 8;
  const uint32_t data_bytes = samples * block_align;
  std::string h;
  h.reserve(44);
  h += "RIFF";
  append_le(h, uint32_t{36} + data_bytes);  // the rest of the file after this field
  h += "WAVEfmt ";
  append_le(h, uint32_t{16});  // fmt chunk size
  append_le(h, uint16_t{1});   // PCM
  append_le(h, channels);
  append_le(h, g711_sample_rate);
  append_le(h, uint32_t{g711_sample_rate * block_align});  // bytes per second
  append_le(h, block_align);
  append_le(h, bits);
  h += "data";
  append_le(h, data_bytes);
  return h;
}

std::string wav_file(const std::vector<int16_t>& samples) {
  std::string out = wav_header(static_cast<uint32_t>(samples.size()));
  out.reserve(out.size() + samples.size() * 2);
  for (const int16_t v : samples)
    append_le(out, static_cast<uint16_t>(v));
  return out;
}

}  // namespace voxmon::core
