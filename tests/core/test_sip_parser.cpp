#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>

#include "core/sip_message.hpp"

using namespace voxmon::core;

namespace {

// Test messages are written with "\n"; this turns them into CRLF wire text.
std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n')
      out += '\r';
    out += c;
  }
  return out;
}

const std::string sdp_text =
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

std::string invite() {
  return crlf("INVITE sip:bob@biloxi.example.com SIP/2.0\n"
              "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n"
              "Max-Forwards: 70\n"
              "To: Bob <sip:bob@biloxi.example.com>\n"
              "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
              "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
              "CSeq: 314159 INVITE\n"
              "Contact: <sip:alice@pc33.atlanta.example.com>\n"
              "User-Agent: softphone/1.0\n"
              "Content-Type: application/sdp\n"
              "Content-Length: " + std::to_string(sdp_text.size()) + "\n\n") + sdp_text;
}

// Parses a copy of `text` that lives until the end of the run, so the message's views stay
// valid even when the caller passed a temporary.
sip_message parse_ok(std::string_view text) {
  static std::deque<std::string> keep;
  auto r = parse_sip(keep.emplace_back(text));
  INFO("error: " << to_string(r.error));
  REQUIRE(r.message);
  return std::move(*r.message);
}

sip_parse_error parse_err(std::string_view text) {
  auto r = parse_sip(text);
  REQUIRE_FALSE(r.message);
  return r.error;
}

}  // namespace

TEST_CASE("INVITE with SDP body", "[sip]") {
  const std::string text = invite();
  const sip_message m = parse_ok(text);
  CHECK(m.is_request);
  CHECK(m.method == sip_method::invite);
  CHECK(m.method_token == "INVITE");
  CHECK(m.request_uri == "sip:bob@biloxi.example.com");
  CHECK(m.call_id == "a84b4c76e66710@pc33.atlanta.example.com");
  CHECK(m.from == "\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774");
  CHECK(m.to == "Bob <sip:bob@biloxi.example.com>");
  CHECK(m.cseq_number == 314159);
  CHECK(m.cseq_method == sip_method::invite);
  CHECK(m.cseq_method_token == "INVITE");
  CHECK(m.user_agent == "softphone/1.0");
  CHECK(m.server.empty());
  CHECK(m.content_type == "application/sdp");
  CHECK(m.content_length == sdp_text.size());
  CHECK(m.body == sdp_text);
  CHECK(m.message_length == text.size());
  CHECK(m.complete());
  CHECK_FALSE(m.unfolded);
  CHECK(sdp_body(m) == std::optional<std::string_view>(sdp_text));
}

TEST_CASE("responses, BYE and REGISTER", "[sip]") {
  const std::string ok = crlf("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
                              "To: <sip:bob@b.example>;tag=x\nFrom: <sip:alice@a.example>;tag=y\n"
                              "Call-ID: c1\nCSeq: 1 INVITE\nServer: pbx 2.1\n"
                              "Content-Length: 0\n\n");
  const sip_message r = parse_ok(ok);
  CHECK_FALSE(r.is_request);
  CHECK(r.status_code == 200);
  CHECK(r.reason_phrase == "OK");
  CHECK(r.cseq_method == sip_method::invite);
  CHECK(r.server == "pbx 2.1");
  CHECK(r.body.empty());
  CHECK(r.message_length == ok.size());
  CHECK_FALSE(sdp_body(r));

  const sip_message ringing =
      parse_ok(crlf("SIP/2.0 180 Ringing now\nCall-ID: c1\nCSeq: 1 INVITE\n\n"));
  CHECK(ringing.status_code == 180);
  CHECK(ringing.reason_phrase == "Ringing now");
  CHECK(parse_ok(crlf("SIP/2.0 486\nCall-ID: c\nCSeq: 1 INVITE\n\n")).reason_phrase.empty());

  const sip_message bye = parse_ok(
      crlf("BYE sip:alice@10.0.0.1:5060 SIP/2.0\nCall-ID: c1\nCSeq: 2 BYE\nContent-Length: 0\n\n"));
  CHECK(bye.method == sip_method::bye);
  CHECK(bye.cseq_number == 2);
  CHECK(bye.cseq_method == sip_method::bye);

  const sip_message reg = parse_ok(crlf(
      "REGISTER sips:registrar.example.com SIP/2.0\nTo: <sips:bob@example.com>\n"
      "From: <sips:bob@example.com>;tag=456\nCall-ID: reg-1\nCSeq: 1826 REGISTER\n"
      "Contact: <sips:bob@192.0.2.4>;expires=7200\nContent-Length: 0\n\n"));
  CHECK(reg.method == sip_method::register_);
  CHECK(reg.cseq_method == sip_method::register_);
  CHECK(reg.request_uri == "sips:registrar.example.com");

  CHECK(parse_ok(crlf("ACK sip:x SIP/2.0 \t\nCall-ID: c\nCSeq: 1 ACK\n\n")).request_uri ==
        "sip:x");

  const sip_message custom = parse_ok(crlf("FOOBAR sip:x SIP/2.0\nCall-ID: c\nCSeq: 1 FOOBAR\n\n"));
  CHECK(custom.method == sip_method::other);
  CHECK(custom.method_token == "FOOBAR");
}

