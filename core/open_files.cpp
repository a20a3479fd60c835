#include "core/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace voxmon::core {

open_file_limits raise_open_file_limit(uint64_t wanted, std::string& warning) {
  warning.clear();
  if (wanted == 0)
    wanted = default_open_file_limit;
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) {
    warning = std::string("cannot read the open file limit: ") + std::strerror(errno);
    return {};
  }
  const uint64_t hard = r.rlim_max == RLIM_INFINITY ? UINT64_MAX : r.rlim_max;
  const uint64_t target = std::min(wanted, hard);
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < target) {
    rlimit raised = r;
    raised.rlim_cur = static_cast<rlim_t>(target);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
      r = raised;
    else
      warning = "cannot raise the open file limit to " + std::to_string(target) + ": " +
                std::strerror(errno);
  }
  const uint64_t soft = r.rlim_cur == RLIM_INFINITY ? UINT64_MAX : r.rlim_cur;
  if (warning.empty() && soft < wanted)
    warning = "the open file limit is " + std::to_string(soft) + " (hard limit " +
              std::to_string(hard) + "), below openfile_max " + std::to_string(wanted);
  return {soft, hard};
}

size_t spool_files_per_writer(uint64_t limit, size_t writers) {
  if (writers == 0)
    writers = 1;
  const uint64_t usable = limit > reserved_open_files * 2 ? limit - reserved_open_files : limit / 2;
  return static_cast<size_t>(std::clamp<uint64_t>(usable / writers, 16, max_files_per_spool_writer));
}

}  // namespace voxmon::core
