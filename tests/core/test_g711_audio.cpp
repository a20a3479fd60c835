// G.711 audio of a call's saved RTP (core/g711_audio.hpp): the decoders against the values of
// ITU-T G.711, the WAV header byte by byte, placing packets by timestamp (gaps, duplicates,
// reordering, wrap, the length bound), and reading streams from a pcap file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/g711_audio.hpp"
#include "core/pcap_writer.hpp"

using namespace voxmon::core;

namespace {

// G.711 code words of `n` equal samples (u-law 0xFF and A-law 0xD5 are the smallest positive).
std::vector<uint8_t> codes(size_t n, uint8_t code) { return std::vector<uint8_t>(n, code); }

// u-law 0x80 is +32124, 0x00 is -32124: packets told apart by their sample values.
constexpr uint8_t loud = 0x80, quiet_negative = 0x00, zero_u = 0xFF;

std::vector<int16_t> run_of(size_t n, int16_t v) { return std::vector<int16_t>(n, v); }
std::vector<int16_t> concat(std::initializer_list<std::vector<int16_t>> parts) {
  std::vector<int16_t> out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("G.711 u-law decodes to the standard's values", "[g711]") {
  // 14-bit value of segment e, step m: (2m + 33) * 2^e - 33; x4 for 16 bits.
  CHECK(pcmu_to_linear(0xFF) == 0);       // e 0, m 0, positive: (33 - 33) * 4
  CHECK(pcmu_to_linear(0x7F) == 0);       // the same magnitude, negative
  CHECK(pcmu_to_linear(0x80) == 32124);   // e 7, m 15: (63 * 128 - 33) * 4 = 8031 * 4
  CHECK(pcmu_to_linear(0x00) == -32124);
  CHECK(pcmu_to_linear(0xF0) == 120);     // e 0, m 15: (63 - 33) * 4
  CHECK(pcmu_to_linear(0xEF) == 132);     // e 1, m 0: (66 - 33) * 4
  CHECK(pcmu_to_linear(0xDA) == 556);     // e 2, m 5: (43 * 4 - 33) * 4
  CHECK(pcmu_to_linear(0x5A) == -556);
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    INFO("code " << c);
    CHECK(pcmu_to_linear(code) == -pcmu_to_linear(code ^ 0x80));  // the sign bit alone
  }
  // Within a segment the steps are 2^(e+1) 14-bit units apart (2^(e+3) at 16 bits).
  for (int e = 0; e < 8; ++e)
    for (int m = 0; m < 15; ++m) {
      const auto code = static_cast<uint8_t>(~(e << 4 | m));  // positive, segment e, step m
      CHECK(pcmu_to_linear(static_cast<uint8_t>(code - 1)) - pcmu_to_linear(code) == (1 << (e + 3)));
    }
}

TEST_CASE("G.711 A-law decodes to the standard's values", "[g711]") {
  // 13-bit value: 2m + 1 in segment 0, (2m + 33) * 2^(e-1) above; x8 for 16 bits. The word
  // is sent with its even bits inverted (xor 0x55); sign bit 1 is positive.
  CHECK(pcma_to_linear(0xD5) == 8);        // 0x80 after inversion: positive, e 0, m 0: 1 * 8
  CHECK(pcma_to_linear(0x55) == -8);
  CHECK(pcma_to_linear(0xAA) == 32256);    // 0xFF: positive, e 7, m 15: 63 * 64 * 8 = 4032 * 8
  CHECK(pcma_to_linear(0x2A) == -32256);   // 0x7F: sign bit 0, negative
  CHECK(pcma_to_linear(0xDA) == 248);      // 0x8F: e 0, m 15: 31 * 8
  CHECK(pcma_to_linear(0xC5) == 264);      // 0x90: e 1, m 0: 33 * 8
  CHECK(pcma_to_linear(0xF5) == 528);      // 0xA0: e 2, m 0: 33 * 2 * 8
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    INFO("code " << c);
    CHECK(pcma_to_linear(code) == -pcma_to_linear(code ^ 0x80));
    CHECK(pcma_to_linear(code) != 0);  // A-law has no zero
  }
  for (int e = 0; e < 8; ++e)
    for (int m = 0; m < 15; ++m) {
      const auto code = static_cast<uint8_t>((0x80 | e << 4 | m) ^ 0x55);
      const auto next = static_cast<uint8_t>((0x80 | e << 4 | (m + 1)) ^ 0x55);
      CHECK(pcma_to_linear(next) - pcma_to_linear(code) == (e == 0 ? 16 : 16 << (e - 1)));
    }
}

