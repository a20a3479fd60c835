#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>

#include "core/sdp.hpp"
#include "core/sip_message.hpp"

using namespace voxmon::core;

namespace {

std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n')
      out += '\r';
    out += c;
  }
  return out;
}

ip_address ip(std::string_view text) {
  auto a = ip_address::parse(text);
  REQUIRE(a);
  return *a;
}

// Parses a copy of `text` that lives until the end of the run, so the session's views stay
// valid even when the caller passed a temporary.
sdp_session parse_ok(std::string_view text) {
  static std::deque<std::string> keep;
  auto s = parse_sdp(keep.emplace_back(text));
  REQUIRE(s);
  return *s;
}

// Parses a SIP message kept alive until the end of the run (see parse_ok).
sip_message parse_sip_ok(std::string_view text) {
  static std::deque<std::string> keep;
  auto r = parse_sip(keep.emplace_back(text));
  INFO("error: " << to_string(r.error));
  REQUIRE(r.message);
  return std::move(*r.message);
}

const std::string sdp_text =
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

}  // namespace

TEST_CASE("typical audio offer", "[sdp]") {
  const sdp_session s = parse_ok(crlf(
      "v=0\no=- 3 3 IN IP4 10.0.0.1\ns=call\nc=IN IP4 10.0.0.1\nt=0 0\n"
      "m=audio 49170 RTP/AVP 0 8 9 18 101\na=rtpmap:0 PCMU/8000\n"
      "a=rtpmap:101 telephone-event/8000\n"
      "a=fmtp:101 0-15\na=ptime:20\na=sendrecv\n"));
  CHECK(s.session_address == ip("10.0.0.1"));
  REQUIRE(s.media_count == 1);
  CHECK(s.media_ignored == 0);
  const sdp_media& m = s.media[0];
  CHECK(m.media == "audio");
  CHECK(m.port == 49170);
  CHECK(m.address == ip("10.0.0.1"));
  CHECK_FALSE(m.rtcp_port);
  CHECK_FALSE(m.rtcp_mux);
  CHECK(m.direction == media_direction::sendrecv);
  CHECK(m.ptime_ms == 20);
  REQUIRE(m.payload_type_count == 5);
  const uint8_t pts[] = {0, 8, 9, 18, 101};
  const std::string_view names[] = {"PCMU", "PCMA", "G722", "G729", "telephone-event"};
  for (size_t i = 0; i < 5; ++i) {
    CHECK(m.payload_types[i].pt == pts[i]);
    CHECK(m.payload_types[i].encoding == names[i]);
    CHECK(m.payload_types[i].clock_rate == 8000);
  }
}

TEST_CASE("rtpmap: dynamic, channels, override, unknown pt", "[sdp]") {
  const sdp_session s = parse_ok(
      "v=0\nc=IN IP4 192.0.2.1\nm=audio 5004 RTP/SAVPF 111 96 97 0\n"
      "a=rtpmap:111 opus/48000/2\na=rtpmap:97 speex/bad\na=rtpmap:0 MyPCMU/16000\n"
      "a=rtpmap:55 ghost/8000\na=rtpmap:x y/1\na=rtpmap:\na=ptime:30.0\n");
  const sdp_media& m = s.media[0];
  REQUIRE(m.payload_type_count == 4);
  CHECK(m.payload_types[0].encoding == "opus");
  CHECK(m.payload_types[0].clock_rate == 48000);
  CHECK(m.payload_types[1].pt == 96);  // dynamic without rtpmap
  CHECK(m.payload_types[1].encoding.empty());
  CHECK(m.payload_types[1].clock_rate == 0);
  CHECK(m.payload_types[2].encoding == "speex");
  CHECK(m.payload_types[2].clock_rate == 0);
  CHECK(m.payload_types[3].encoding == "MyPCMU");
  CHECK(m.payload_types[3].clock_rate == 16000);
  CHECK(m.ptime_ms == 30);
}

