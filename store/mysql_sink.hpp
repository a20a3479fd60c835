#pragma once
// Writes batches of CDRs into the MySQL schema (mysql_schema.hpp) with VoIPmonitor's units:
// multi-row prepared INSERTs in transactions (a large batch split over two connections in
// parallel), lookup ids (cdr_sip_response, cdr_ua) cached.
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
  // Inserts a batch (two transactions on two connections when it has 64 CDRs or more). On a
  // permanent error the caller retries the CDRs one by one to find the refused ones.
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
  sql_value ip(const core::ip_address& a);
  std::string text(const std::string& s, size_t max_chars);
  // The values of a chunk of CDRs; child rows get their cdr_ID (first value) once the chunk's
  // cdr rows are inserted (`owner` = the CDR's index in the chunk). One per connection; they
  // keep their capacity between batches.
  struct chunk_values {
    std::vector<sql_value> cdr, next, rtp, dtmf;
    std::vector<uint32_t> rtp_owner, dtmf_owner;
    void clear() {
      for (auto* v : {&cdr, &next, &rtp, &dtmf})
        v->clear();
      rtp_owner.clear();
      dtmf_owner.clear();
    }
  };
  void build_chunk(std::span<const core::cdr* const> part, chunk_values& out);
  // Inserts these CDRs (and their child rows) on `db`, inside its open transaction.
  void insert_part(mysql_db& db, std::span<const core::cdr* const> rows, chunk_values& buf);
  chunk_values chunks_[2];
  std::unique_ptr<mysql_db> db_;
  std::unique_ptr<mysql_db> db2_;  // the second half of a batch goes in parallel on this one
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
