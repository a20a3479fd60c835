// mysql_bench URL [CDRS] [BATCH]: sustained CDRs/s into MySQL through store::mysql_sink (full
// column set including every voice quality column, two RTP streams with quality and RTCP per
// call, a DTMF digit in one call of ten, distinct Call-IDs, lookup texts cached).
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
    s.codec = "PCMA";
    for (size_t b = 0; b < core::jb_count; ++b)
      s.quality.jb[b] = {4.3 - 0.1 * static_cast<double>(b), 4.1, 7, 3272, 2 + b, b};
    for (size_t n = 0; n < 10; ++n)
      s.quality.sl[n] = n < 2 ? 1 : 0;
    for (size_t n = 0; n < 7; ++n)
      s.quality.delay[n] = i % (n + 2);
    s.quality.expected = 3272;
    s.quality.lost = 2;
    s.quality.packet_loss_perc = 0.061;
    s.quality.ptime_ms = 20;
    core::cdr_rtcp r;
    r.reports = 13;
    r.loss = 2;
    r.max_fraction_lost = 3;
    r.avg_fraction_lost = 0.25;
    r.max_jitter_ms = 6.5;
    r.avg_jitter_ms = 1.375;
    r.rtt_count = 12;
    r.avg_rtt_ms = 41.5;
    r.max_rtt_ms = 63.25;
    s.rtcp = r;
    c.rtp.push_back(s);
  }
  if (i % 10)
    return c;  // a DTMF digit in one call of ten
  core::cdr_dtmf d;
  d.digit = static_cast<char>('0' + i % 10);
  d.time = c.calldate + 9'000'000'000;
  d.duration_ms = 160;
  d.type = 1;
  d.sender = core::party::caller;
  d.src = c.rtp[0].src;
  d.dst = c.rtp[0].dst;
  c.dtmf.push_back(d);
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
  std::printf("mysql_bench: %llu CDRs (2 RTP streams each, DTMF in 1 of 10) in batches of %zu: %.2f s, %.0f CDRs/s\n",
              static_cast<unsigned long long>(sink->inserted()), batch, secs,
              static_cast<double>(sink->inserted()) / secs);
  return 0;
}
