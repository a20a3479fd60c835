#pragma once
// The spool's retention index: one entry per minute directory (YYYY-MM-DD/HH/MM) with the bytes
// stored in it, kept in spooldir/.voxmon-spool.index, so that enforcing maxpoolsize and
// maxpooldays reads one small file instead of walking the whole tree. The tree is walked only
// when the index file is missing (first run, or deleted by hand).
//
// Thread-safe: the spool_writer pool shares one index (updates happen when a file closes).
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace voxmon::core {

struct spool_minute_entry {
  uint64_t bytes = 0;
  uint32_t open_files = 0;  // files being written: the minute is never deleted meanwhile
};

class spool_index {
 public:
  explicit spool_index(std::filesystem::path spooldir);

  static constexpr const char* file_name = ".voxmon-spool.index";

  // Reads the index file, or builds it by scanning spooldir when there is none.
  bool load(std::string& error);
  // Writes the index file atomically (temporary file + rename).
  bool save(std::string& error) const;

  void add_bytes(const std::string& minute, uint64_t bytes);
  void file_opened(const std::string& minute);
  void file_closed(const std::string& minute);

  uint64_t total_bytes() const;
  std::map<std::string, spool_minute_entry> snapshot() const;

  // The minutes to delete, oldest first: every minute that ended more than max_days before
  // `now`, then the oldest minutes until the total is at most max_bytes. 0 = no limit. A minute
  // with open files is never chosen.
  std::vector<std::string> plan(uint64_t max_bytes, uint32_t max_days, std::time_t now) const;
  // Deletes the minute's directory and its hour/day directories once empty; drops the entry.
  bool remove_minute(const std::string& minute, std::string& error);
  // plan() then remove_minute() on each; returns the minutes removed.
  std::vector<std::string> enforce(uint64_t max_bytes, uint32_t max_days, std::time_t now,
                                   std::vector<std::string>& errors);

  // "YYYY-MM-DD/HH/MM" -> UTC seconds of the minute's start; -1 when malformed.
  static std::time_t minute_start(const std::string& minute);

 private:
  void rebuild_locked();

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::map<std::string, spool_minute_entry> minutes_;  // ordered: oldest first
  uint64_t total_ = 0;
};

}  // namespace voxmon::core
