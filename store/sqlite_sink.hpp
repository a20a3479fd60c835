#pragma once
// The embedded default store: SQLite with the table and column names of the MySQL schema
// (cdr, cdr_next, cdr_rtp, cdr_sip_response, cdr_ua). Units are VoIPmonitor's where its
// columns have a unit suffix (see docs/CDR.md). One transaction per batch.
#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "store/cdr_sink.hpp"

namespace voxmon::store {

class sqlite_sink final : public cdr_sink {
 public:
  // Opens (creating the file and schema when needed). nullptr and `error` on failure.
  static std::unique_ptr<sqlite_sink> open(const std::string& path, std::string& error);
  ~sqlite_sink() override;
  std::string write(std::span<const core::cdr> batch) override;
  std::string flush() override { return {}; }
  std::string name() const override { return "sqlite:" + path_; }
  // CDRs not written because one with the same (Call-ID as stored, id_sensor, calldate) is
  // there already: the same file processed again, a journal replayed (as the MySQL store).
  uint64_t skipped_duplicates() const { return duplicates_; }

 private:
  sqlite_sink(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::string prepare();
  std::string lookup_id(sqlite3_stmt* find, sqlite3_stmt* insert,
                        std::unordered_map<std::string, int64_t>& cache,
                        const std::string& text, int64_t& id);
  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* insert_cdr_ = nullptr;
  sqlite3_stmt* insert_next_ = nullptr;
  sqlite3_stmt* insert_rtp_ = nullptr;
  sqlite3_stmt* update_quality_ = nullptr;
  sqlite3_stmt* insert_dtmf_ = nullptr;
  sqlite3_stmt* find_response_ = nullptr;
  sqlite3_stmt* insert_response_ = nullptr;
  sqlite3_stmt* find_ua_ = nullptr;
  sqlite3_stmt* insert_ua_ = nullptr;
  sqlite3_stmt* find_stored_ = nullptr;
  uint64_t duplicates_ = 0;
  std::unordered_map<std::string, int64_t> response_ids_;
  std::unordered_map<std::string, int64_t> ua_ids_;
};

}  // namespace voxmon::store