TEST_CASE("compact header forms and case variants", "[sip]") {
  const sip_message m = parse_ok(crlf(
      "INVITE sip:b@h SIP/2.0\nv: SIP/2.0/UDP h\ni: compact-id\nf: <sip:a@h>;tag=1\n"
      "CSeq: 1 INVITE\n"
      "t: <sip:b@h>\nm: <sip:a@1.2.3.4>\nk: timer\ns: hello\nc: application/sdp\nl: 3\n\nv=0"));
  CHECK(m.call_id == "compact-id");
  CHECK(m.from == "<sip:a@h>;tag=1");
  CHECK(m.to == "<sip:b@h>");
  CHECK(m.content_type == "application/sdp");
  CHECK(m.content_length == 3u);
  CHECK(m.body == "v=0");

  const sip_message v = parse_ok(crlf(
      "OPTIONS sip:h SIP/2.0\nCALL-ID:  upper  \ncseq:7   OPTIONS\nuser-agent: x\n"
      "CONTENT-length : 0\nFROM:<sip:a@h>\nI: ignored-second\n\n"));
  CHECK(v.call_id == "upper");
  CHECK(v.cseq_number == 7);
  CHECK(v.cseq_method == sip_method::options);
  CHECK(v.user_agent == "x");
  CHECK(v.content_length == 0u);
  CHECK(v.from == "<sip:a@h>");
}

TEST_CASE("folded header lines are unfolded", "[sip]") {
  const std::string text = crlf(
      "INVITE sip:b@h SIP/2.0\nSubject: I know you're there,\n pick up the phone\n"
      "From: \"Alice\"\n  <sip:alice@h>\n\t;tag=9\nCall-ID: plain\nTo:\n <sip:b@h>\n"
      "CSeq: 1\n INVITE\nContent-Length: 0\n\n");
  auto r = parse_sip(text);
  REQUIRE(r.message);
  sip_message m = std::move(*r.message);  // views into `unfolded` survive a move
  REQUIRE(m.unfolded);
  CHECK(m.from == "\"Alice\" <sip:alice@h> ;tag=9");
  CHECK(m.to == "<sip:b@h>");
  CHECK(m.call_id == "plain");
  CHECK(m.cseq_number == 1);
  CHECK(m.cseq_method == sip_method::invite);
  CHECK(m.message_length == text.size());
  auto from = parse_name_addr(m.from);
  REQUIRE(from);
  CHECK(from->tag == "9");
  CHECK(from->user == "alice");

  // A continuation line with no header before it is an error.
  CHECK(parse_err(crlf("BYE sip:h SIP/2.0\n folded\nCall-ID: c\nCSeq: 1 BYE\n\n")) ==
        sip_parse_error::header_without_colon);
}

TEST_CASE("repeated headers: the first one wins", "[sip]") {
  const sip_message m = parse_ok(crlf(
      "SIP/2.0 200 OK\nCall-ID: first\nCall-ID: second\nFrom: <sip:a@h>;tag=1\n"
      "From: <sip:x@h>;tag=2\nTo: <sip:b@h>\nTo: <sip:y@h>\nCSeq: 5 INVITE\nCSeq: 6 BYE\n"
      "User-Agent: ua1\nUser-Agent: ua2\nServer: s1\nServer: s2\nContent-Length: 0\n"
      "Content-Length: 0\n\n"));
  CHECK(m.call_id == "first");
  CHECK(m.from == "<sip:a@h>;tag=1");
  CHECK(m.to == "<sip:b@h>");
  CHECK(m.cseq_number == 5);
  CHECK(m.cseq_method == sip_method::invite);
  CHECK(m.user_agent == "ua1");
  CHECK(m.server == "s1");
}

TEST_CASE("LF-only line endings and leading keep-alive CRLFs", "[sip]") {
  const std::string text =
      "\r\n\r\nBYE sip:a@h SIP/2.0\nCall-ID: lf\nCSeq: 3 BYE\nContent-Length: 4\n\nabcdEXTRA";
  const sip_message m = parse_ok(text);
  CHECK(m.call_id == "lf");
  CHECK(m.body == "abcd");
  CHECK(m.message_length == text.size() - 5);
}

