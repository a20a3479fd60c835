// CDR -> JSON line (store/cdr_json), and the time helpers of core/cdr.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/cdr.hpp"
#include "store/cdr_json.hpp"
#include "store/jsonl_sink.hpp"

using namespace voxmon;
using core::cdr;
using core::cdr_rtp_stream;
using core::endpoint;
using core::party;

namespace {

constexpr core::timestamp_ns t0 = 1'700'000'000'123'456'789;  // 2023-11-14 22:13:20.123456789
constexpr core::timestamp_ns ms = 1'000'000;

endpoint ep(const char* ip, uint16_t port) {
  auto a = core::ip_address::parse(ip);
  REQUIRE(a);
  return endpoint{*a, port};
}

cdr_rtp_stream stream(endpoint src, endpoint dst, uint32_t ssrc, int payload, uint64_t received,
                      int64_t lost, double avg, double max, core::timestamp_ns first,
                      std::optional<party> sender) {
  cdr_rtp_stream s;
  s.src = src;
  s.dst = dst;
  s.ssrc = ssrc;
  s.payload = payload;
  s.received = received;
  s.lost = lost;
  s.avgjitter_ms = avg;
  s.maxjitter_ms = max;
  s.first_ts = first;
  s.last_ts = first + 60'000 * ms;
  s.sender = sender;
  return s;
}

// An answered call with a short caller stream before the main pair: a_ must pick the caller
// stream with the most packets, not the first one.
cdr answered_call() {
  cdr c;
  c.callid = "abc123@10.0.0.1";
  c.id_sensor = 7;
  c.calldate = t0;
  c.callend = t0 + 65'432'100'000;
  c.connect_time = t0 + 2'500'500'000;
  c.progress_time = t0 + 1'500'000;  // 1.5 ms: rounds up to 0.002
  c.first_rtp_time = t0 + 2'550 * ms;
  c.caller = "1001";
  c.callername = "Alice \"A\" \\ Smith";
  c.caller_domain = "example.com";
  c.called = "1002";
  c.called_domain = "example.org";
  c.sipcaller = ep("10.0.0.1", 5060);
  c.sipcalled = ep("10.0.0.2", 5062);
  c.last_sip_response_num = 200;
  c.last_sip_response = "200 OK";
  c.bye = core::bye_code::bye_confirmed;
  c.whohanged = party::callee;
  c.a_ua = "Linphone/5.0";
  c.b_ua = "Asterisk PBX 18";
  c.vlan = 100;
  c.rtp.push_back(stream(ep("10.0.0.1", 40002), ep("10.0.0.2", 50002), 5, 18, 10, 1, 0.1, 0.2,
                         t0 + 2'550 * ms, party::caller));
  c.rtp.push_back(stream(ep("10.0.0.1", 40000), ep("10.0.0.2", 50000), 0x11223344, 8, 3270, 2,
                         1.23456, 5.0004, t0 + 2'600 * ms, party::caller));
  c.rtp.push_back(stream(ep("10.0.0.2", 50000), ep("10.0.0.1", 40000), 4'000'000'000u, 0, 3265,
                         0, 0.5, 2.25, t0 + 2'700 * ms, party::callee));
  // Voice quality of the caller's main stream, RTCP about the callee's, one DTMF digit.
  auto& q = c.rtp[1].quality;
  c.rtp[1].codec = "PCMA";
  q.jb[0] = {4.40666, 4.1234, 3, 1500, 3, 1};
  q.jb[1].late = 9;
  c.rtp[1].srtp = true;
  c.capture_loss = true;
  c.capture_dropped = 17;
  q.jb[2] = {4.2, 4.2, 1, 500, 0, 0};
  q.sl[0] = 2;
  q.sl[9] = 1;
  q.delay[0] = 7;
  q.delay[6] = 1;
  q.expected = 3272;
  q.lost = 2;
  q.packet_loss_perc = 0.061125;
  q.reordered = 4;
  q.duplicates = 5;
  q.ptime_ms = 20;
  q.comfort_noise = true;
  q.intervals = {{0, 500, 1, 4.40666, 4.2, 1.23456}, {3, 120, 0, 4.5, 4.5, 0.0}};
  core::cdr_rtcp r;
  r.reports = 12;
  r.loss = 3;
  r.max_fraction_lost = 64;
  r.avg_fraction_lost = 2.5;
  r.max_jitter_ms = 12.5;
  r.avg_jitter_ms = 3.0625;
  r.rtt_count = 2;
  r.avg_rtt_ms = 41.2345;
  r.max_rtt_ms = 50;
  r.xr_mos_lq = 4.1;
  c.rtp[2].rtcp = r;
  core::cdr_dtmf d;
  d.digit = '#';
  d.time = t0 + 10'000 * ms;
  d.duration_ms = 160;
  d.type = 1;
  d.sender = party::caller;
  c.dtmf.push_back(d);
  return c;
}

// Never answered, IPv6, one stream of unknown direction and unknown payload, nasty strings.
cdr unanswered_call() {
  cdr c;
  c.callid = "x\"y\\z";
  c.calldate = 1'700'000'000'000'999'999;  // milliseconds truncate: .000
  c.callend = c.calldate + 30 * core::ns_per_second;
  c.caller = "a\x01" "b\tc\n";
  c.callername = "Jos\xE9";         // Latin-1, invalid UTF-8 at the end
  c.caller_domain = "M\xFC" "ller";  // invalid byte in the middle
  c.called = "\xE2\x82\xAC" "5";    // valid UTF-8 (euro sign) stays as is
  c.called_domain = "[2001:db8::2]";
  c.sipcaller = ep("2001:db8::1", 5060);
  c.sipcalled = ep("2001:db8:0:0:1::2", 5080);
  c.last_sip_response_num = 487;
  c.last_sip_response = "487 Request Terminated";
  c.rtp.push_back(stream(ep("2001:db8::1", 4000), ep("2001:db8::2", 6000), 1, -1, 3, 0, 0.0,
                         0.0, c.calldate + 1 * ms, std::nullopt));
  return c;
}

// Quality keys of a stream without any quality data (appended after "maxjitter").
const std::string no_quality =
    R"(,"mos_f1":null,"mos_f1_min":null,"mos_f2":null,"mos_f2_min":null,"mos_adapt":null,)"
    R"("mos_adapt_min":null,"packet_loss_perc":0.0,"sl1":0,"sl2":0,"sl3":0,"sl4":0,"sl5":0,)"
    R"("sl6":0,"sl7":0,"sl8":0,"sl9":0,"sl10":0,"d50":0,"d70":0,"d90":0,"d120":0,"d150":0,)"
    R"("d200":0,"d300":0,"reordered":0,"duplicates":0,"codec":null,"ptime":null,"cn":false,)"
    R"("srtp":false,"f1_late":0,"f2_late":0,"adapt_late":0)";

// The call-level quality keys of a direction without a stream (prefix a_ or b_).
std::string no_direction(const std::string& x) {
  std::string s = "," + x + "mos_f1\":null,\"" + x + "mos_f1_min\":null,\"" + x + "mos_f2\":null,\"" + x +
                  "mos_f2_min\":null,\"" + x + "mos_adapt\":null,\"" + x + "mos_adapt_min\":null,\"" + x +
                  "packet_loss_perc\":null";
  for (int i = 1; i <= 10; ++i)
    s += ",\"" + x + "sl" + std::to_string(i) + "\":0";
  for (const char* d : {"d50", "d70", "d90", "d120", "d150", "d200", "d300"})
    s += ",\"" + x + d + "\":0";
  s += ",\"" + x + "reordered\":0,\"" + x + "duplicates\":0,\"" + x + "codec\":null,\"" + x +
       "ptime\":null,\"" + x + "cn\":false,\"" + x + "srtp\":false";
  return "\"" + s.substr(1);
}

}  // namespace

TEST_CASE("answered call renders the exact JSON line", "[json]") {
  const std::string expected =
      R"({"callid":"abc123@10.0.0.1","calldate":"2023-11-14 22:13:20.123",)"
      R"("callend":"2023-11-14 22:14:25.555","duration":65.432,"connect_duration":62.932,)"
      R"("progress_time":0.002,"first_rtp_time":2.55,"caller":"1001",)"
      R"("callername":"Alice \"A\" \\ Smith","caller_domain":"example.com","called":"1002",)"
      R"("called_domain":"example.org","sipcallerip":"10.0.0.1","sipcallerport":5060,)"
      R"("sipcalledip":"10.0.0.2","sipcalledport":5062,"lastSIPresponseNum":200,)"
      R"("lastSIPresponse":"200 OK","bye":3,"whohanged":"callee","a_ua":"Linphone/5.0",)"
      R"("b_ua":"Asterisk PBX 18","id_sensor":7,"vlan":100,"a_payload":8,"b_payload":0,)"
      R"("a_received":3270,"b_received":3265,"a_lost":2,"b_lost":0,"a_avgjitter":1.235,)"
      R"("b_avgjitter":0.5,"a_maxjitter":5.0,"b_maxjitter":2.25,"rtp":[)"
      R"({"saddr":"10.0.0.1","sport":40002,"daddr":"10.0.0.2","dport":50002,"ssrc":5,)"
      R"("payload":18,"received":10,"loss":1,"avgjitter":0.1,"maxjitter":0.2)" + no_quality +
      R"(,"rtcp":null,"intervals":[]},)"
      R"({"saddr":"10.0.0.1","sport":40000,"daddr":"10.0.0.2","dport":50000,"ssrc":287454020,)"
      R"("payload":8,"received":3270,"loss":2,"avgjitter":1.235,"maxjitter":5.0,"mos_f1":4.41,)"
      R"("mos_f1_min":4.12,"mos_f2":null,"mos_f2_min":null,"mos_adapt":4.2,"mos_adapt_min":4.2,)"
      R"("packet_loss_perc":0.061,"sl1":2,"sl2":0,"sl3":0,"sl4":0,"sl5":0,"sl6":0,"sl7":0,)"
      R"("sl8":0,"sl9":0,"sl10":1,"d50":7,"d70":0,"d90":0,"d120":0,"d150":0,"d200":0,"d300":1,)"
      R"("reordered":4,"duplicates":5,"codec":"PCMA","ptime":20,"cn":true,"srtp":true,)"
      R"("f1_late":1,"f2_late":9,"adapt_late":0,"rtcp":null,"intervals":[)"
      R"({"t":0,"mos_f1":4.41,"mos_adapt":4.2,"expected":500,"lost":1,"jitter":1.235},)"
      R"({"t":3,"mos_f1":4.5,"mos_adapt":4.5,"expected":120,"lost":0,"jitter":0.0}]},)"
      R"({"saddr":"10.0.0.2","sport":50000,"daddr":"10.0.0.1","dport":40000,)"
      R"("ssrc":4000000000,"payload":0,"received":3265,"loss":0,"avgjitter":0.5,)"
      R"("maxjitter":2.25)" + no_quality +
      R"(,"rtcp":{"reports":12,"loss":3,"maxfr":25.0,"avgfr":0.977,"maxjitter":12.5,)"
      R"("avgjitter":3.063,"rtt":41.235,"maxrtt":50.0,"xr_mos_lq":4.1,"xr_mos_cq":null,)"
      R"("xr_r_factor":null},"intervals":[]}],"a_mos_f1":4.41,"a_mos_f1_min":4.12,"a_mos_f2":null,)"
      R"("a_mos_f2_min":null,"a_mos_adapt":4.2,"a_mos_adapt_min":4.2,)"
      R"("a_packet_loss_perc":0.061,"a_sl1":2,"a_sl2":0,"a_sl3":0,"a_sl4":0,"a_sl5":0,)"
      R"("a_sl6":0,"a_sl7":0,"a_sl8":0,"a_sl9":0,"a_sl10":1,"a_d50":7,"a_d70":0,"a_d90":0,)"
      R"("a_d120":0,"a_d150":0,"a_d200":0,"a_d300":1,"a_reordered":4,"a_duplicates":5,)"
      R"("a_codec":"PCMA","a_ptime":20,"a_cn":true,"a_srtp":true,"b_mos_f1":null,)"
      R"("b_mos_f1_min":null,)"
      R"("b_mos_f2":null,"b_mos_f2_min":null,"b_mos_adapt":null,"b_mos_adapt_min":null,)"
      R"("b_packet_loss_perc":0.0,"b_sl1":0,"b_sl2":0,"b_sl3":0,"b_sl4":0,"b_sl5":0,)"
      R"("b_sl6":0,"b_sl7":0,"b_sl8":0,"b_sl9":0,"b_sl10":0,"b_d50":0,"b_d70":0,"b_d90":0,)"
      R"("b_d120":0,"b_d150":0,"b_d200":0,"b_d300":0,"b_reordered":0,"b_duplicates":0,)"
      R"("b_codec":null,"b_ptime":null,"b_cn":false,"b_srtp":false,"mos_min":4.12,)"
      R"("a_rtcp_loss":3,)"
      R"("a_rtcp_maxfr":25.0,"a_rtcp_avgfr":0.977,"a_rtcp_maxjitter":12.5,)"
      R"("a_rtcp_avgjitter":3.063,"a_rtcp_rtt":41.235,"b_rtcp_loss":null,"b_rtcp_maxfr":null,)"
      R"("b_rtcp_avgfr":null,"b_rtcp_maxjitter":null,"b_rtcp_avgjitter":null,"b_rtcp_rtt":null,)"
      R"("dtmf":[{"digit":"#","time":10.0,"duration":160.0,"type":"rfc2833","sender":"caller"}],)"
      R"("capture_loss":true,"capture_dropped":17,"sighup":false,"fbasename":""})";
  CHECK(store::cdr_to_json_line(answered_call()) == expected);
}

TEST_CASE("unanswered call: nulls, IPv6, escapes and invalid UTF-8", "[json]") {
  const std::string expected =
      R"({"callid":"x\"y\\z","calldate":"2023-11-14 22:13:20.000",)"
      R"("callend":"2023-11-14 22:13:50.000","duration":30.0,"connect_duration":null,)"
      R"("progress_time":null,"first_rtp_time":null,"caller":"a\u0001b\tc\n",)"
      R"("callername":"Jos)" "\xEF\xBF\xBD" R"(","caller_domain":"M)" "\xEF\xBF\xBD" R"(ller",)"
      R"("called":")" "\xE2\x82\xAC" R"(5","called_domain":"[2001:db8::2]",)"
      R"("sipcallerip":"2001:db8::1","sipcallerport":5060,"sipcalledip":"2001:db8::1:0:0:2",)"
      R"("sipcalledport":5080,"lastSIPresponseNum":487,)"
      R"("lastSIPresponse":"487 Request Terminated","bye":0,"whohanged":null,"a_ua":"",)"
      R"("b_ua":"","id_sensor":0,"vlan":null,"a_payload":null,"b_payload":null,)"
      R"("a_received":0,"b_received":0,"a_lost":0,"b_lost":0,"a_avgjitter":null,)"
      R"("b_avgjitter":null,"a_maxjitter":null,"b_maxjitter":null,"rtp":[)"
      R"({"saddr":"2001:db8::1","sport":4000,"daddr":"2001:db8::2","dport":6000,"ssrc":1,)"
      R"("payload":null,"received":3,"loss":0,"avgjitter":0.0,"maxjitter":0.0)" + no_quality +
      R"(,"rtcp":null,"intervals":[]}],)" + no_direction("a_") + "," + no_direction("b_") +
      R"(,"mos_min":null,"a_rtcp_loss":null,"a_rtcp_maxfr":null,"a_rtcp_avgfr":null,)"
      R"("a_rtcp_maxjitter":null,"a_rtcp_avgjitter":null,"a_rtcp_rtt":null,"b_rtcp_loss":null,)"
      R"("b_rtcp_maxfr":null,"b_rtcp_avgfr":null,"b_rtcp_maxjitter":null,"b_rtcp_avgjitter":null,)"
      R"("b_rtcp_rtt":null,"dtmf":[],"capture_loss":false,"capture_dropped":0,"sighup":false,"fbasename":""})";
  CHECK(store::cdr_to_json_line(unanswered_call()) == expected);
}

TEST_CASE("JSON output is deterministic and a single line", "[json]") {
  const auto c = unanswered_call();
  const auto line = store::cdr_to_json_line(c);
  CHECK(line == store::cdr_to_json_line(c));
  CHECK(line.find('\n') == std::string::npos);
  cdr empty;
  CHECK_NOTHROW(store::cdr_to_json_line(empty));
  CHECK(store::cdr_to_json_line(empty).find(R"("rtp":[])") != std::string::npos);
}

TEST_CASE("summarize_direction picks the sender's stream with the most packets", "[json]") {
  auto c = answered_call();
  auto a = core::summarize_direction(c, party::caller);
  REQUIRE(a.present);
  CHECK(a.received == 3270);
  CHECK(a.payload == 8);
  auto b = core::summarize_direction(c, party::callee);
  REQUIRE(b.present);
  CHECK(b.received == 3265);

  // Ties keep the first stream.
  c.rtp[0].received = 3270;
  CHECK(core::summarize_direction(c, party::caller).payload == 18);

  CHECK_FALSE(core::summarize_direction(unanswered_call(), party::caller).present);
  CHECK_FALSE(core::summarize_direction(unanswered_call(), party::callee).present);
}

TEST_CASE("seconds_between rounds to milliseconds, half away from zero", "[json]") {
  CHECK(core::seconds_between(0, 0) == 0.0);
  CHECK(core::seconds_between(0, 500'000) == 0.001);  // 0.0005 s
  CHECK(core::seconds_between(0, 499'999) == 0.0);
  CHECK(core::seconds_between(0, 1'500'000) == 0.002);
  CHECK(core::seconds_between(0, 2'500'000) == 0.003);  // not banker's rounding
  CHECK(core::seconds_between(0, 1'499'999) == 0.001);
  CHECK(core::seconds_between(t0, t0 + 86'400'000'500'000) == 86400.001);
  CHECK(core::seconds_between(1'500'000, 0) == -0.002);
  CHECK(core::seconds_between(t0, t0 + 65'432'100'000) == 65.432);
}

TEST_CASE("format_utc truncates to milliseconds in UTC", "[json]") {
  CHECK(core::format_utc(0) == "1970-01-01 00:00:00.000");
  CHECK(core::format_utc(t0) == "2023-11-14 22:13:20.123");
  CHECK(core::format_utc(1'700'000'000'999'999'999) == "2023-11-14 22:13:20.999");
  CHECK(core::format_utc(951'782'400'123'000'000) == "2000-02-29 00:00:00.123");
  CHECK(core::format_utc(4'102'444'799'000'000'000) == "2099-12-31 23:59:59.000");
  CHECK(core::format_utc(-1) == "1969-12-31 23:59:59.999");
}

TEST_CASE("jsonl sink writes one line per CDR and truncates on open", "[json]") {
  const std::filesystem::path dir = VOXMON_TEST_TMP;
  std::filesystem::create_directories(dir);
  const auto path = (dir / "sink.jsonl").string();
  auto read_all = [&] {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::vector<cdr> batch{answered_call(), unanswered_call()};
  const std::string expected = store::cdr_to_json_line(batch[0]) + "\n" +
                               store::cdr_to_json_line(batch[1]) + "\n";
  for (int run = 0; run < 2; ++run) {  // the second run must not append
    std::string error;
    auto sink = store::jsonl_sink::open(path, error);
    REQUIRE(sink);
    CHECK(sink->name() == "jsonl:" + path);
    CHECK(sink->write(batch) == "");
    CHECK(sink->write({}) == "");
    CHECK(sink->flush() == "");
    CHECK(read_all() == expected);
  }

  std::string error;
  CHECK_FALSE(store::jsonl_sink::open((dir / "no_such_dir" / "x.jsonl").string(), error));
  CHECK_THAT(error, Catch::Contains("No such file or directory"));
  CHECK_FALSE(store::jsonl_sink::open("", error));

  if (std::filesystem::exists("/dev/full")) {  // a full disk is reported, not ignored
    auto full = store::jsonl_sink::open("/dev/full", error);
    REQUIRE(full);
    auto w = full->write(batch);
    auto f = full->flush();
    CHECK_THAT(w + f, Catch::Contains("No space left on device"));
  }
}

TEST_CASE("jsonl sink in append mode goes on after earlier lines and cuts a torn last line",
          "[store][jsonl]") {
  const auto dir = std::filesystem::path(VOXMON_TEST_TMP) / "jsonl_append";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = (dir / "cdr.jsonl").string();
  std::ofstream(path) << "{\"callid\":\"a\"}\n{\"callid\":\"b\"}\n{\"callid\":\"c\",\"cal";
  std::string error;
  {
    auto sink = store::jsonl_sink::open(path, error, store::jsonl_mode::append);
    REQUIRE(sink);
    core::cdr c;
    c.callid = "d";
    REQUIRE(sink->write(std::span<const core::cdr>(&c, 1)).empty());
    REQUIRE(sink->flush().empty());
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "{\"callid\":\"a\"}");
  CHECK(lines[1] == "{\"callid\":\"b\"}");
  CHECK(nlohmann::json::parse(lines[2])["callid"] == "d");
  // Truncate mode (a run) starts afresh.
  {
    auto sink = store::jsonl_sink::open(path, error, store::jsonl_mode::truncate);
    REQUIRE(sink);
  }
  CHECK(std::filesystem::file_size(path) == 0);
}
