// ip_address / endpoint: parsing, RFC 5952 text (checked against glibc inet_ntop) and ordering.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <random>

#include "core/net_types.hpp"

using voxmon::core::endpoint;
using voxmon::core::ip_address;

namespace {
std::string ntop6(const ip_address& a) {
  char buf[INET6_ADDRSTRLEN];
  REQUIRE(inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf) != nullptr);
  return buf;
}
}  // namespace

TEST_CASE("net: IPv4 from bytes, text and back", "[net]") {
  const uint8_t raw[4] = {192, 0, 2, 255};
  auto a = ip_address::from_v4(raw);
  CHECK_FALSE(a.is_v6);
  CHECK(a.to_string() == "192.0.2.255");
  for (size_t i = 4; i < 16; ++i)
    CHECK(a.bytes[i] == 0);
  CHECK(ip_address::parse("192.0.2.255") == a);
  CHECK(ip_address::parse("0.0.0.0")->to_string() == "0.0.0.0");
  CHECK(ip_address::parse("255.255.255.255")->to_string() == "255.255.255.255");
  CHECK(ip_address::parse("10.20.30.40")->to_string() == "10.20.30.40");
}

TEST_CASE("net: IPv6 text is the RFC 5952 canonical form", "[net]") {
  const std::pair<const char*, const char*> cases[] = {
    {"::", "::"},
    {"::1", "::1"},
    {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},  // first of two equal runs
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single zero group stays
    {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
    {"fe80::21a:a0ff:fe07:32e0", "fe80::21a:a0ff:fe07:32e0"},
    {"fe80:0:0:0:21a:a0ff:fe07:32e0", "fe80::21a:a0ff:fe07:32e0"},
    {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},  // the longest run wins
    {"1::", "1::"},
    {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
    {"::ffff:c000:0201", "::ffff:192.0.2.1"},
    {"[2001:db8::5]", "2001:db8::5"},
    {"fd00:183:1:1:1886:9040:8605:32b8", "fd00:183:1:1:1886:9040:8605:32b8"},
  };
  for (auto [in, want] : cases) {
    INFO(in);
    auto a = ip_address::parse(in);
    REQUIRE(a);
    CHECK(a->is_v6);
    CHECK(a->to_string() == want);
    CHECK(a->to_string() == ntop6(*a));
    CHECK(ip_address::parse(a->to_string()) == a);
  }
}

TEST_CASE("net: IPv6 text matches inet_ntop on many addresses", "[net]") {
  std::mt19937 rng(5952);
  for (int i = 0; i < 20000; ++i) {
    uint8_t raw[16];
    // Mostly-zero groups so runs of every length and position occur.
    for (int g = 0; g < 8; ++g) {
      const uint32_t kind = rng() % 4;
      const uint32_t v = kind < 2 ? 0 : kind == 2 ? rng() % 16 : rng() & 0xffff;
      raw[2 * g] = static_cast<uint8_t>(v >> 8);
      raw[2 * g + 1] = static_cast<uint8_t>(v);
    }
    if (i % 10 == 0) {  // mapped / compatible prefixes
      std::memset(raw, 0, 10);
      raw[10] = raw[11] = (i % 20 == 0) ? 0xff : 0;
    }
    auto a = ip_address::from_v6(raw);
    INFO(ntop6(a));
    REQUIRE(a.to_string() == ntop6(a));
    REQUIRE(ip_address::parse(a.to_string()) == a);
  }
}

TEST_CASE("net: parse rejects what is not an address", "[net]") {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "01.2.3.4",
                          "1.2.3.-4", "a.b.c.d", "1::2::3", "12345::", ":::", "1:2:3:4:5:6:7:8:9",
                          "[1.2.3.4", "[::1", "::1]", "fe80::1%eth0", "g::1",
                          "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000"}) {
    INFO('"' << bad << '"');
    CHECK_FALSE(ip_address::parse(bad));
  }
  CHECK_FALSE(ip_address::parse(std::string_view("1.2.3.4\0", 8)));
}

TEST_CASE("net: endpoints print and order", "[net]") {
  endpoint v4{*ip_address::parse("10.0.0.1"), 5060};
  endpoint v6{*ip_address::parse("2001:db8::1"), 5061};
  CHECK(v4.to_string() == "10.0.0.1:5060");
  CHECK(v6.to_string() == "[2001:db8::1]:5061");
  CHECK(endpoint{*ip_address::parse("::1"), 0}.to_string() == "[::1]:0");
  CHECK(v4 != v6);
  CHECK(v4 == endpoint{*ip_address::parse("10.0.0.1"), 5060});
  CHECK(v4 < endpoint{*ip_address::parse("10.0.0.1"), 5061});
  CHECK(ip_address::parse("10.0.0.1") < ip_address::parse("10.0.0.2"));
  // An IPv4 address and the IPv6 address with the same leading bytes stay distinct.
  CHECK(*ip_address::parse("::") != *ip_address::parse("0.0.0.0"));
  voxmon::core::endpoint_hash h;
  CHECK(h(v4) == h(endpoint{*ip_address::parse("10.0.0.1"), 5060}));
}