TEST_CASE("IPv6 and multicast connection data", "[sdp]") {
  const sdp_session v6 = parse_ok(crlf(
      "v=0\no=- 1 1 IN IP6 2001:db8::1\ns=-\nc=IN IP6 2001:db8::1\nt=0 0\n"
      "m=audio 6000 RTP/AVP 0\na=rtcp:6001 IN IP6 2001:db8::2\n"));
  REQUIRE(v6.media_count == 1);
  REQUIRE(v6.media[0].address);
  CHECK(v6.media[0].address->is_v6);
  CHECK(v6.media[0].address == ip("2001:db8::1"));
  CHECK(v6.media[0].rtcp_port == uint16_t{6001});
  CHECK(v6.media[0].rtcp_address == ip("2001:db8::2"));

  const sdp_session mc = parse_ok("v=0\nc=IN IP4 224.2.36.42/127\nm=audio 7000 RTP/AVP 0\n");
  CHECK(mc.media[0].address == ip("224.2.36.42"));
  const sdp_session mc2 = parse_ok("v=0\nc=IN IP4 224.2.1.1/127/3\nm=audio 7000 RTP/AVP 0\n");
  CHECK(mc2.session_address == ip("224.2.1.1"));

  // Unusable c= lines are ignored: hostname, wrong family, other network type.
  const sdp_session bad = parse_ok(
      "v=0\nc=IN IP4 host.example.com\nm=audio 1 RTP/AVP 0\nc=IN IP4 2001:db8::1\n"
      "m=audio 2 RTP/AVP 0\nc=XX IP4 1.2.3.4\nm=audio 3 RTP/AVP 0\nc=IN IP6 1.2.3.4\n");
  CHECK_FALSE(bad.session_address);
  REQUIRE(bad.media_count == 3);
  for (int i = 0; i < 3; ++i)
    CHECK_FALSE(bad.media[i].address);
}

TEST_CASE("session c= is the default, media c= overrides", "[sdp]") {
  const sdp_session s = parse_ok(crlf(
      "v=0\nc=IN IP4 10.1.1.1\nt=0 0\nm=audio 4000 RTP/AVP 0\nc=IN IP4 10.2.2.2\n"
      "m=video 4002 RTP/AVP 31\nm=audio 4004 RTP/AVP 8\nc=IN IP6 ::1\n"));
  REQUIRE(s.media_count == 3);
  CHECK(s.media[0].address == ip("10.2.2.2"));
  CHECK(s.media[1].address == ip("10.1.1.1"));
  CHECK(s.media[1].media == "video");
  CHECK(s.media[1].payload_types[0].encoding == "H261");
  CHECK(s.media[1].payload_types[0].clock_rate == 90000);
  CHECK(s.media[2].address == ip("::1"));

  // No session c=: media without their own c= have no address.
  const sdp_session n = parse_ok("v=0\nm=audio 4000 RTP/AVP 0\nm=audio 4002 RTP/AVP 0\n"
                                 "c=IN IP4 10.9.9.9\n");
  CHECK_FALSE(n.session_address);
  CHECK_FALSE(n.media[0].address);
  CHECK(n.media[1].address == ip("10.9.9.9"));
}

TEST_CASE("bad m= lines are skipped with their attributes", "[sdp]") {
  const sdp_session s = parse_ok(crlf(
      "v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0\na=sendonly\n"
      "m=audio 70000 RTP/AVP 8\na=rtcp-mux\na=recvonly\nc=IN IP4 10.6.6.6\n"
      "m=audio abc RTP/AVP 8\na=ptime:40\nm=audio -1 RTP/AVP 8\nm=audio 4000/x RTP/AVP 0\n"
      "m=audio 4002\nm=\nm=audio 0 RTP/AVP 0\nm=image 5000 udptl t38\nm=audio 4010/2 RTP/AVP 0\n"));
  CHECK(s.media_ignored == 6);
  REQUIRE(s.media_count == 4);
  CHECK(s.media[0].port == 4000);
  CHECK(s.media[0].direction == media_direction::sendonly);
  CHECK_FALSE(s.media[0].rtcp_mux);
  CHECK(s.media[0].ptime_ms == 0);
  CHECK(s.media[0].address == ip("10.0.0.1"));
  CHECK(s.media[1].port == 0);  // disabled stream, still reported
  CHECK(s.media[2].media == "image");
  CHECK(s.media[2].payload_type_count == 0);
  CHECK(s.media[3].port == 4010);
}

TEST_CASE("rtcp and rtcp-mux", "[sdp]") {
  const sdp_session s = parse_ok(
      "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 49170 RTP/AVP 0\r\na=rtcp:53020 IN IP4 126.16.64.4\r\n"
      "m=audio 49180 RTP/AVP 0\r\na=rtcp:53021\r\nm=audio 49190 RTP/AVP 0\r\na=rtcp-mux\r\n"
      "a=rtcp:49190\r\nm=audio 49200 RTP/AVP 0\r\na=rtcp:99999\r\na=rtcp:0\r\na=rtcp:x\r\n"
      "a=rtcp:53030 IN IP4 not-an-ip\r\n");
  REQUIRE(s.media_count == 4);
  CHECK(s.media[0].rtcp_port == uint16_t{53020});
  CHECK(s.media[0].rtcp_address == ip("126.16.64.4"));
  CHECK(s.media[1].rtcp_port == uint16_t{53021});
  CHECK_FALSE(s.media[1].rtcp_address);
  CHECK(s.media[2].rtcp_mux);
  CHECK(s.media[2].rtcp_port == uint16_t{49190});
  CHECK(s.media[3].rtcp_port == uint16_t{53030});
  CHECK_FALSE(s.media[3].rtcp_address);
  CHECK_FALSE(s.media[3].rtcp_mux);
}

