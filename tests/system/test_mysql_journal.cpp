// The CDR journal and its encoding: no database needed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "process.hpp"
#include "store/cdr_decode.hpp"
#include "store/cdr_journal.hpp"
#include "store/cdr_json.hpp"

namespace {

using namespace voxmon;

core::cdr sample_cdr(int i) {
  core::cdr c;
  c.callid = "call-" + std::to_string(i) + "@host\xff\x01";  // raw bytes survive
  c.fbasename = "call-" + std::to_string(i);
  c.id_sensor = 7;
  c.calldate = 1'700'000'000'123'456'789 + i;
  c.callend = c.calldate + 65'432'000'000;
  c.connect_time = c.calldate + 2'500'000'000;
  c.first_rtp_time = c.calldate + 2'550'000'000;
  c.caller = "1001";
  c.callername = "Al\"ice";
  c.called = "1002";
  c.sipcaller = {*core::ip_address::parse("10.0.0.1"), 5060};
  c.sipcalled = {*core::ip_address::parse("2001:db8::2"), 5062};
  c.last_sip_response_num = 200;
  c.last_sip_response = "200 OK";
  c.bye = core::bye_code::bye_confirmed;
  c.whohanged = core::party::callee;
  c.a_ua = "Linphone";
  c.vlan = 100;
  core::cdr_rtp_stream s;
  s.src = c.sipcaller;
  s.dst = c.sipcalled;
  s.ssrc = 0xDEADBEEF;
  s.payload = 8;
  s.received = 3270;
  s.lost = -2;
  s.avgjitter_ms = 1.2345;
  s.maxjitter_ms = 5.0;
  s.first_ts = c.calldate + 3;
  s.last_ts = c.callend;
  s.sender = core::party::caller;
  s.codec = "PCMA";
  c.rtp.push_back(s);
  core::cdr_dtmf d;
  d.digit = '5';
  d.time = c.calldate + 10;
  d.duration_ms = 120.0;
  d.type = 1;
  d.sender = core::party::caller;
  c.dtmf.push_back(d);
  return c;
}

// Every field of core::cdr set to a distinct non-default value.
core::cdr full_cdr() {
  core::cdr c = sample_cdr(9);
  c.progress_time = c.calldate + 1'000'000'001;
  c.caller_domain = "a.example";
  c.called_domain = "b.example";
  c.b_ua = "Asterisk";
  c.capture_loss = true;
  c.capture_dropped = 4242;
  c.sighup = true;
  auto& s = c.rtp.at(0);
  s.srtp = true;
  for (size_t b = 0; b < core::jb_count; ++b)
    s.quality.jb[b] = {4.1 + 0.01 * b, 3.2 + 0.01 * b, 7u + static_cast<uint32_t>(b), 3000 + b,
                       40 + b, 5 + b};
  for (size_t i = 0; i < 10; ++i)
    s.quality.sl[i] = 100 + i;
  for (size_t i = 0; i < 7; ++i)
    s.quality.delay[i] = 200 + i;
  s.quality.expected = 3272;
  s.quality.lost = 31;
  s.quality.packet_loss_perc = 0.947;
  s.quality.reordered = 3;
  s.quality.duplicates = 2;
  s.quality.ptime_ms = 30;
  s.quality.comfort_noise = true;
  s.quality.intervals = {{0, 500, 3, 4.31, 4.35, 1.25}, {7, 61, 0, 4.4, 4.41, 0.5}};
  core::cdr_rtcp r;
  r.reports = 12;
  r.loss = -3;
  r.max_fraction_lost = 17;
  r.avg_fraction_lost = 4.5;
  r.max_jitter_ms = 9.25;
  r.avg_jitter_ms = 2.125;
  r.rtt_count = 6;
  r.avg_rtt_ms = 41.5;
  r.max_rtt_ms = 80.25;
  r.xr_mos_lq = 4.05;
  r.xr_mos_cq = 3.95;
  r.xr_r_factor = 88;
  s.rtcp = r;
  core::cdr_rtp_stream t = s;  // a second stream: the other party, no RTCP
  t.sender = std::nullopt;
  t.rtcp = std::nullopt;
  t.ssrc = 0x01020304;
  t.codec = "opus";
  c.rtp.push_back(t);
  core::cdr_dtmf d;
  d.digit = '#';
  d.time = c.calldate + 20;
  d.type = 0;
  d.sender = core::party::callee;
  d.src = {*core::ip_address::parse("192.0.2.1"), 1000};
  d.dst = {*core::ip_address::parse("192.0.2.2"), 2000};
  c.dtmf.push_back(d);
  return c;
}

// Every field as text (doubles exactly): two CDRs are equal iff their descriptions are.
std::string describe(const core::cdr& c) {
  std::ostringstream o;
  o.precision(17);
  auto ep = [&](const core::endpoint& e) { o << e.addr.to_string() << ':' << e.port << ' '; };
  auto party = [&](const std::optional<core::party>& p) {
    o << (p ? static_cast<int>(*p) : -1) << ' ';
  };
  auto opt = [&](const auto& v) {
    if (v)
      o << +*v << ' ';
    else
      o << "null ";
  };
  o << c.callid << '|' << c.fbasename << '|' << c.id_sensor << ' ' << c.calldate << ' '
    << c.callend << ' ';
  opt(c.connect_time);
  opt(c.progress_time);
  opt(c.first_rtp_time);
  o << c.caller << '|' << c.callername << '|' << c.caller_domain << '|' << c.called << '|'
    << c.called_domain << '|';
  ep(c.sipcaller);
  ep(c.sipcalled);
  o << c.last_sip_response_num << ' ' << c.last_sip_response << '|' << static_cast<int>(c.bye)
    << ' ';
  party(c.whohanged);
  o << c.a_ua << '|' << c.b_ua << '|';
  opt(c.vlan);
  for (const auto& s : c.rtp) {
    o << "\nrtp ";
    ep(s.src);
    ep(s.dst);
    o << s.ssrc << ' ' << s.payload << ' ' << s.received << ' ' << s.lost << ' '
      << s.avgjitter_ms << ' ' << s.maxjitter_ms << ' ' << s.first_ts << ' ' << s.last_ts << ' ';
    party(s.sender);
    o << s.codec << '|' << s.srtp << " q ";
    for (const auto& b : s.quality.jb)
      o << b.mos_avg << ' ' << b.mos_min << ' ' << b.intervals << ' ' << b.frames << ' '
        << b.lost << ' ' << b.late << ' ';
    for (auto v : s.quality.sl)
      o << v << ' ';
    for (auto v : s.quality.delay)
      o << v << ' ';
    o << s.quality.expected << ' ' << s.quality.lost << ' ' << s.quality.packet_loss_perc << ' '
      << s.quality.reordered << ' ' << s.quality.duplicates << ' ' << s.quality.ptime_ms << ' '
      << s.quality.comfort_noise << " series";
    for (const auto& i : s.quality.intervals)
      o << ' ' << i.index << '/' << i.expected << '/' << i.lost << '/' << i.mos_f1 << '/'
        << i.mos_adapt << '/' << i.jitter_ms;
    o << " rtcp ";
    if (s.rtcp) {
      const auto& r = *s.rtcp;
      o << r.reports << ' ' << r.loss << ' ' << +r.max_fraction_lost << ' '
        << r.avg_fraction_lost << ' ' << r.max_jitter_ms << ' ' << r.avg_jitter_ms << ' '
        << r.rtt_count << ' ' << r.avg_rtt_ms << ' ' << r.max_rtt_ms << ' ';
      opt(r.xr_mos_lq);
      opt(r.xr_mos_cq);
      opt(r.xr_r_factor);
    } else {
      o << "none ";
    }
  }
  for (const auto& d : c.dtmf) {
    o << "\ndtmf " << d.digit << ' ' << d.time << ' ';
    opt(d.duration_ms);
    o << +d.type << ' ';
    party(d.sender);
    ep(d.src);
    ep(d.dst);
  }
  o << "\ncapture " << c.capture_loss << ' ' << c.capture_dropped << " sighup " << c.sighup;
  return o.str();
}

}  // namespace

