// The sensor's challenge-response and the central node / sensor config keys.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "config/cluster_settings.hpp"
#include "core/sensor_auth.hpp"

using namespace voxmon;

TEST_CASE("auth: the proof is HMAC-SHA256 over nonce|id|name, checked in constant time", "[cluster]") {
  // Known answer: python3 -c "import hmac,hashlib;print(hmac.new(b'pw',b'00ff|7|edge',hashlib.sha256).hexdigest())"
  CHECK(core::make_auth_proof("pw", "00ff", 7, "edge") ==
        "358afb7b5c819b0031c732e4c378aa76cd2306f16bc479167087776af729c6dc");
  const std::string proof = core::make_auth_proof("pw", "00ff", 7, "edge");
  CHECK(core::auth_proof_matches("pw", "00ff", 7, "edge", proof));
  CHECK_FALSE(core::auth_proof_matches("pW", "00ff", 7, "edge", proof));
  CHECK_FALSE(core::auth_proof_matches("pw", "00fe", 7, "edge", proof));
  CHECK_FALSE(core::auth_proof_matches("pw", "00ff", 8, "edge", proof));
  CHECK_FALSE(core::auth_proof_matches("pw", "00ff", 7, "edgf", proof));
  CHECK_FALSE(core::auth_proof_matches("pw", "00ff", 7, "edge", proof.substr(1)));
  const std::string a = core::make_auth_nonce(), b = core::make_auth_nonce();
  CHECK(a.size() == 64);
  CHECK(a != b);
}

TEST_CASE("cluster keys: destinations with default and explicit ports, IPv6, errors", "[config][cluster]") {
  config::settings s;
  bool known = false;
  REQUIRE_FALSE(config::apply_setting(s, "server_destination_port", "7000", known));
  REQUIRE_FALSE(config::apply_setting(s, "server_destination", "central, backup:7001 , [::1]:7002,[fe80::1]", known));
  std::string reason;
  auto d = config::parse_destinations(s, reason);
  REQUIRE(d);
  REQUIRE(d->size() == 4);
  CHECK((*d)[0].host == "central");
  CHECK((*d)[0].port == 7000);
  CHECK((*d)[1].host == "backup");
  CHECK((*d)[1].port == 7001);
  CHECK((*d)[2].host == "::1");
  CHECK((*d)[2].port == 7002);
  CHECK((*d)[3].host == "fe80::1");
  CHECK((*d)[3].port == 7000);
  CHECK(config::is_sensor(s));
  CHECK_FALSE(config::is_server(s));

  CHECK(*config::apply_setting(s, "server_destination", "a,,b", known) == "empty entry in server_destination 'a,,b'");
  CHECK(*config::apply_setting(s, "server_destination", "a:99999", known) == "expected a TCP port 1..65535 in 'a:99999'");
  CHECK(*config::apply_setting(s, "server_destination", "[::1", known) == "missing ']' in '[::1'");
  CHECK(*config::apply_setting(s, "server_bind_port", "0", known) == "expected a TCP port 1..65535, got '0'");
  CHECK_FALSE(config::apply_setting(s, "packetbuffer_sender", "yes", known));
  CHECK(config::is_mirror_sender(s));
  CHECK_FALSE(config::apply_setting(s, "packetbuffer_sender", "no", known));
  CHECK_FALSE(config::is_mirror_sender(s));
  CHECK(*config::apply_setting(s, "packetbuffer_sender", "maybe", known) == "expected yes or no, got 'maybe'");
  CHECK(*config::apply_setting(s, "mirror_frame_kb", "0", known) == "expected 1..65536 KB, got '0'");
  CHECK_FALSE(config::apply_setting(s, "max_buffer_mem", "16", known));
  CHECK(s.max_buffer_mem == 16);
  CHECK_FALSE(config::apply_setting(s, "replay_speed", "2.5", known));
  CHECK(s.replay_speed == 2.5);
  CHECK(config::apply_setting(s, "replay_speed", "-1", known).has_value());
  CHECK_FALSE(config::apply_setting(s, "packetbuffer_compress", "no", known));
  CHECK_FALSE(s.packetbuffer_compress);
  CHECK(s.mirror_compress_min_saving == 20);
  CHECK_FALSE(config::apply_setting(s, "mirror_compress_min_saving", "0", known));
  CHECK(s.mirror_compress_min_saving == 0);
  CHECK(*config::apply_setting(s, "mirror_compress_min_saving", "100", known) ==
        "expected 0..99 percent, got '100'");
  CHECK(s.mirror_compress_min_saving == 0);
  CHECK(config::classify_key("server_bind") == config::key_kind::supported);
  CHECK(config::classify_key("tls_ca") == config::key_kind::supported);
}

TEST_CASE("cluster keys: remote pcap limits and stay_joined", "[config][cluster][remote_pcap]") {
  config::settings s;
  bool known = false;
  CHECK(s.remote_pcap_max_mb == 256);
  CHECK(s.remote_pcap_timeout == 5);
  CHECK_FALSE(s.stay_joined);
  CHECK_FALSE(config::apply_setting(s, "remote_pcap_max_mb", "16", known));
  CHECK(s.remote_pcap_max_mb == 16);
  CHECK_FALSE(config::apply_setting(s, "remote_pcap_timeout", "30", known));
  CHECK(s.remote_pcap_timeout == 30);
  CHECK_FALSE(config::apply_setting(s, "stay_joined", "yes", known));
  CHECK(s.stay_joined);
  CHECK(*config::apply_setting(s, "remote_pcap_max_mb", "0", known) == "expected 1..1048576 MB, got '0'");
  CHECK(*config::apply_setting(s, "remote_pcap_timeout", "0", known) == "expected 1..3600 seconds, got '0'");
  CHECK(*config::apply_setting(s, "stay_joined", "later", known) == "expected yes or no, got 'later'");
  CHECK(config::classify_key("remote_pcap_max_mb") == config::key_kind::supported);
}

TEST_CASE("cluster keys: the server password from a file, the environment, or the config", "[config][cluster]") {
  config::settings s;
  s.server_password = "from-config";
  std::string reason;
  ::unsetenv("VOXMON_SERVER_PASSWORD");
  CHECK(*config::server_password(s, reason) == "from-config");
  ::setenv("VOXMON_SERVER_PASSWORD", "from-env", 1);
  CHECK(*config::server_password(s, reason) == "from-env");
  const std::string file = std::string(VOXMON_TEST_TMP) + "/server_password.txt";
  std::system(("mkdir -p " + std::string(VOXMON_TEST_TMP)).c_str());
  { std::ofstream(file) << "from-file\r\nsecond line\n"; }
  s.server_password_file = file;
  CHECK(*config::server_password(s, reason) == "from-file");
  s.server_password_file = file + ".missing";
  CHECK_FALSE(config::server_password(s, reason));
  CHECK(reason == "cannot read server_password_file '" + file + ".missing'");
  ::unsetenv("VOXMON_SERVER_PASSWORD");
}