TEST_CASE("directions: session default, media override", "[sdp]") {
  const sdp_session s = parse_ok(crlf(
      "v=0\nc=IN IP4 10.0.0.1\na=sendonly\nm=audio 1000 RTP/AVP 0\nm=audio 1002 RTP/AVP 0\n"
      "a=recvonly\nm=audio 1004 RTP/AVP 0\na=inactive\nm=audio 1006 RTP/AVP 0\na=sendrecv\n"));
  CHECK(s.session_direction == media_direction::sendonly);
  REQUIRE(s.media_count == 4);
  CHECK(s.media[0].direction == media_direction::sendonly);
  CHECK(s.media[1].direction == media_direction::recvonly);
  CHECK(s.media[2].direction == media_direction::inactive);
  CHECK(s.media[3].direction == media_direction::sendrecv);
  CHECK(parse_ok("v=0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 0\n").media[0].direction ==
        media_direction::sendrecv);
}

TEST_CASE("capacity: payload types and media lines", "[sdp]") {
  std::string text = "v=0\nc=IN IP4 10.0.0.1\nm=audio 1000 RTP/AVP";
  for (int pt = 0; pt < 30; ++pt)
    text += " " + std::to_string(pt + 96);
  text += " 200 abc\n";
  for (int pt = 0; pt < 30; ++pt)
    text += "a=rtpmap:" + std::to_string(pt + 96) + " codec" + std::to_string(pt) + "/8000\n";
  for (int i = 0; i < 10; ++i)
    text += "m=audio " + std::to_string(2000 + 2 * i) + " RTP/AVP 0\na=rtcp-mux\n";
  const sdp_session s = parse_ok(text);
  REQUIRE(s.media_count == sdp_session::max_media);
  CHECK(s.media_ignored == 3);
  const sdp_media& m = s.media[0];
  REQUIRE(m.payload_type_count == sdp_media::max_payload_types);
  for (size_t i = 0; i < sdp_media::max_payload_types; ++i) {
    CHECK(m.payload_types[i].pt == static_cast<uint8_t>(96 + i));
    CHECK(m.payload_types[i].encoding == "codec" + std::to_string(i));
  }
  CHECK(s.media[7].port == 2012);
  CHECK(s.media[7].rtcp_mux);
}

TEST_CASE("not SDP", "[sdp]") {
  CHECK_FALSE(parse_sdp(""));
  CHECK_FALSE(parse_sdp("\r\n\r\n"));
  CHECK_FALSE(parse_sdp("hello world"));
  CHECK_FALSE(parse_sdp("c=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\n"));  // no v=
  CHECK_FALSE(parse_sdp("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n"));  // nothing usable
  CHECK_FALSE(parse_sdp("v=0\nm=audio 99999 RTP/AVP 0\n"));
  CHECK(parse_sdp("v=0\nc=IN IP4 1.2.3.4"));  // session address alone, no final newline
}

TEST_CASE("static payload type table", "[sdp]") {
  CHECK(static_payload_clock_rate(0) == 8000);
  CHECK(static_payload_name(0) == "PCMU");
  CHECK(static_payload_clock_rate(6) == 16000);
  CHECK(static_payload_clock_rate(9) == 8000);  // G.722: 8000 RTP clock for 16 kHz audio
  CHECK(static_payload_clock_rate(10) == 44100);
  CHECK(static_payload_clock_rate(16) == 11025);
  CHECK(static_payload_clock_rate(17) == 22050);
  CHECK(static_payload_name(18) == "G729");
  CHECK(static_payload_clock_rate(26) == 90000);
  CHECK(static_payload_name(34) == "H263");
  for (uint8_t pt : {1, 2, 19, 20, 24, 27, 29, 30, 35, 96, 127, 255}) {
    CHECK(static_payload_clock_rate(pt) == 0);
    CHECK(static_payload_name(pt).empty());
  }
}

