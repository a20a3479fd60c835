#pragma once
// Writes batches of CDRs into the MySQL schema (mysql_schema.hpp) with VoIPmonitor's units:
// one transaction per batch, multi-row INSERTs, lookup ids (cdr_sip_response, cdr_ua) cached.
// Replays are harmless: a CDR whose (Call-ID, id_sensor, calldate) is already stored is skipped.
// This class knows nothing about the journal; mysql_store puts the two together.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>

#include "core/cdr.hpp"
#include "store/mysql_db.hpp"
#include "store/mysql_schema.hpp"

namespace voxmon::store {

class mysql_sink {
 public:
  // Connects and creates/upgrades the schema. nullptr + error on failure.
  static std::unique_ptr<mysql_sink> open(const mysql_params& p, const mysql_schema_options& o,
                                          db_error& error);
  // Inserts a batch in one transaction. On a permanent error, `failed_index` is the CDR that
  // was refused when the batch had one CDR, else -1 (retry the CDRs one by one).
  db_error write(std::span<const core::cdr> batch);
  const mysql_schema_info& schema() const { return schema_; }
  uint64_t inserted() const { return inserted_; }
  uint64_t skipped_duplicates() const { return duplicates_; }
  mysql_db& db() { return *db_; }

 private:
  mysql_sink(std::unique_ptr<mysql_db> db, mysql_schema_info info)
      : db_(std::move(db)), schema_(info) {}
  void write_transaction(std::span<const core::cdr> batch);
  void resolve_lookups(std::span<const core::cdr> batch);
  std::string ip(const core::ip_address& a);
  std::string text(const std::string& s, size_t max_chars);
  std::unique_ptr<mysql_db> db_;
  mysql_schema_info schema_;
  bool consecutive_ids_ = true;
  std::string partitions_until_;  // every day up to this one has a partition
  std::unordered_map<std::string, uint64_t> response_ids_;
  std::unordered_map<std::string, uint64_t> ua_ids_;
  std::set<uint32_t> sensors_;
  uint64_t inserted_ = 0;
  uint64_t duplicates_ = 0;
};

// Text as stored: invalid UTF-8 replaced by U+FFFD exactly as the JSON writer does, then
// cut to `max_chars` characters (the column width).
std::string mysql_text(const std::string& s, size_t max_chars);

}  // namespace voxmon::store
