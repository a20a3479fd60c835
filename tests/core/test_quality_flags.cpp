// The CDR's honesty flags: capture loss (the sensor lost packets while a call was open, so its
// loss figures may not be the network's) and SRTP (the payload is encrypted; quality comes from
// the RTP headers alone). core::call_directory + core::call, no actors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>

#include "core/call_directory.hpp"
#include "core/sdp.hpp"
#include "tests/support/call_pipeline.hpp"
#include "tests/support/frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

// The core pipeline plus the router's capture-loss rule: a loss notice goes to every call open
// at that moment.
struct pipeline : call_pipeline {
  void capture_loss(core::timestamp_ns at, uint64_t dropped) {
    for (uint64_t key : directory.open_call_keys())
      calls.at(key)->on_capture_loss(at, dropped);
  }
  bool has(const std::string& callid) const {
    return std::any_of(cdrs.begin(), cdrs.end(), [&](const core::cdr& c) { return c.callid == callid; });
  }
  const core::cdr& cdr(const std::string& callid) const {
    auto it = std::find_if(cdrs.begin(), cdrs.end(), [&](const core::cdr& c) { return c.callid == callid; });
    REQUIRE(it != cdrs.end());
    return *it;
  }
};

// An INVITE / 200 OK pair whose SDP media line and attributes are given, then RTP both ways.
void call_with_sdp(batch_maker& b, const std::string& id, const std::string& m_line,
                   const std::string& attrs, int rtp) {
  const std::string a = "10.0.0.1", c = "10.0.0.2";
  auto msg = [&](const std::string& start, const std::string& to_tag, const std::string& ip,
                 uint16_t port) {
    const std::string body = "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip +
                             "\r\nt=0 0\r\nm=audio " + std::to_string(port) + " " + m_line +
                             "\r\n" + attrs;
    std::string m = start + "\r\nVia: SIP/2.0/UDP " + ip + ":5060;branch=z9hG4bK1\r\n"
                    "From: <sip:alice@a.example>;tag=a1\r\nTo: <sip:bob@b.example>" +
                    (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\nCall-ID: " + id +
                    "\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
    return bytes(m);
  };
  b.add(0, udp_frame(a, 5060, c, 5060, msg("INVITE sip:bob@b.example SIP/2.0", "", a, 4000)));
  b.add(50, udp_frame(c, 5060, a, 5060, msg("SIP/2.0 200 OK", "b2", c, 5000)));
  for (int i = 0; i < rtp; ++i) {
    b.add(100 + 20 * i, udp_frame(a, 4000, c, 5000, rtp_packet(0, static_cast<uint16_t>(i), 160u * i, 0x1111)));
    b.add(105 + 20 * i, udp_frame(c, 5000, a, 4000, rtp_packet(0, static_cast<uint16_t>(i), 160u * i, 0x2222)));
  }
}

// A ZRTP (RFC 6189) message of the given 8-character type, in a UDP payload.
std::vector<uint8_t> zrtp(const std::string& type) {
  std::vector<uint8_t> p = {0x10, 0x00, 0x00, 0x01, 'Z', 'R', 'T', 'P', 1, 2, 3, 4, 0x50, 0x5a,
                            0x00, 0x03};
  p.insert(p.end(), type.begin(), type.end());
  p.resize(p.size() + 8, 0);
  return p;
}

}  // namespace

