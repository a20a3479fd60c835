// Malformed input through the real binary: it must finish, count what it dropped, and exit 0.
#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include "tests/support/frames.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;

namespace {

void write_pcap(const fs::path& path, const std::vector<std::vector<uint8_t>>& frames) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  REQUIRE(dumper != nullptr);
  long usec = 0;
  for (const auto& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = 1700000000;
    h.ts.tv_usec = usec += 1000;
    h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, f.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

}  // namespace

TEST_CASE("zero-length, tiny, jumbo and garbage frames are counted, never fatal",
          "[system][malformed]") {
  const auto dir = temp_dir("malformed");
  std::vector<std::vector<uint8_t>> frames;
  frames.push_back({});                                   // zero-length frame
  frames.push_back({0x01});                               // one byte
  frames.push_back(std::vector<uint8_t>(65535, 0xab));    // jumbo garbage (bad ethertype)
  auto jumbo_ip = udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, std::vector<uint8_t>(9000, 'x'));
  frames.push_back(jumbo_ip);                             // jumbo UDP on the SIP port, not SIP
  // An INVITE whose SDP has a port out of range and garbage lines: the call is still a call.
  std::string sdp_bad = sip("INVITE sip:bob@b.example SIP/2.0", "bad-sdp@test", 1, "INVITE", "",
                            "10.0.0.1", 4000);
  const auto pos = sdp_bad.find("m=audio 4000");
  sdp_bad.replace(pos, 12, "m=audio 99999");
  frames.push_back(udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, bytes(sdp_bad)));
  auto cut = udp_frame("10.0.0.1", 5060, "10.0.0.2", 5060, bytes("INVITE sip:x SIP/2.0\r\nCall-ID: y\r\n"));
  cut.resize(cut.size() - 10);                            // IP length beyond the captured bytes
  frames.push_back(cut);
  write_pcap(dir / "bad.pcap", frames);

  auto r = run(VOXMON_BIN, {"-r", "bad.pcap", "--cdr-jsonl", "bad.jsonl", "--db", "none"}, dir);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("packets=6 ") != std::string::npos);
  CHECK(r.out.find("calls=1 ") != std::string::npos);
  CHECK(r.out.find("truncated=") != std::string::npos);
  CHECK(r.out.find("bad_sip=1") != std::string::npos);
  auto cdrs = read_jsonl(dir / "bad.jsonl");
  REQUIRE(cdrs.size() == 1);
  CHECK(cdrs[0]["callid"] == "bad-sdp@test");
  CHECK(cdrs[0]["rtp"].empty());
}
