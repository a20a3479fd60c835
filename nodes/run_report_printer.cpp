#include "nodes/run_report_printer.hpp"

#include <cstdio>
#include <ostream>

namespace voxmon::nodes {

namespace {

std::string clip(const std::string& s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 1) + "~";
}

}  // namespace

void print_run_report(std::ostream& out, const run_report& r, double elapsed_s, uint32_t table_rows) {
  char line[512];
  if (!r.rows.empty()) {
    std::snprintf(line, sizeof line, "%-23s  %-20s  %-20s  %10s  %-24s  %s\n", "calldate", "caller",
                  "called", "duration", "response", "whohanged");
    out << line;
    for (const auto& row : r.rows) {
      std::snprintf(line, sizeof line, "%-23s  %-20s  %-20s  %10.3f  %-24s  %s\n",
                    row.calldate.c_str(), clip(row.caller, 20).c_str(), clip(row.called, 20).c_str(),
                    row.duration, clip(row.response, 24).c_str(), row.whohanged.c_str());
      out << line;
    }
    if (r.stats.cdrs_written > r.rows.size())
      out << "... " << (r.stats.cdrs_written - r.rows.size()) << " more calls (first "
          << table_rows << " shown)\n";
  }
  const double rate = elapsed_s > 0 ? r.stats.packets / elapsed_s : 0;
  std::snprintf(line, sizeof line, " elapsed=%.3fs rate=%.0f packets/s", elapsed_s, rate);
  out << "summary: " << r.stats.summary_fields() << line << '\n';
}

}  // namespace voxmon::nodes
