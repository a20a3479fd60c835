// core/open_files: the spool writers' share of the open-file limit, raising the soft limit,
// and the openfile_max key (VoIPmonitor's) that asks for it.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "config/settings.hpp"
#include "core/open_files.hpp"

using namespace voxmon;

TEST_CASE("the spool writers share the open-file limit minus a reserve", "[spool]") {
  CHECK(core::spool_files_per_writer(1024, 2) == 256);  // Debian's default soft limit
  CHECK(core::spool_files_per_writer(1024, 1) == 512);
  CHECK(core::spool_files_per_writer(65536, 2) == 16384);  // at most 16,384 each
  CHECK(core::spool_files_per_writer(20000, 4) == (20000 - 512) / 4);
  CHECK(core::spool_files_per_writer(200, 1) == 100);  // a tiny limit: half of it
  CHECK(core::spool_files_per_writer(20, 8) == 16);    // never fewer than 16
  CHECK(core::spool_files_per_writer(4096, 0) == 4096 - 512);
}

TEST_CASE("the soft open-file limit is raised, never lowered, and capped by the hard one", "[spool]") {
  rlimit before{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &before) == 0);
  if (before.rlim_cur == RLIM_INFINITY || before.rlim_max == RLIM_INFINITY || before.rlim_max < 300) {
    WARN("skipped: the open-file limits are unlimited or tiny here");
    return;
  }
  rlimit lowered = before;
  lowered.rlim_cur = 256;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  std::string warning;
  auto l = core::raise_open_file_limit(300, warning);
  CHECK(warning.empty());
  CHECK(l.soft == 300);
  CHECK(l.hard == before.rlim_max);
  l = core::raise_open_file_limit(280, warning);  // below the soft limit: not lowered
  CHECK(l.soft == 300);
  CHECK(warning.empty());
  l = core::raise_open_file_limit(before.rlim_max + 1, warning);  // above the hard limit
  CHECK(l.soft == before.rlim_max);
  CHECK(warning == "the open file limit is " + std::to_string(before.rlim_max) + " (hard limit " +
                       std::to_string(before.rlim_max) + "), below openfile_max " +
                       std::to_string(before.rlim_max + 1));
  REQUIRE(setrlimit(RLIMIT_NOFILE, &before) == 0);
}

TEST_CASE("openfile_max is a supported key with a number of files", "[spool][config]") {
  config::settings s;
  bool known = false;
  CHECK_FALSE(config::apply_setting(s, "openfile_max", "100000", known));
  CHECK(known);
  CHECK(s.openfile_max == 100000);
  auto error = config::apply_setting(s, "openfile_max", "many", known);
  REQUIRE(error);
  CHECK(*error == "expected a number of open files (0 = 65536), got 'many'");
  CHECK(config::classify_key("openfile_max") == config::key_kind::supported);
}
