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
#include "tools/bench/synthetic_cdr.hpp"

using namespace voxmon;

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
    cdrs.push_back(bench::synthetic_cdr(i));
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
