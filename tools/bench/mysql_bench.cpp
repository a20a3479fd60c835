// mysql_bench URL [CDRS] [BATCH]: sustained CDRs/s into MySQL through store::mysql_sink (full
// column set, two RTP streams per call, distinct Call-IDs, lookup texts cached).
// The database named in URL is dropped and re-created. Prints one line per run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "config/store_settings.hpp"
#include "store/mysql_sink.hpp"

using namespace voxmon;

namespace {

core::cdr make_cdr(uint64_t i) {
  core::cdr c;
  c.callid = std::to_string(i) + "-bench@10.0.0.1";
  c.id_sensor = 1;
  c.calldate = 1'767'225'600'000'000'000 + static_cast<int64_t>(i) * 10'000'000;  // 2026-01-01
  c.callend = c.calldate + 65'432'000'000;
  c.connect_time = c.calldate + 2'500'000'000;
  c.progress_time = c.calldate + 1'000'000'000;
  c.first_rtp_time = c.calldate + 2'550'000'000;
  c.caller = std::to_string(1000 + i % 5000);
  c.callername = "Caller " + std::to_string(i % 5000);
  c.caller_domain = "a.example.net";
  c.called = std::to_string(2000 + i % 7000);
  c.called_domain = "b.example.net";
  c.sipcaller = {*core::ip_address::parse("10.1.0." + std::to_string(i % 250 + 1)), 5060};
  c.sipcalled = {*core::ip_address::parse("10.2.0." + std::to_string(i % 250 + 1)), 5060};
  c.last_sip_response_num = 200;
  c.last_sip_response = i % 10 ? "200 OK" : "486 Busy Here";
  c.bye = core::bye_code::bye_confirmed;
  c.whohanged = core::party::callee;
  c.a_ua = "Linphone/5.0";
  c.b_ua = "Asterisk PBX 18";
  c.vlan = 100;
  for (int k = 0; k < 2; ++k) {
    core::cdr_rtp_stream s;
    s.src = {k ? c.sipcalled.addr : c.sipcaller.addr, static_cast<uint16_t>(40000 + k)};
    s.dst = {k ? c.sipcaller.addr : c.sipcalled.addr, static_cast<uint16_t>(50000 + k)};
    s.ssrc = static_cast<uint32_t>(i * 2 + k);
    s.payload = 8;
    s.received = 3270;
    s.lost = 2;
    s.avgjitter_ms = 1.25;
    s.maxjitter_ms = 5.5;
    s.first_ts = *c.first_rtp_time;
    s.last_ts = c.callend;
    s.sender = k ? core::party::callee : core::party::caller;
    c.rtp.push_back(s);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mysql_bench mysql://user:pass@host:port/db [CDRS] [BATCH]\n");
    return 2;
  }
  config::settings s;
  if (auto e = config::parse_mysql_url(argv[1], s)) {
    std::fprintf(stderr, "mysql_bench: %s\n", e->c_str());
    return 2;
  }
  const uint64_t total = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200'000;
  const size_t batch = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
  store::mysql_params p{s.mysqlhost, s.mysqlport, s.mysqlusername, s.mysqlpassword, s.mysqldb};
  store::db_error e;
  {
    auto admin = p;
    admin.database = "mysql";
    auto db = store::mysql_db::connect(admin, e);
    if (!db) {
      std::fprintf(stderr, "mysql_bench: %s\n", e.text.c_str());
      return 1;
    }
    db->exec("DROP DATABASE IF EXISTS `" + p.database + "`");
  }
  auto sink = store::mysql_sink::open(p, store::mysql_schema_options{}, e);
  if (!sink) {
    std::fprintf(stderr, "mysql_bench: %s\n", e.text.c_str());
    return 1;
  }
  std::vector<core::cdr> cdrs;
  cdrs.reserve(total);
  for (uint64_t i = 0; i < total; ++i)
    cdrs.push_back(make_cdr(i));
  const auto start = std::chrono::steady_clock::now();
  for (size_t at = 0; at < cdrs.size(); at += batch) {
    const size_t n = std::min(batch, cdrs.size() - at);
    if (auto err = sink->write(std::span<const core::cdr>(cdrs.data() + at, n))) {
      std::fprintf(stderr, "mysql_bench: %s\n", err.text.c_str());
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("mysql_bench: %llu CDRs (2 RTP streams each) in batches of %zu: %.2f s, %.0f CDRs/s\n",
              static_cast<unsigned long long>(sink->inserted()), batch, secs,
              static_cast<double>(sink->inserted()) / secs);
  return 0;
}