TEST_CASE("the WAV header is RIFF PCM 16-bit mono 8000 Hz, byte for byte", "[g711]") {
  const std::string h = wav_header(3);
  const std::vector<uint8_t> expected = {
      'R', 'I', 'F', 'F', 42, 0, 0, 0,  // 36 + 6 bytes of data
      'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
      16, 0, 0, 0,                       // fmt chunk size
      1, 0,                              // PCM
      1, 0,                              // mono
      0x40, 0x1F, 0, 0,                  // 8000 Hz
      0x80, 0x3E, 0, 0,                  // 16000 bytes per second
      2, 0,                              // block align
      16, 0,                             // bits per sample
      'd', 'a', 't', 'a', 6, 0, 0, 0};
  CHECK(std::vector<uint8_t>(h.begin(), h.end()) == expected);
  const std::string f = wav_file({1, -2, 0x1234});
  REQUIRE(f.size() == 50);
  CHECK(f.substr(0, 44) == h);
  CHECK(f.substr(44) == std::string("\x01\x00\xFE\xFF\x34\x12", 6));
  const std::string big = wav_header(115'200'000);  // 4 hours
  CHECK(read_le32(reinterpret_cast<const uint8_t*>(big.data()) + 40) == 230'400'000u);
  CHECK(read_le32(reinterpret_cast<const uint8_t*>(big.data()) + 4) == 230'400'036u);
}

TEST_CASE("G.711 packets are placed by timestamp: gaps are silence, duplicates ignored", "[g711]") {
  rtp_stream s;
  s.add(100, 1000, 0, codes(160, loud));
  s.add(101, 1160, 0, codes(160, quiet_negative));
  s.add(101, 1160, 0, codes(160, loud));            // a duplicate: the first copy counts
  // 102 and 103 lost
  s.add(104, 1640, 8, codes(160, 0xD5));            // PCMA in the same stream: +8
  s.add(105, 1800, 101, codes(4, 0x01));            // telephone-event: silence in its place
  s.add(106, 1960, 0, codes(80, zero_u));
  const auto a = decode_g711_stream(s);
  CHECK(a.duplicates == 1);
  CHECK(a.not_g711 == 1);
  CHECK(a.packets_used == 4);
  CHECK_FALSE(a.cut);
  CHECK(a.samples.size() == 960 + 80);
  CHECK(a.silence_samples == 320 + 160);  // the lost pair and the event (the last packet's zeros are decoded)
  CHECK(a.samples == concat({run_of(160, 32124), run_of(160, -32124), run_of(320, 0), run_of(160, 8),
                             run_of(160, 0), run_of(80, 0)}));
}