TEST_CASE("a capture loss notice flags exactly the calls open at that time", "[quality][caploss]") {
  pipeline p;
  {
    batch_maker b;
    answered_call(b, "closed-before@t", 0, 10, 2000);      // BYE at 2 s: closed at 22 s
    answered_call(b, "open-both@t", 3000, 10, 60'000);     // BYE at 63 s: closed at 83 s
    p.feed(b.take());
  }
  REQUIRE(p.has("closed-before@t"));  // closed while routing the second call
  REQUIRE(p.directory.open_calls() == 1);
  p.capture_loss(63'100 * 1'000'000LL, 5);
  {
    batch_maker b;
    answered_call(b, "open-second@t", 64'000, 10, 2000);   // BYE at 66 s
    p.feed(b.take());
  }
  REQUIRE(p.directory.open_calls() == 2);
  p.capture_loss(66'100 * 1'000'000LL, 7);
  {
    batch_maker b;
    answered_call(b, "after@t", 200'000, 10, 2000);        // the others expire first
    p.feed(b.take());
  }
  p.end();
  REQUIRE(p.cdrs.size() == 4);
  CHECK_FALSE(p.cdr("closed-before@t").capture_loss);
  CHECK(p.cdr("closed-before@t").capture_dropped == 0);
  CHECK(p.cdr("open-both@t").capture_loss);
  CHECK(p.cdr("open-both@t").capture_dropped == 12);
  CHECK(p.cdr("open-second@t").capture_loss);
  CHECK(p.cdr("open-second@t").capture_dropped == 7);
  CHECK_FALSE(p.cdr("after@t").capture_loss);
  CHECK(p.cdr("after@t").capture_dropped == 0);
  // The flag does not touch the network figures: every stream still has its 10 packets, no loss.
  for (const auto& c : p.cdrs)
    for (const auto& s : c.rtp) {
      CHECK(s.received == 10);
      CHECK(s.lost == 0);
    }
}

TEST_CASE("SDP media profiles and a=crypto say SRTP", "[quality][srtp]") {
  auto media = [](const std::string& m_line, const std::string& attrs) {
    const std::string text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
                             "t=0 0\r\nm=audio 4000 " + m_line + "\r\n" + attrs;
    auto s = core::parse_sdp(text);
    REQUIRE(s);
    REQUIRE(s->media_count == 1);
    return s->media[0].srtp;
  };
  CHECK_FALSE(media("RTP/AVP 0", ""));
  CHECK_FALSE(media("RTP/AVPF 0", ""));
  CHECK(media("RTP/SAVP 0", ""));
  CHECK(media("RTP/SAVPF 0 101", ""));
  CHECK(media("UDP/TLS/RTP/SAVPF 111", "a=fingerprint:sha-256 AB:CD\r\n"));
  CHECK(media("RTP/AVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"));
}

TEST_CASE("SRTP streams are marked and still get header-based quality", "[quality][srtp]") {
  pipeline p;
  {
    batch_maker b;
    call_with_sdp(b, "sdes@t", "RTP/SAVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n", 50);
    p.feed(b.take());
  }
  p.end();
  {
    batch_maker b;
    call_with_sdp(b, "plain@t", "RTP/AVP 0", "", 50);
    p.feed(b.take());
  }
  p.end();
  REQUIRE(p.cdrs.size() == 2);
  const auto& srtp = p.cdr("sdes@t");
  REQUIRE(srtp.rtp.size() == 2);
  for (const auto& s : srtp.rtp) {
    CHECK(s.srtp);
    CHECK(s.received == 50);
    // The headers are clear: loss, jitter and MOS are computed as for RTP (G.711, no loss).
    CHECK(s.quality.jb[0].intervals == 1);
    CHECK(s.quality.jb[0].mos_avg == Approx(4.409286).epsilon(1e-6));
  }
  for (const auto& s : p.cdr("plain@t").rtp)
    CHECK_FALSE(s.srtp);
}

TEST_CASE("a completed ZRTP key agreement marks the streams between its ends", "[quality][srtp]") {
  for (const std::string type : {"Hello   ", "Conf2ACK"}) {
    DYNAMIC_SECTION(type) {
      pipeline p;
      batch_maker b;
      call_with_sdp(b, "zrtp@t", "RTP/AVP 0", "a=zrtp-hash:1.10 0123\r\n", 20);
      b.add(600, udp_frame("10.0.0.1", 4000, "10.0.0.2", 5000, zrtp(type)));
      p.feed(b.take());
      p.end();
      const auto& c = p.cdr("zrtp@t");
      REQUIRE(c.rtp.size() == 2);  // the ZRTP message is not an RTP stream
      for (const auto& s : c.rtp) {
        CHECK(s.received == 20);
        CHECK(s.srtp == (type == "Conf2ACK"));  // a Hello alone proves nothing
      }
    }
  }
}