TEST_CASE("journal encoding: a CDR with every field set comes back equal", "[mysql][journal]") {
  // A field added to these structs must be encoded in store/cdr_decode.cpp, set in full_cdr()
  // and printed by describe(); these sizes make this test fail until it is.
  INFO("a field was added to core::cdr or its parts: encode it in store/cdr_decode.cpp, set it "
       "in full_cdr() and print it in describe()");
  CHECK(sizeof(core::cdr) == 528);
  CHECK(sizeof(core::cdr_rtp_stream) == 608);
  CHECK(sizeof(core::cdr_rtcp) == 104);
  CHECK(sizeof(core::cdr_dtmf) == 80);
  CHECK(sizeof(core::stream_quality_result) == 352);
  const auto c = full_cdr();
  const std::string bytes = store::encode_cdr(c);
  std::string err;
  auto back = store::decode_cdr(bytes, err);
  INFO(err);
  REQUIRE(back);
  CHECK(describe(*back) == describe(c));
  CHECK(store::cdr_to_json_line(*back) == store::cdr_to_json_line(c));
  // describe() sees every field: changing any one of them changes it.
  auto changed = c;
  changed.rtp.at(0).quality.jb[2].late += 1;
  CHECK(describe(changed) != describe(c));
  changed = c;
  changed.rtp.at(0).rtcp->xr_r_factor = 87;
  CHECK(describe(changed) != describe(c));
}