TEST_CASE("Content-Length framing", "[sip]") {
  const std::string head = crlf("MESSAGE sip:b@h SIP/2.0\nCall-ID: cl\nCSeq: 1 MESSAGE\n");
  SECTION("larger than the data: truncated body is kept and flagged") {
    const std::string text = head + "Content-Length: 100\r\n\r\nhello";
    const sip_message m = parse_ok(text);
    CHECK(m.body_truncated);
    CHECK_FALSE(m.complete());
    CHECK(m.body == "hello");
    CHECK(m.message_length == text.size());
  }
  SECTION("smaller than the data: body is exactly Content-Length bytes") {
    const std::string text = head + "Content-Length: 2\r\n\r\nhello";
    const sip_message m = parse_ok(text);
    CHECK(m.body == "he");
    CHECK(m.message_length == text.size() - 3);
    CHECK(m.complete());
  }
  SECTION("absent: body is the rest of the data") {
    const sip_message m = parse_ok(head + "\r\nrest of it");
    CHECK_FALSE(m.content_length);
    CHECK(m.body == "rest of it");
  }
  SECTION("header section not terminated") {
    const std::string text = head + "Content-Length: 0\r\n";
    const sip_message m = parse_ok(text);
    CHECK(m.headers_truncated);
    CHECK(m.body.empty());
    CHECK(m.message_length == text.size());
  }
  SECTION("bad values") {
    CHECK(parse_err(head + "Content-Length: abc\r\n\r\n") == sip_parse_error::bad_content_length);
    CHECK(parse_err(head + "Content-Length: -1\r\n\r\n") == sip_parse_error::bad_content_length);
    CHECK(parse_err(head + "Content-Length: 4294967296\r\n\r\n") ==
          sip_parse_error::bad_content_length);
    CHECK(parse_err(head + "l: 1\r\nl: 2\r\n\r\nab") == sip_parse_error::bad_content_length);
  }
}

TEST_CASE("several messages in one stream are framed by message_length", "[sip]") {
  const std::string a = invite();
  const std::string b = crlf("SIP/2.0 100 Trying\nCall-ID: x\nCSeq: 1 INVITE\nl: 0\n\n");
  const std::string c = crlf("ACK sip:b@h SIP/2.0\nCall-ID: x\nCSeq: 1 ACK\nl: 0\n\n");
  const std::string stream = a + b + "\r\n" + c;
  std::vector<int> codes;
  size_t offset = 0;
  while (offset < stream.size()) {
    auto r = parse_sip(std::string_view(stream).substr(offset));
    REQUIRE(r.message);
    REQUIRE(r.message->message_length > 0);
    codes.push_back(r.message->is_request ? static_cast<int>(r.message->method)
                                          : r.message->status_code);
    offset += r.message->message_length;
  }
  CHECK(offset == stream.size());
  CHECK(codes == std::vector<int>{static_cast<int>(sip_method::invite), 100,
                                  static_cast<int>(sip_method::ack)});
}

