#include "core/spool_index.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace voxmon::core {

namespace fs = std::filesystem;

spool_index::spool_index(fs::path spooldir) : dir_(spooldir.lexically_normal()) {
  if (dir_.filename().empty() && dir_.has_parent_path())
    dir_ = dir_.parent_path();  // "spool/" -> "spool"
}

std::time_t spool_index::minute_start(const std::string& m) {
  int y, mo, d, h, mi;
  char tail;
  if (m.size() != 16 ||
      std::sscanf(m.c_str(), "%4d-%2d-%2d/%2d/%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || h < 0 || mi < 0)
    return -1;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return timegm(&tm);
}

void spool_index::rebuild_locked() {
  minutes_.clear();
  total_ = 0;
  std::error_code ec;
  // Only day/hour/minute directories are visited, never anything else under spooldir.
  for (const auto& day : fs::directory_iterator(dir_, ec)) {
    if (!day.is_directory(ec))
      continue;
    for (const auto& hour : fs::directory_iterator(day.path(), ec))
      for (const auto& minute : fs::directory_iterator(hour.path(), ec)) {
        const std::string key = day.path().filename().string() + "/" +
                                hour.path().filename().string() + "/" +
                                minute.path().filename().string();
        if (minute_start(key) < 0)
          continue;
        uint64_t bytes = 0;
        for (const auto& f : fs::recursive_directory_iterator(minute.path(), ec))
          if (f.is_regular_file(ec))
            bytes += f.file_size(ec);
        minutes_[key].bytes = bytes;
        total_ += bytes;
      }
  }
}

bool spool_index::load(std::string& error) {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    error = "create spool directory " + dir_.string() + ": " + ec.message();
    return false;
  }
  std::ifstream in(dir_ / file_name);
  if (!in) {
    rebuild_locked();
    return true;
  }
  minutes_.clear();
  total_ = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string minute;
    uint64_t bytes = 0;
    if (!(ls >> minute >> bytes) || minute_start(minute) < 0)
      continue;  // a damaged line costs only its minute's accounting
    minutes_[minute].bytes = bytes;
    total_ += bytes;
  }
  return true;
}

bool spool_index::save(std::string& error) const {
  std::lock_guard lock(mutex_);
  const fs::path tmp = dir_ / (std::string(file_name) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [minute, e] : minutes_)
      out << minute << ' ' << e.bytes << '\n';
    out.flush();
    if (!out) {
      error = "write " + tmp.string() + ": cannot write the spool index";
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, dir_ / file_name, ec);
  if (ec) {
    error = "rename " + tmp.string() + ": " + ec.message();
    return false;
  }
  return true;
}

void spool_index::add_bytes(const std::string& minute, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  minutes_[minute].bytes += bytes;
  total_ += bytes;
}

void spool_index::file_opened(const std::string& minute) {
  std::lock_guard lock(mutex_);
  ++minutes_[minute].open_files;
}

void spool_index::file_closed(const std::string& minute) {
  std::lock_guard lock(mutex_);
  auto it = minutes_.find(minute);
  if (it != minutes_.end() && it->second.open_files > 0)
    --it->second.open_files;
}

uint64_t spool_index::total_bytes() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::map<std::string, spool_minute_entry> spool_index::snapshot() const {
  std::lock_guard lock(mutex_);
  return minutes_;
}

std::vector<std::string> spool_index::plan(uint64_t max_bytes, uint32_t max_days,
                                           std::time_t now) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  uint64_t total = total_;
  const std::time_t cutoff = now - std::time_t(max_days) * 86400;
  for (const auto& [minute, e] : minutes_) {
    if (e.open_files > 0)
      continue;
    const bool too_old = max_days > 0 && minute_start(minute) + 60 <= cutoff;
    const bool too_big = max_bytes > 0 && total > max_bytes;
    if (!too_old && !too_big)
      break;  // minutes are in time order: nothing later qualifies either
    out.push_back(minute);
    total -= e.bytes;
  }
  return out;
}

bool spool_index::remove_minute(const std::string& minute, std::string& error) {
  const fs::path path = dir_ / minute;
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) {
    error = "delete " + path.string() + ": " + ec.message();
    return false;
  }
  for (fs::path p = path.parent_path(); p != dir_ && p.has_relative_path(); p = p.parent_path())
    if (!fs::remove(p, ec))  // only removes an empty directory
      break;
  std::lock_guard lock(mutex_);
  auto it = minutes_.find(minute);
  if (it != minutes_.end()) {
    total_ -= it->second.bytes;
    minutes_.erase(it);
  }
  return true;
}

std::vector<std::string> spool_index::enforce(uint64_t max_bytes, uint32_t max_days, std::time_t now,
                                              std::vector<std::string>& errors) {
  std::vector<std::string> removed;
  for (const auto& minute : plan(max_bytes, max_days, now)) {
    std::string error;
    if (remove_minute(minute, error))
      removed.push_back(minute);
    else
      errors.push_back(error);
  }
  return removed;
}

}  // namespace voxmon::core