TEST_CASE("random and truncated SDP never crashes", "[sdp]") {
  const std::string text = crlf(
      "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1/127\nt=0 0\na=recvonly\n"
      "m=audio 49170/2 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000/1\n"
      "a=rtcp:49171 IN IP6 ::1\na=rtcp-mux\na=ptime:20\nm=video 0 RTP/AVP 31\nc=IN IP6 ::2\n");
  for (size_t n = 0; n <= text.size(); ++n) {
    const std::string prefix = text.substr(0, n);
    if (auto s = parse_sdp(prefix))
      CHECK(s->media_count <= sdp_session::max_media);
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string s = text;
    for (int e = 0; e < 6; ++e)
      s[rng() % s.size()] = "=/: 9\n\ramcv"[rng() % 12];
    if (auto r = parse_sdp(s)) {
      for (size_t k = 0; k < r->media_count; ++k)
        CHECK(r->media[k].payload_type_count <= sdp_media::max_payload_types);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 200, '\0');
    for (char& c : s)
      c = static_cast<char>(rng() % 256);
    (void)parse_sdp(s);
  }
}

TEST_CASE("SDP inside multipart bodies", "[sip][sdp]") {
  auto with_body = [](std::string_view type, const std::string& body) {
    return "INVITE sip:b@h SIP/2.0\r\nCall-ID: mp\r\nCSeq: 1 INVITE\r\nContent-Type: " +
           std::string(type) + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  };
  const std::string isup = "\x01\x10\x00\x02";
  const std::string mixed = crlf("--unique-boundary-1\nContent-Type: application/sdp\n\n") +
                            sdp_text + crlf("\n--unique-boundary-1\n"
                                            "Content-Type: application/isup;version=itu-t92+\n"
                                            "Content-Disposition: signal;handling=optional\n\n") +
                            isup + crlf("\n--unique-boundary-1--\n");
  SECTION("multipart/mixed, quoted boundary") {
    const std::string text =
        with_body("multipart/mixed;boundary=\"unique-boundary-1\"", mixed);
    const sip_message m = parse_sip_ok(text);
    CHECK(sdp_body(m) == std::optional<std::string_view>(sdp_text));
  }
  SECTION("multipart/alternative, unquoted boundary, SDP second, LF only") {
    const std::string body = "--b1\ncontent-type: text/plain\n\nhello\n--b1\n"
                             "Content-Type: Application/SDP\n\nv=0\nc=IN IP4 1.2.3.4\n--b1--";
    const std::string text =
        with_body("multipart/alternative; charset=utf-8; boundary = b1 ;x=y", body);
    CHECK(sdp_body(parse_sip_ok(text)) == std::optional<std::string_view>("v=0\nc=IN IP4 1.2.3.4"));
  }
  SECTION("nested multipart and a missing close delimiter") {
    const std::string inner = "--in\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n";
    const std::string body = "preamble\r\n--out\r\nContent-Type: multipart/alternative;"
                             "boundary=in\r\n\r\n" + inner + "--out--\r\n";
    CHECK(sdp_body(parse_sip_ok(with_body("multipart/mixed;boundary=out", body))) ==
          std::optional<std::string_view>("v=0"));
  }
  SECTION("no SDP part, no boundary, unknown types") {
    const std::string text_only = "--zz\r\nContent-Type: text/plain\r\n\r\nx\r\n--zz--";
    CHECK_FALSE(sdp_body(parse_sip_ok(with_body("multipart/mixed;boundary=zz", text_only))));
    CHECK_FALSE(sdp_body(parse_sip_ok(with_body("multipart/mixed", mixed))));
    CHECK_FALSE(sdp_body(parse_sip_ok(with_body("multipart/mixed;boundary=\"open", mixed))));
    CHECK_FALSE(sdp_body(parse_sip_ok(with_body("application/isup", isup))));
    CHECK(sdp_body(parse_sip_ok(with_body("application/sdp; charset=x", "v=0\r\n"))));
  }
  SECTION("no Content-Type but an SDP-looking body") {
    const sip_message m = parse_sip_ok(crlf("INVITE sip:b@h SIP/2.0\nCall-ID: x\nCSeq: 1 INVITE\n\n") +
                                   sdp_text);
    CHECK(sdp_body(m) == std::optional<std::string_view>(sdp_text));
  }
  SECTION("corrupted multipart never crashes") {
    const std::string text = with_body("multipart/mixed;boundary=\"unique-boundary-1\"", mixed);
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
      std::string s = text;
      for (int e = 0; e < 4; ++e)
        s[text.size() - mixed.size() + rng() % mixed.size()] = "-\r\n:ab"[rng() % 6];
      auto r = parse_sip(s);
      REQUIRE(r.message);
      if (auto sdp = sdp_body(*r.message))
        CHECK(sdp->data() >= s.data());
    }
  }
}