TEST_CASE("malformed SIP is reported with the right error", "[sip]") {
  const std::string tail = crlf("Call-ID: c\nCSeq: 1 INVITE\n\n");
  CHECK(parse_err("") == sip_parse_error::empty);
  CHECK(parse_err("\r\n\r\n") == sip_parse_error::empty);
  CHECK(parse_err("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == sip_parse_error::not_sip);
  CHECK(parse_err(std::string("\x80\x01\x02\x03", 4)) == sip_parse_error::not_sip);
  CHECK(parse_err("SIP/2.0 099 Low\r\n" + tail) == sip_parse_error::bad_status_code);
  CHECK(parse_err("SIP/2.0 700 High\r\n" + tail) == sip_parse_error::bad_status_code);
  CHECK(parse_err("SIP/2.0 2x0 OK\r\n" + tail) == sip_parse_error::bad_status_code);
  CHECK(parse_err("SIP/2.0 2000 OK\r\n" + tail) == sip_parse_error::bad_status_code);
  CHECK(parse_err("SIP/2.0\r\n" + tail) == sip_parse_error::bad_start_line);
  CHECK(parse_err("SIP/3.0 200 OK\r\n" + tail) == sip_parse_error::bad_start_line);
  CHECK(parse_err("INVITE sip:x SIP/3.0\r\n" + tail) == sip_parse_error::bad_start_line);
  CHECK(parse_err("INVITE SIP/2.0\r\n" + tail) == sip_parse_error::bad_start_line);
  CHECK(parse_err("INVITE sip:x SIP/2.0\r\nNo colon here\r\n" + tail) ==
        sip_parse_error::header_without_colon);
  CHECK(parse_err("INVITE sip:x SIP/2.0\r\n: empty name\r\n" + tail) ==
        sip_parse_error::header_without_colon);
  CHECK(parse_err(crlf("INVITE sip:x SIP/2.0\nCSeq: 1 INVITE\n\n")) ==
        sip_parse_error::missing_call_id);
  CHECK(parse_err(crlf("INVITE sip:x SIP/2.0\nCall-ID:   \nCSeq: 1 INVITE\n\n")) ==
        sip_parse_error::missing_call_id);
  CHECK(parse_err(crlf("INVITE sip:x SIP/2.0\nCall-ID: c\n\n")) == sip_parse_error::missing_cseq);
  for (const char* cseq : {"abc INVITE", "2147483648 INVITE", "1", "1 ", "INVITE 1", "-1 BYE",
                           "99999999999 BYE", "1 IN VITE"}) {
    INFO(cseq);
    CHECK(parse_err(crlf("BYE sip:x SIP/2.0\nCall-ID: c\nCSeq: ") + cseq + "\r\n\r\n") ==
          sip_parse_error::bad_cseq);
  }
  CHECK(parse_ok(crlf("BYE sip:x SIP/2.0\nCall-ID: c\nCSeq: 2147483647 BYE\n\n")).cseq_number ==
        2147483647u);

  std::string many = "OPTIONS sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n";
  for (int i = 0; i < 300; ++i)
    many += "X-H" + std::to_string(i) + ": v\r\n";
  CHECK(parse_err(many + "\r\n") == sip_parse_error::too_many_headers);

  for (auto e : {sip_parse_error::empty, sip_parse_error::too_many_headers,
                 sip_parse_error::truncated_body})
    CHECK(std::string(to_string(e)).size() > 5);
}

TEST_CASE("every prefix and random corruption of a message is handled", "[sip]") {
  const std::string text = invite();
  const size_t header_end = text.find("\r\n\r\n") + 4;
  for (size_t n = 0; n <= text.size(); ++n) {
    const std::string prefix = text.substr(0, n);  // own buffer so ASan sees overreads
    auto r = parse_sip(prefix);
    if (r.message) {
      CHECK(r.message->message_length <= n);
      if (n < header_end)
        CHECK(r.message->headers_truncated);
      else if (n < text.size())
        CHECK(r.message->body_truncated);
      (void)sdp_body(*r.message);
      (void)parse_name_addr(r.message->from);
    }
  }
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::string s = text;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e)
      s[rng() % s.size()] = static_cast<char>(rng() % 256);
    if (rng() % 3 == 0)
      s.resize(rng() % s.size());
    auto r = parse_sip(s);
    if (r.message) {
      CHECK(r.message->message_length <= s.size());
      (void)sdp_body(*r.message);
      (void)parse_name_addr(r.message->to);
    }
    (void)looks_like_sip(s);
  }
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 300, '\0');
    for (char& c : s)
      c = static_cast<char>(rng() % 256);
    auto r = parse_sip(s);
    CHECK((!r.message || r.message->message_length <= s.size()));
  }
}

TEST_CASE("overlong input", "[sip]") {
  std::string big = "INVITE sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nSubject: ";
  big.append(1 << 20, 'a');
  big += "\r\n";
  for (int i = 0; i < 1000; ++i)
    big += " folded\r\n";
  big += "Content-Length: 0\r\n\r\n";
  const sip_message m = parse_ok(big);
  CHECK(m.message_length == big.size());
  CHECK(parse_ok(std::string(100000, '\n') + big).call_id == "c");
}

TEST_CASE("looks_like_sip", "[sip]") {
  CHECK(looks_like_sip("SIP/2.0 200 OK\r\n"));
  CHECK(looks_like_sip("INVITE sip:bob@h SIP/2.0\r\n"));
  CHECK(looks_like_sip("REGISTER SIPS:h SIP/2.0"));
  CHECK(looks_like_sip("INVITE tel:+123 SIP/2.0"));
  CHECK(looks_like_sip("FOO sip:x"));
  CHECK_FALSE(looks_like_sip(""));
  CHECK_FALSE(looks_like_sip("SIP/2.0"));
  CHECK_FALSE(looks_like_sip("INVITE"));
  CHECK_FALSE(looks_like_sip("invite sip:x SIP/2.0"));
  CHECK_FALSE(looks_like_sip("GET /index.html HTTP/1.1"));
  CHECK_FALSE(looks_like_sip("INVITE http://x SIP/2.0"));
  CHECK_FALSE(looks_like_sip(std::string(100, 'A') + " sip:x"));
}

TEST_CASE("method names", "[sip]") {
  for (auto m : {sip_method::invite, sip_method::ack, sip_method::bye, sip_method::cancel,
                 sip_method::register_, sip_method::options, sip_method::subscribe,
                 sip_method::notify, sip_method::message, sip_method::info, sip_method::prack,
                 sip_method::update, sip_method::refer, sip_method::publish})
    CHECK(sip_method_from(to_string(m)) == m);
  CHECK(sip_method_from("invite") == sip_method::other);  // methods are case-sensitive
  CHECK(sip_method_from("") == sip_method::other);
}
