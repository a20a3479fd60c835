// RTCP and SIP INFO DTMF of the public corpus captures through the real binary, against
// tshark 4.0's view. Every expected number below comes from the tshark command quoted beside
// it (F = the capture); RTCP jitter is converted with the 8 kHz clock of PCMA/PCMU (raw / 8 ms).
#include <catch2/catch.hpp>

#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<json> cdrs_of(const std::string& capture) {
  const fs::path pcap = fs::path(VOXMON_CORPUS_DIR) / "pcaps" / capture;
  if (!fs::exists(pcap))
    return {};
  const auto dir = temp_dir("quality-corpus-" + capture);
  auto r = run(VOXMON_BIN, {"-r", pcap.string(), "--cdr-jsonl", (dir / "cdr.jsonl").string(),
                            "--db", "none"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return read_jsonl(dir / "cdr.jsonl");
}

const json* stream_with_ssrc(const json& cdr, uint32_t ssrc) {
  for (const auto& s : cdr["rtp"])
    if (s["ssrc"].get<uint32_t>() == ssrc)
      return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("corpus RTCP: report blocks, jitter and round trip as tshark sees them",
          "[system][quality][corpus]") {
  SECTION("sipnab-rtp-protocol.pcap: SRs without report blocks") {
    const auto cdrs = cdrs_of("sipnab-rtp-protocol.pcap");
    if (cdrs.empty())
      return;  // corpus absent: nothing to compare
    // tshark -r F -Y rtcp -T fields -e frame.number -e rtcp.pt -e rtcp.ssrc.cum_nr
    //   -> 9 "200,202" (no block), 12 "200,202" (no block)
    REQUIRE(cdrs.size() == 1);
    for (const auto& s : cdrs[0]["rtp"])
      CHECK(s["rtcp"].is_null());
    CHECK(cdrs[0]["a_rtcp_loss"].is_null());
    CHECK(cdrs[0]["b_rtcp_loss"].is_null());
  }
  SECTION("ws-Asterisk_ZFONE_XLITE.pcap: RRs without report blocks") {
    const auto cdrs = cdrs_of("ws-Asterisk_ZFONE_XLITE.pcap");
    if (cdrs.empty())
      return;
    // tshark -r F -Y rtcp -T fields -e frame.number -e rtcp.pt -e rtcp.ssrc.cum_nr
    //   -> 21 "201,202" (no block), 25 "201,202" (no block)
    REQUIRE(cdrs.size() == 1);
    for (const auto& s : cdrs[0]["rtp"])
      CHECK(s["rtcp"].is_null());
  }
  SECTION("sipnab-sip-over-tcp.pcap: one RR block with LSR/DLSR") {
    const auto cdrs = cdrs_of("sipnab-sip-over-tcp.pcap");
    if (cdrs.empty())
      return;
    // tshark -r F -Y rtcp -T fields -e frame.number -e frame.time_epoch -e rtcp.senderssrc
    //   -e rtcp.ssrc.identifier -e rtcp.ssrc.cum_nr -e rtcp.ssrc.fraction -e rtcp.ssrc.jitter
    //   -e rtcp.ssrc.lsr -e rtcp.ssrc.dlsr
    //   -> 14 1311857690.954947 0x42f433d4 (SR, no block)
    //   -> 17 1311857690.972317 0x5a3361b3 block about 0x42f433d4: cum 0, fraction 0, jitter 0,
    //      lsr 153432162 (= NTP middle of frame 14's SR), dlsr 1048
    // RTT = (972317 - 954947) us - 1048/65536 s = 17.370 - 15.991 = 1.379 ms
    // (tshark -o rtcp.show_roundtrip_calculation:TRUE -o rtcp.roundtrip_min_threshhold:0
    //  -e rtcp.roundtrip-delay -> frame 17, lsr-frame 14, "2" ms: tshark rounds up to whole ms)
    REQUIRE(cdrs.size() == 1);
    const auto* s = stream_with_ssrc(cdrs[0], 0x42f433d4);
    REQUIRE(s);
    REQUIRE((*s)["rtcp"].is_object());
    const auto& r = (*s)["rtcp"];
    CHECK(r["reports"] == 1);
    CHECK(r["loss"] == 0);
    CHECK(r["maxfr"].get<double>() == 0.0);
    CHECK(r["maxjitter"].get<double>() == 0.0);
    CHECK(r["rtt"].get<double>() == Approx(1.379).margin(0.001));
    CHECK(r["xr_mos_lq"].is_null());
    const auto* other = stream_with_ssrc(cdrs[0], 0x5a3361b3);
    REQUIRE(other);
    CHECK((*other)["rtcp"].is_null());  // frame 14 is an SR without a block
    // The caller (10.33.6.100) sent frame 17: a_rtcp_* is what the caller reported.
    CHECK(cdrs[0]["a_rtcp_rtt"].get<double>() == Approx(1.379).margin(0.001));
  }
  SECTION("ws-SIP_CALL_RTP_G711.pcap: compound SR+RR, SR+SDES, 14 packets on the call's ports") {
    const auto cdrs = cdrs_of("ws-SIP_CALL_RTP_G711.pcap");
    if (cdrs.empty())
      return;
    // The call's RTCP is 200.57.7.204:8001 <-> 200.57.7.196:40377; the copies from/to
    // 200.57.7.196:40379 and 200.57.7.199:4801 belong to the other leg (not in SDP of this call).
    // tshark -r F -Y 'rtcp && udp.port==40377 && udp.port==8001' -T fields -e frame.number
    //   -e frame.time_epoch -e rtcp.senderssrc -e rtcp.timestamp.ntp.msw -e rtcp.timestamp.ntp.lsw
    //   -e rtcp.ssrc.identifier -e rtcp.ssrc.jitter -e rtcp.ssrc.lsr -e rtcp.ssrc.dlsr
    //   -e rtcp.ssrc.cum_nr -e rtcp.ssrc.fraction
    //   -> frames 504 523 529 881 1181 1567 1966 2612 2644 2858 3041 3283 3772 4030;
    //      blocks about 0xd2bd4e3e: 14, cum_nr 0, fraction 0, jitter max 20 (2.5 ms),
    //        sum 40 (mean 40/14/8 = 0.357 ms);
    //      round trips (RR time - time of the SR whose NTP middle = LSR - DLSR/65536), where an SR
    //        of 0xd2bd4e3e matches: 0.782, 0.469, 1.074, 2.163 ms -> mean 1.122, max 2.163;
    //      blocks about 0x58f33dea: 7, cum_nr 0, jitter max 9244 (1155.5 ms),
    //        sum 25138 (mean 25138/7/8 = 448.893 ms); no LSR of an SR of 0x58f33dea on these ports.
    const json* call = nullptr;
    for (const auto& c : cdrs)
      if (c["callid"] == "12013223@200.57.7.195")
        call = &c;
    REQUIRE(call);
    const auto* a = stream_with_ssrc(*call, 0xd2bd4e3e);
    REQUIRE(a);
    REQUIRE((*a)["rtcp"].is_object());
    CHECK((*a)["rtcp"]["reports"] == 14);
    CHECK((*a)["rtcp"]["loss"] == 0);
    CHECK((*a)["rtcp"]["maxfr"].get<double>() == 0.0);
    CHECK((*a)["rtcp"]["maxjitter"].get<double>() == Approx(2.5).margin(0.001));
    CHECK((*a)["rtcp"]["avgjitter"].get<double>() == Approx(0.357).margin(0.001));
    CHECK((*a)["rtcp"]["rtt"].get<double>() == Approx(1.122).margin(0.001));
    CHECK((*a)["rtcp"]["maxrtt"].get<double>() == Approx(2.163).margin(0.001));
    const auto* b = stream_with_ssrc(*call, 0x58f33dea);
    REQUIRE(b);
    REQUIRE((*b)["rtcp"].is_object());
    CHECK((*b)["rtcp"]["reports"] == 7);
    CHECK((*b)["rtcp"]["maxjitter"].get<double>() == Approx(1155.5).margin(0.001));
    CHECK((*b)["rtcp"]["avgjitter"].get<double>() == Approx(448.893).margin(0.001));
    CHECK((*b)["rtcp"]["rtt"].is_null());
  }
}

TEST_CASE("corpus SIP INFO DTMF as tshark sees it", "[system][quality][corpus]") {
  const auto cdrs = cdrs_of("ws-DTMFsipinfo.pcap");
  if (cdrs.empty())
    return;
  // tshark -r F -Y 'sip.Method==INFO' -T fields -e frame.number -e frame.time_epoch -e ip.src
  //   -e sip.Content-Type   (bodies: tshark -r F -Y 'sip.Method==INFO' -O sip, "Message Body")
  //   -> 17 1303892076.869586 178.45.73.241 application/dtmf-relay "Signal= 1 Duration= 180"
  //   -> 19 1303892080.600416 ...                                  "Signal= 3 Duration= 180"
  //   -> 29 1303892146.275825 ...                                  "Signal= 4 Duration= 180"
  //   -> 31 1303892148.231547 ...                                  "Signal= 2 Duration= 180"
  // tshark -r F -Y 'sip.Method==INVITE' -T fields -e frame.time_epoch -e ip.src
  //   -> first INVITE 1303892069.846846 from 178.45.73.241 (the caller): times are from it.
  // tshark -r F -Y rtpevent | wc -l -> 0 (no RFC 2833 events)
  REQUIRE(cdrs.size() == 1);
  const auto& d = cdrs[0]["dtmf"];
  REQUIRE(d.size() == 4);
  const char* digits[] = {"1", "3", "4", "2"};
  const double times[] = {76.869586 - 69.846846, 80.600416 - 69.846846, 146.275825 - 69.846846,
                          148.231547 - 69.846846};
  for (size_t i = 0; i < 4; ++i) {
    INFO("digit " << i);
    CHECK(d[i]["digit"] == digits[i]);
    CHECK(d[i]["type"] == "sip_info");
    CHECK(d[i]["sender"] == "caller");
    CHECK(d[i]["duration"].get<double>() == 180.0);
    CHECK(d[i]["time"].get<double>() == Approx(times[i]).margin(0.0011));
  }
}

TEST_CASE("corpus SRTP: a ZRTP key agreement marks its streams", "[system][quality][corpus]") {
  const auto cdrs = cdrs_of("ws-Asterisk_ZFONE_XLITE.pcap");
  if (cdrs.empty())
    return;
  // tshark -r F -Y zrtp -T fields -e frame.number -e ip.src -e udp.srcport -e ip.dst
  //   -e udp.dstport -e zrtp.type
  //   -> 45 192.168.10.40 49848 192.168.10.41 64508 Confirm1, 46 .41 64508 -> .40 49848 Confirm2,
  //      47 .40 49848 -> .41 64508 Conf2ACK (Hello .. DHPart2 before)
  // tshark -r F -q -z rtp,streams -> three streams: 0xB72A7104 (.40 -> .41, 790 packets),
  //   0xBEE0F2ED (.41 -> .40, 205), 0xBEE0F2ED (.41:64508 -> 192.168.10.2:18874, 2, after the
  //   re-INVITE: no ZRTP between those ends)
  REQUIRE(cdrs.size() == 1);
  const auto& c = cdrs[0];
  REQUIRE(c["rtp"].size() == 3);
  for (const auto& s : c["rtp"]) {
    INFO(s.dump());
    CHECK(s["srtp"].get<bool>() == (s["daddr"] != "192.168.10.2"));
    CHECK_FALSE(s["mos_f1"].is_null());  // quality from the headers all the same
  }
  CHECK(c["a_srtp"].get<bool>());
  CHECK(c["b_srtp"].get<bool>());
  CHECK_FALSE(c["capture_loss"].get<bool>());
  CHECK(c["capture_dropped"] == 0);
}
