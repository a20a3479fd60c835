#include "nodes/pcap_command.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "core/spool_lookup.hpp"
#include "core/spool_path.hpp"
#include "nodes/subcommand.hpp"

namespace voxmon::nodes {

namespace {

constexpr const char* usage =
  "Usage: voxmon [--config-file FILE] pcap CALLID [-o FILE] [--spooldir DIR] [--db SPEC]\n"
  "Writes one pcap with the call's SIP and RTP packets in time order (standard output by\n"
  "default). The files are looked up in the spool (spooldir), at the minute the CDR store\n"
  "records for the call when it has one.\n";

// "YYYY-MM-DD HH:MM:SS.mmm" (UTC) -> ns; nullopt when malformed.
std::optional<core::timestamp_ns> parse_calldate(const std::string& t) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d %2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return core::timestamp_ns{timegm(&tm)} * core::ns_per_second + core::timestamp_ns{ms} * 1'000'000;
}

// The call's calldate from the SQLite store (cdr_next), when there is one.
std::optional<core::timestamp_ns> calldate_from_sqlite(const std::string& db, const std::string& call_id) {
  if (db.rfind("sqlite:", 0) != 0)
    return std::nullopt;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.substr(7).c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return std::nullopt;
  }
  std::optional<core::timestamp_ns> out;
  sqlite3_stmt* st = nullptr;
  const char* sql = "SELECT calldate FROM cdr_next WHERE fbasename IN (?, ?) ORDER BY cdr_ID DESC LIMIT 1";
  if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK) {
    const std::string fb = core::make_fbasename(call_id);
    sqlite3_bind_text(st, 1, fb.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, call_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
      out = parse_calldate(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

int run(int argc, const char* const* argv, int at) {
  config::settings s;
  std::string call_id, output;
  bool have_id = false;
  auto value = [&](int& i, const std::string& flag) -> std::optional<std::string> {
    if (i + 1 >= argc) {
      std::cerr << "voxmon pcap: " << flag << " needs a value\n" << usage;
      return std::nullopt;
    }
    return std::string(argv[++i]);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i == at)
      continue;
    std::string flag = a, inline_value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      flag = a.substr(0, a.find('='));
      inline_value = a.substr(a.find('=') + 1);
      has_inline = true;
    }
    auto get = [&]() -> std::optional<std::string> {
      return has_inline ? std::optional<std::string>(inline_value) : value(i, flag);
    };
    if (flag == "--config-file" || flag == "-c") {
      auto v = get();
      if (!v)
        return 2;
      auto loaded = config::load_config_file(*v, s);
      if (loaded.error) {
        std::cerr << "voxmon: " << loaded.error->to_string() << '\n';
        return 2;
      }
    } else if (flag == "-o" || flag == "--output" || flag == "--spooldir" || flag == "--db") {
      auto v = get();
      if (!v)
        return 2;
      if (flag == "--spooldir")
        s.spooldir = *v;
      else if (flag == "--db")
        s.db = *v;
      else
        output = *v;
    } else if (flag == "-h" || flag == "--help") {
      std::cout << usage;
      return 0;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::cerr << "voxmon pcap: unknown option '" << a << "'\n" << usage;
      return 2;
    } else if (!have_id) {
      call_id = a;
      have_id = true;
    } else {
      std::cerr << "voxmon pcap: one Call-ID only (got '" << a << "' too)\n" << usage;
      return 2;
    }
  }
  if (!have_id || call_id.empty()) {
    std::cerr << "voxmon pcap: give the Call-ID of the call\n" << usage;
    return 2;
  }
  const auto calldate = calldate_from_sqlite(s.db, call_id);
  const auto files = core::find_call_files(s.spooldir, call_id, calldate);
  if (files.empty()) {
    std::cerr << "voxmon: no pcap files for Call-ID '" << call_id << "' in spool '" << s.spooldir
              << "' (fbasename '" << files.fbasename << "')\n";
    return 1;
  }
  std::vector<std::filesystem::path> all = files.sip;
  all.insert(all.end(), files.rtp.begin(), files.rtp.end());
  std::FILE* out = stdout;
  if (!output.empty() && output != "-") {
    out = std::fopen(output.c_str(), "wb");
    if (!out) {
      std::perror(("voxmon: " + output).c_str());
      return 1;
    }
  }
  std::string error;
  size_t packets = 0;
  const bool ok = core::merge_call_pcap(all, out, error, &packets);
  if (out != stdout && std::fclose(out) != 0 && ok) {
    std::cerr << "voxmon: " << output << ": cannot write\n";
    return 1;
  }
  if (!ok) {
    std::cerr << "voxmon: " << error << '\n';
    return 1;
  }
  if (out != stdout)
    std::cerr << "voxmon: " << packets << " packets of '" << call_id << "' written to " << output << '\n';
  return 0;
}

}  // namespace

std::optional<int> run_pcap_subcommand(int argc, const char* const* argv) {
  const int at = subcommand_index(argc, argv, "pcap");
  if (at < 0)
    return std::nullopt;
  return run(argc, argv, at);
}

}  // namespace voxmon::nodes
