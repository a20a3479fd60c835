#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "core/sip_message.hpp"

using namespace voxmon::core;

namespace {

name_addr parse_ok(std::string_view text) {
  INFO(text);
  auto n = parse_name_addr(text);
  REQUIRE(n);
  return *n;
}

}  // namespace

TEST_CASE("quoted display name with escapes", "[name_addr]") {
  const auto n =
      parse_ok(R"("Quoted \"Name\"" <sip:user:secret@host.example:5060;transport=udp>;tag=abc)");
  CHECK(n.display_name == R"(Quoted \"Name\")");
  CHECK(n.uri == "sip:user:secret@host.example:5060;transport=udp");
  CHECK(n.user == "user");
  CHECK(n.host == "host.example");
  CHECK(n.tag == "abc");
}

TEST_CASE("unquoted display name, sips, spaces", "[name_addr]") {
  const auto n = parse_ok("  Bob Smith <sips:bob@biloxi.example.com> ; tag = a6c85cf ");
  CHECK(n.display_name == "Bob Smith");
  CHECK(n.uri == "sips:bob@biloxi.example.com");
  CHECK(n.user == "bob");
  CHECK(n.host == "biloxi.example.com");
  CHECK(n.tag == "a6c85cf");

  const auto plain = parse_ok("<sip:alice@atlanta.example.com>");
  CHECK(plain.display_name.empty());
  CHECK(plain.tag.empty());
  CHECK(plain.user == "alice");

  const auto quoted_empty = parse_ok("\"\" <sip:a@b>;tag=1");
  CHECK(quoted_empty.display_name.empty());
  CHECK(quoted_empty.host == "b");

  const auto upper = parse_ok("<SIP:Alice@Example.COM>;TAG=XyZ");
  CHECK(upper.user == "Alice");
  CHECK(upper.host == "Example.COM");
  CHECK(upper.tag == "XyZ");
}

TEST_CASE("bare addr-spec: parameters belong to the header", "[name_addr]") {
  const auto n = parse_ok("sip:user@host;tag=x");
  CHECK(n.uri == "sip:user@host");
  CHECK(n.user == "user");
  CHECK(n.host == "host");
  CHECK(n.tag == "x");

  const auto p = parse_ok("sip:+4930123@gw.example:5080;user=phone;tag=77");
  CHECK(p.uri == "sip:+4930123@gw.example:5080");
  CHECK(p.user == "+4930123");
  CHECK(p.host == "gw.example");
  CHECK(p.tag == "77");
}

TEST_CASE("URI forms: tel, no user, IPv6, user parameters", "[name_addr]") {
  const auto tel = parse_ok("<tel:+123>");
  CHECK(tel.uri == "tel:+123");
  CHECK(tel.user == "+123");
  CHECK(tel.host.empty());

  const auto tel_ctx = parse_ok("\"Desk\" <tel:7042;phone-context=example.com>;tag=t1");
  CHECK(tel_ctx.user == "7042");
  CHECK(tel_ctx.tag == "t1");

  const auto nouser = parse_ok("<sip:proxy.example.com:5060;lr>");
  CHECK(nouser.user.empty());
  CHECK(nouser.host == "proxy.example.com");

  const auto v6 = parse_ok("<sip:alice@[2001:db8::1]:5060>;tag=v6");
  CHECK(v6.user == "alice");
  CHECK(v6.host == "2001:db8::1");
  CHECK(v6.tag == "v6");

  const auto v6_bare = parse_ok("sip:[2001:db8::2];tag=q");
  CHECK(v6_bare.user.empty());
  CHECK(v6_bare.host == "2001:db8::2");
  CHECK(v6_bare.tag == "q");

  const auto v6_open = parse_ok("<sip:[2001:db8::3>");
  CHECK(v6_open.host == "2001:db8::3");

  // User parameters belong to the user part (as Wireshark shows them; the packetnet corpus
  // capture's To is "sip:92970;phone-context=cdp.udp@...").
  const auto user_params = parse_ok("<sip:alice;npdi=yes@h.example>");
  CHECK(user_params.user == "alice;npdi=yes");
  const auto phone_context = parse_ok("<sip:92970;phone-context=cdp.udp@10.1.1.1:5060;user=phone>");
  CHECK(phone_context.user == "92970;phone-context=cdp.udp");
  CHECK(phone_context.host == "10.1.1.1");
  const auto password = parse_ok("<sip:bob:secret@h.example>");
  CHECK(password.user == "bob");
  CHECK(user_params.host == "h.example");

  const auto ipv4 = parse_ok("<sip:1001@192.0.2.10:5062;transport=tcp?Subject=x>");
  CHECK(ipv4.user == "1001");
  CHECK(ipv4.host == "192.0.2.10");

  const auto other_scheme = parse_ok("<urn:service:sos>");
  CHECK(other_scheme.user.empty());
  CHECK(other_scheme.host.empty());
  CHECK(other_scheme.uri == "urn:service:sos");
}

TEST_CASE("tag search", "[name_addr]") {
  CHECK(parse_ok("<sip:a@b>;foo=bar;tag=second").tag == "second");
  CHECK(parse_ok("<sip:a@b>;tagx=1;xtag=2").tag.empty());
  CHECK(parse_ok("<sip:a@b;tag=inside-uri>").tag.empty());  // a URI parameter, not the header's
  CHECK(parse_ok("<sip:a@b>;lr").tag.empty());
  CHECK(parse_ok("<sip:a@b>;tag=").tag.empty());
  CHECK(parse_ok("<sip:a@b>;tag=1, <sip:c@d>;tag=2").tag == "1");
}

TEST_CASE("invalid name-addr values", "[name_addr]") {
  for (const char* bad : {"", "   ", "\"unterminated <sip:a@b>", "\"Name\" sip:a@b",
                          "<sip:a@b", "<>", "Name <>", "just text", "\"x\"", "<nocolon>"}) {
    INFO(bad);
    CHECK_FALSE(parse_name_addr(bad));
  }
}

TEST_CASE("random name-addr input never crashes", "[name_addr]") {
  const std::string seed = R"("A \"b\"" <sip:u:p@[::1]:5060;x=y?h=v>;tag=abc;q=1)";
  for (size_t n = 0; n <= seed.size(); ++n) {
    const std::string prefix = seed.substr(0, n);
    if (auto r = parse_name_addr(prefix)) {
      CHECK(r->uri.size() <= n);
      CHECK(r->user.size() <= r->uri.size());
    }
  }
  std::mt19937 rng(99);
  const char alphabet[] = "\"\\<>:;@[]=, \tsipTAG";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s)
      c = alphabet[rng() % (sizeof(alphabet) - 1)];
    if (auto r = parse_name_addr(s)) {
      CHECK(r->host.size() <= s.size());
      CHECK(r->tag.size() <= s.size());
    }
  }
}