TEST_CASE("G.711 placement survives reordering and the wrap of sequence and timestamp", "[g711]") {
  rtp_stream s;
  // Arrival order: 65534, 0 (overtook 65535), 65535, 1. Timestamps wrap between 65535 and 0.
  s.add(65534, 0xFFFFFEC0u, 0, codes(160, loud));        // -320
  s.add(0, 0x00000000u, 0, codes(160, 0xF0));             // +120
  s.add(65535, 0xFFFFFF60u, 0, codes(160, quiet_negative));  // -160
  s.add(1, 0x000000A0u, 0, codes(160, zero_u));
  s.add(0, 0x00000000u, 0, codes(160, loud));              // a late duplicate after the wrap
  auto a = decode_g711_stream(s);
  CHECK(a.duplicates == 1);
  CHECK(a.silence_samples == 0);
  CHECK(a.samples == concat({run_of(160, 32124), run_of(160, -32124), run_of(160, 120), run_of(160, 0)}));

  SECTION("a packet that overtook the first arrival moves the origin back") {
    rtp_stream t;
    t.add(11, 5160, 0, codes(160, loud));
    t.add(10, 5000, 0, codes(160, quiet_negative));
    const auto b = decode_g711_stream(t);
    CHECK(b.samples == concat({run_of(160, -32124), run_of(160, 32124)}));
  }
  SECTION("overlapping timestamps: the earlier packet wins, the rest of the later one is kept") {
    rtp_stream t;
    t.add(1, 0, 0, codes(160, loud));
    t.add(2, 80, 0, codes(160, quiet_negative));
    const auto b = decode_g711_stream(t);
    CHECK(b.samples == concat({run_of(160, 32124), run_of(80, -32124)}));
  }
}

TEST_CASE("a G.711 stream longer than the bound is cut with a note", "[g711]") {
  rtp_stream s;
  s.add(1, 0, 0, codes(160, loud));
  s.add(2, 8000 * 10, 0, codes(160, loud));  // 10 s later
  const auto a = decode_g711_stream(s, 8000 * 5);
  CHECK(a.cut);
  CHECK(a.samples.size() == 8000 * 5);
  CHECK(a.note == "the stream spans 10 s of audio: cut to the first 5 s");
  CHECK(a.packets_used == 1);
  CHECK(decode_g711_stream(rtp_stream{}).samples.empty());
  CHECK(max_audio_samples == 115'200'000u);
}

namespace {

// Ethernet + IPv4 + UDP 10.0.0.1:4000 -> 10.0.0.2:5000 around `udp_payload`.
std::vector<uint8_t> udp_frame(const std::vector<uint8_t>& udp_payload, uint8_t src_host = 1) {
  std::vector<uint8_t> f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00};
  const size_t ip_len = 20 + 8 + udp_payload.size();
  const std::vector<uint8_t> ip = {0x45, 0, static_cast<uint8_t>(ip_len >> 8), static_cast<uint8_t>(ip_len), 0, 0, 0x40, 0,
                                   64, 17, 0, 0, 10, 0, 0, src_host, 10, 0, 0, 2};
  f.insert(f.end(), ip.begin(), ip.end());
  const size_t udp_len = 8 + udp_payload.size();
  const std::vector<uint8_t> udp = {0x0F, 0xA0, 0x13, 0x88, static_cast<uint8_t>(udp_len >> 8), static_cast<uint8_t>(udp_len), 0, 0};
  f.insert(f.end(), udp.begin(), udp.end());
  f.insert(f.end(), udp_payload.begin(), udp_payload.end());
  return f;
}

std::vector<uint8_t> rtp(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payload, uint8_t fill) {
  std::vector<uint8_t> b = {0x80, pt, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
                            static_cast<uint8_t>(ts >> 24), static_cast<uint8_t>(ts >> 16), static_cast<uint8_t>(ts >> 8),
                            static_cast<uint8_t>(ts), static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  b.resize(b.size() + payload, fill);
  return b;
}

std::filesystem::path fresh_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "voxmon-core-tests";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::filesystem::remove(p);
  return p;
}

}  // namespace

