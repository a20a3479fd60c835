// The CDR journal and its encoding: no database needed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

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

}  // namespace

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
