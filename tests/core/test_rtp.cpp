// RTP and RTCP header parsing (core/rtp.hpp).
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/rtp.hpp"

using namespace voxmon::core;
using bytes = std::vector<uint8_t>;

namespace {

// RTP fixed header: V=2, then the given flags, M/PT, seq 0x1234, ts 0xA0B0C0D0, SSRC 0xDEADBEEF.
bytes rtp_packet(uint8_t first_byte_flags, uint8_t m_pt, size_t extra = 0) {
  bytes b = {static_cast<uint8_t>(0x80 | first_byte_flags), m_pt, 0x12, 0x34, 0xA0, 0xB0,
             0xC0, 0xD0, 0xDE, 0xAD, 0xBE, 0xEF};
  b.resize(b.size() + extra, 0x55);
  return b;
}

void append_be16(bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void append_be32(bytes& b, uint32_t v) {
  append_be16(b, static_cast<uint16_t>(v >> 16));
  append_be16(b, static_cast<uint16_t>(v));
}

// One RTCP packet: header (V=2, count, type, length in words - 1) and `words` body words.
void rtcp_packet(bytes& b, uint8_t count, uint8_t type, uint16_t body_words, uint32_t ssrc) {
  b.push_back(static_cast<uint8_t>(0x80 | count));
  b.push_back(type);
  append_be16(b, body_words);
  append_be32(b, ssrc);
  for (uint16_t i = 1; i < body_words; ++i)
    append_be32(b, 0x01020304);
}

}  // namespace

TEST_CASE("parse_rtp reads the fixed header", "[rtp]") {
  const auto b = rtp_packet(0, 0x80 | 8, 160);
  const auto h = parse_rtp(b);
  REQUIRE(h);
  CHECK(h->marker);
  CHECK(h->payload_type == 8);
  CHECK(h->sequence == 0x1234);
  CHECK(h->timestamp == 0xA0B0C0D0u);
  CHECK(h->ssrc == 0xDEADBEEFu);
  CHECK_FALSE(h->padding);
  CHECK_FALSE(h->extension);
  CHECK(h->csrc_count == 0);
  CHECK(h->payload_offset == 12);
  CHECK(h->payload_length == 160);

  const auto bare = parse_rtp(rtp_packet(0, 0));
  REQUIRE(bare);
  CHECK(bare->payload_offset == 12);
  CHECK(bare->payload_length == 0);
}

TEST_CASE("parse_rtp rejects empty, short and non-version-2 data", "[rtp]") {
  CHECK_FALSE(parse_rtp({}));
  auto b = rtp_packet(0, 0);
  CHECK_FALSE(parse_rtp(std::span(b.data(), 11)));
  for (uint8_t version : {0, 1, 3}) {
    b[0] = static_cast<uint8_t>(version << 6);
    CHECK_FALSE(parse_rtp(b));
  }
}

TEST_CASE("parse_rtp skips CSRCs and checks they fit", "[rtp]") {
  auto b = rtp_packet(0x02, 0, 8 + 20);  // two CSRCs, then 20 payload bytes
  auto h = parse_rtp(b);
  REQUIRE(h);
  CHECK(h->csrc_count == 2);
  CHECK(h->payload_offset == 20);
  CHECK(h->payload_length == 20);

  CHECK(parse_rtp(rtp_packet(0x0F, 0, 60)));        // 15 CSRCs exactly fill the buffer
  CHECK_FALSE(parse_rtp(rtp_packet(0x0F, 0, 56)));  // one CSRC short
  CHECK_FALSE(parse_rtp(rtp_packet(0x01, 0, 3)));
}

TEST_CASE("parse_rtp skips the header extension and checks its length", "[rtp]") {
  auto b = rtp_packet(0x10, 0);
  append_be16(b, 0xBEDE);
  append_be16(b, 2);  // two words of extension
  append_be32(b, 1);
  append_be32(b, 2);
  b.resize(b.size() + 10, 0);
  auto h = parse_rtp(b);
  REQUIRE(h);
  CHECK(h->extension);
  CHECK(h->payload_offset == 12 + 4 + 8);
  CHECK(h->payload_length == 10);

  b.resize(12 + 4 + 8);  // extension exactly fills the packet
  REQUIRE(parse_rtp(b));
  CHECK(parse_rtp(b)->payload_length == 0);

  b.resize(12 + 4 + 7);  // one byte short of the announced extension
  CHECK_FALSE(parse_rtp(b));
  b.resize(12 + 3);  // the extension header itself is cut
  CHECK_FALSE(parse_rtp(b));

  auto huge = rtp_packet(0x10, 0);
  append_be16(huge, 0);
  append_be16(huge, 0xFFFF);  // 262,140 bytes announced
  huge.resize(huge.size() + 100, 0);
  CHECK_FALSE(parse_rtp(huge));

  auto after_csrc = rtp_packet(0x11, 0, 4);  // one CSRC, then an extension header that is missing
  CHECK_FALSE(parse_rtp(after_csrc));
}

TEST_CASE("parse_rtp removes padding and rejects impossible padding", "[rtp]") {
  auto b = rtp_packet(0x20, 0, 10);
  b.back() = 4;  // the last 4 bytes are padding
  auto h = parse_rtp(b);
  REQUIRE(h);
  CHECK(h->padding);
  CHECK(h->payload_length == 6);

  b.back() = 10;  // the whole payload is padding
  REQUIRE(parse_rtp(b));
  CHECK(parse_rtp(b)->payload_length == 0);

  b.back() = 11;  // larger than the payload: would reach into the header
  CHECK_FALSE(parse_rtp(b));
  b.back() = 0;   // the count includes itself, so 0 is malformed
  CHECK_FALSE(parse_rtp(b));
  CHECK_FALSE(parse_rtp(rtp_packet(0x20, 0)));  // padding bit without any byte after the header

  auto with_csrc = rtp_packet(0x21, 0, 4 + 3);  // one CSRC, 3 bytes after it
  with_csrc.back() = 4;                         // padding reaching into the CSRC
  CHECK_FALSE(parse_rtp(with_csrc));
}

TEST_CASE("looks_like_rtcp tells RTCP from RTP", "[rtp]") {
  bytes sr;
  rtcp_packet(sr, 0, 200, 6, 0x11223344);
  CHECK(looks_like_rtcp(sr));
  CHECK_FALSE(looks_like_rtcp(rtp_packet(0, 0, 160)));       // PCMU
  CHECK_FALSE(looks_like_rtcp(rtp_packet(0, 0x80 | 96, 160)));  // dynamic PT with marker
  // RFC 5761: RTCP types occupy what would be marker + PT 64..95 in RTP.
  for (int type : {192, 200, 201, 202, 203, 204, 205, 206, 207}) {
    bytes p;
    rtcp_packet(p, 0, static_cast<uint8_t>(type), 1, 1);
    CHECK(looks_like_rtcp(p));
  }
  for (int type : {191, 208, 223}) {
    bytes p;
    rtcp_packet(p, 0, static_cast<uint8_t>(type), 1, 1);
    CHECK_FALSE(looks_like_rtcp(p));
  }
  CHECK_FALSE(looks_like_rtcp({}));
  CHECK_FALSE(looks_like_rtcp(std::span(sr.data(), 4)));
  auto v1 = sr;
  v1[0] = 0x40;
  CHECK_FALSE(looks_like_rtcp(v1));
  auto long_len = sr;
  long_len[3] = 7;  // announces 32 bytes, has 28
  CHECK_FALSE(looks_like_rtcp(long_len));
}

TEST_CASE("parse_rtcp summarises a compound SR + SDES + BYE", "[rtp]") {
  bytes b;
  rtcp_packet(b, 1, 200, 6 + 6, 0xCAFEF00D);  // SR with one report block
  rtcp_packet(b, 1, 202, 3, 0xCAFEF00D);      // SDES, one chunk
  rtcp_packet(b, 1, 203, 1, 0xCAFEF00D);      // BYE
  const auto s = parse_rtcp(b);
  REQUIRE(s);
  CHECK(s->sender_ssrc == 0xCAFEF00Du);
  CHECK(s->packet_types == (0x01 | 0x04 | 0x08));
  CHECK(s->report_blocks == 1);
}

TEST_CASE("parse_rtcp counts RR report blocks and other packet types", "[rtp]") {
  bytes b;
  rtcp_packet(b, 2, 201, 1 + 12, 0x01020304);  // RR with two blocks
  rtcp_packet(b, 0, 204, 2, 0x01020304);        // APP
  const auto s = parse_rtcp(b);
  REQUIRE(s);
  CHECK(s->sender_ssrc == 0x01020304u);
  CHECK(s->packet_types == (0x02 | 0x10));
  CHECK(s->report_blocks == 2);

  auto trailer = b;  // bytes after the compound that are not RTCP are ignored
  trailer.insert(trailer.end(), {0x00, 0x00, 0x00, 0x01, 0xAA, 0xBB});
  REQUIRE(parse_rtcp(trailer));
  CHECK(parse_rtcp(trailer)->report_blocks == 2);
}

TEST_CASE("parse_rtcp rejects truncated packets", "[rtp]") {
  bytes b;
  rtcp_packet(b, 1, 200, 6 + 6, 7);
  rtcp_packet(b, 1, 202, 3, 7);
  CHECK(parse_rtcp(b));

  auto cut_second = b;  // the SDES announces more than what is left
  cut_second.resize(cut_second.size() - 4);
  CHECK_FALSE(parse_rtcp(cut_second));

  auto cut_first = b;
  cut_first.resize(20);
  CHECK_FALSE(parse_rtcp(cut_first));

  bytes blocks_overflow;  // SR claims two report blocks but has room for one
  rtcp_packet(blocks_overflow, 2, 200, 6 + 6, 7);
  CHECK_FALSE(parse_rtcp(blocks_overflow));

  bytes rr_overflow;
  rtcp_packet(rr_overflow, 31, 201, 1, 7);
  CHECK_FALSE(parse_rtcp(rr_overflow));

  CHECK_FALSE(parse_rtcp({}));
  CHECK_FALSE(parse_rtcp(rtp_packet(0, 0, 160)));
}