TEST_CASE("read_call_rtp groups a pcap's RTP by stream and keeps one stream's payload", "[g711]") {
  const auto path = fresh_file("g711-streams.pcap.gz");
  std::string error;
  {
    auto f = pcap_file::open(path.string(), 1, pcap_compression::gzip, error);
    REQUIRE(f);
    const timestamp_ns t0 = 1'700'000'000 * ns_per_second;
    for (uint16_t i = 0; i < 5; ++i) {
      const auto a = udp_frame(rtp(0, i, 160u * i, 0xA1, 160, loud));
      REQUIRE(f->append(t0 + i * 20'000'000, a, static_cast<uint32_t>(a.size()), error));
      const auto b = udp_frame(rtp(18, i, 160u * i, 0xB2, 20, 0x33), 3);  // G.729 from another host
      REQUIRE(f->append(t0 + i * 20'000'000 + 1, b, static_cast<uint32_t>(b.size()), error));
    }
    // RTCP (SR, packet type 200) and a non-RTP datagram are not streams.
    std::vector<uint8_t> sr = {0x80, 200, 0, 6, 0, 0, 0, 0xA1};
    sr.resize(28, 0);
    const auto rtcp = udp_frame(sr);
    REQUIRE(f->append(t0 + 200'000'000, rtcp, static_cast<uint32_t>(rtcp.size()), error));
    const auto junk = udp_frame({1, 2, 3});
    REQUIRE(f->append(t0 + 200'000'001, junk, static_cast<uint32_t>(junk.size()), error));
    REQUIRE(f->close(error));
  }
  call_rtp all;
  REQUIRE(read_call_rtp({path}, all, error));
  CHECK(all.frames == 12);
  CHECK(all.not_rtp == 2);
  CHECK(all.cut_frames == 0);
  CHECK_FALSE(all.headers_only());
  REQUIRE(all.streams.size() == 2);
  CHECK(all.streams[0].kept.empty());  // nothing kept unless asked
  const auto list = list_audio_streams(all);
  CHECK(list[0].codec == "PCMU");
  CHECK(list[0].packets == 5);
  CHECK(list[0].playable);
  CHECK(list[0].key.ssrc == 0xA1);
  CHECK(list[0].key.src.to_string() == "10.0.0.1:4000");
  CHECK(list[0].key.dst.to_string() == "10.0.0.2:5000");
  CHECK(list[1].codec == "G729");
  CHECK_FALSE(list[1].playable);
  CHECK(list[1].reason == "G729 (payload type 18) is not G.711: only PCMU (0) and PCMA (8) can be played");
  CHECK(codec_name(111) == "dynamic PT 111");
  call_rtp opus;
  opus.streams.emplace_back().count(111);
  CHECK(list_audio_streams(opus)[0].reason ==
        "payload type 111 (dynamic: a codec the SDP named) is not G.711: only PCMU (0) and PCMA (8) can be played");

  call_rtp first;
  REQUIRE(read_call_rtp({path}, first, error, 0));
  REQUIRE(first.streams[0].kept.size() == 5);
  CHECK(first.streams[1].kept.empty());
  const auto audio = decode_g711_stream(first.streams[0]);
  CHECK(audio.samples == run_of(800, 32124));

  CHECK_FALSE(read_call_rtp({fresh_file("missing.pcap")}, all, error));
  CHECK(error.find("missing.pcap") != std::string::npos);
}

TEST_CASE("RTP saved as headers only has no stream to play", "[g711]") {
  const auto path = fresh_file("g711-headers.pcap");
  std::string error;
  {
    auto f = pcap_file::open(path.string(), 1, pcap_compression::none, error);
    REQUIRE(f);
    for (uint16_t i = 0; i < 3; ++i) {
      const auto whole = udp_frame(rtp(0, i, 160u * i, 0xA1, 160, loud));
      // What savertp = header writes: the frame cut after the RTP header, wirelen kept.
      const std::vector<uint8_t> cut(whole.begin(), whole.begin() + 14 + 20 + 8 + 12);
      REQUIRE(f->append(i * 20'000'000, cut, static_cast<uint32_t>(whole.size()), error));
    }
    REQUIRE(f->close(error));
  }
  call_rtp rtp_read;
  REQUIRE(read_call_rtp({path}, rtp_read, error));
  CHECK(rtp_read.frames == 3);
  CHECK(rtp_read.cut_frames == 3);
  CHECK(rtp_read.streams.empty());
  CHECK(rtp_read.headers_only());
}