TEST_CASE("journal encoding: a record of encoding 1 (before the quality fields) still decodes",
          "[mysql][journal]") {
  // encoding 1 = the layout without quality, RTCP, SRTP and capture loss: build it from the
  // current one by dropping those elements.
  const auto c = full_cdr();
  auto j = nlohmann::json::from_msgpack(store::encode_cdr(c));
  j[0] = 1;
  for (auto& s : j[22])
    s.erase(s.begin() + 12, s.end());
  j.erase(j.begin() + 25, j.end());
  const auto v = nlohmann::json::to_msgpack(j);
  std::string err;
  auto back = store::decode_cdr(std::string(v.begin(), v.end()), err);
  INFO(err);
  REQUIRE(back);
  CHECK(back->callid == c.callid);
  CHECK(back->rtp.size() == 2);
  CHECK(back->rtp[0].codec == "PCMA");
  CHECK_FALSE(back->rtp[0].rtcp);
  CHECK(back->rtp[0].quality.jb[0].intervals == 0);
  CHECK_FALSE(back->capture_loss);
  CHECK(back->dtmf.size() == 2);
}

TEST_CASE("journal encoding: a record written before the 10-s series still decodes",
          "[mysql][journal]") {
  // Encoding 2 as written before the per-10-s series: each stream's quality had 10 items.
  const auto c = full_cdr();
  auto j = nlohmann::json::from_msgpack(store::encode_cdr(c));
  for (auto& s : j[22]) {
    REQUIRE(s[12].size() == 11);
    s[12].erase(s[12].begin() + 10);
  }
  const auto v = nlohmann::json::to_msgpack(j);
  std::string err;
  auto back = store::decode_cdr(std::string(v.begin(), v.end()), err);
  INFO(err);
  REQUIRE(back);
  CHECK(back->rtp.at(0).quality.intervals.empty());
  CHECK(back->rtp.at(0).quality.comfort_noise);
  CHECK(back->rtp.at(0).quality.jb[2].mos_avg == c.rtp.at(0).quality.jb[2].mos_avg);
  // A series longer than any stream can have is refused, not allocated.
  j = nlohmann::json::from_msgpack(store::encode_cdr(c));
  auto& series = j[22][0][12][10];
  while (series.size() <= core::max_quality_intervals)
    series.push_back(series[0]);
  const auto w = nlohmann::json::to_msgpack(j);
  CHECK_FALSE(store::decode_cdr(std::string(w.begin(), w.end()), err));
}

TEST_CASE("journal encoding: every field round-trips byte for byte", "[mysql][journal]") {
  for (int i = 0; i < 3; ++i) {
    const auto c = sample_cdr(i);
    const std::string bytes = store::encode_cdr(c);
    std::string err;
    auto back = store::decode_cdr(bytes, err);
    REQUIRE(back);
    CHECK(store::encode_cdr(*back) == bytes);
    CHECK(store::cdr_to_json_line(*back) == store::cdr_to_json_line(c));
    CHECK(back->callid == c.callid);
    CHECK(back->calldate == c.calldate);
    CHECK(back->rtp.at(0).sender == c.rtp.at(0).sender);
    CHECK(back->rtp.at(0).first_ts == c.rtp.at(0).first_ts);
    CHECK(back->sipcalled.addr.is_v6);
  }
  std::string err;
  CHECK_FALSE(store::decode_cdr("garbage", err));
  CHECK_FALSE(err.empty());
}

TEST_CASE("journal: records survive reopening, a torn tail is cut, clear empties it",
          "[mysql][journal]") {
  const auto dir = voxmon::test::temp_dir("journal_basic");
  const std::string path = (dir / "j").string();
  std::vector<core::cdr> batch{sample_cdr(1), sample_cdr(2), sample_cdr(3)};
  std::string error;
  {
    auto j = store::cdr_journal::open(path, store::fsync_policy::batch, error);
    REQUIRE(j);
    REQUIRE(j->append(batch).empty());
  }
  {  // a crash while appending leaves half a record
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << std::string("\x40\x00\x00\x00\x01\x02", 6);
  }
  auto j = store::cdr_journal::open(path, store::fsync_policy::always, error);
  REQUIRE(j);
  REQUIRE(j->append(std::vector<core::cdr>{sample_cdr(4)}).empty());
  uint64_t next = 0;
  std::string warning;
  auto read = j->read(0, 100, next, warning);
  CHECK(warning.empty());
  REQUIRE(read.size() == 4);
  CHECK(read[3].callid == sample_cdr(4).callid);
  CHECK(next == j->size());
  auto first_two = j->read(0, 2, next, warning);
  CHECK(first_two.size() == 2);
  CHECK(j->read(next, 100, next, warning).size() == 2);
  REQUIRE(j->clear().empty());
  CHECK(j->empty());
  CHECK(std::filesystem::file_size(path) == 0);
}

TEST_CASE("journal: a corrupted record is skipped with a warning", "[mysql][journal]") {
  const auto dir = voxmon::test::temp_dir("journal_corrupt");
  const std::string path = (dir / "j").string();
  std::string error;
  auto j = store::cdr_journal::open(path, store::fsync_policy::none, error);
  REQUIRE(j);
  REQUIRE(j->append(std::vector<core::cdr>{sample_cdr(1), sample_cdr(2)}).empty());
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('\x55');  // inside the first payload
  }
  uint64_t next = 0;
  std::string warning;
  auto read = j->read(0, 100, next, warning);
  REQUIRE(read.size() == 1);
  CHECK(read[0].callid == sample_cdr(2).callid);
  CHECK(warning.find("checksum") != std::string::npos);
}
