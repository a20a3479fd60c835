#pragma once
// The MySQL CDR store: mysql_sink for the database, cdr_journal for CDRs the database cannot
// take now, a dead-letter file for CDRs it refuses for good. Nothing is lost:
// - database unreachable (at start or later), or a transient error: the batch goes to the
//   journal; while the journal holds anything, new batches are appended behind it (order kept);
// - retry() (called periodically by the writer) and flush() reconnect with a backoff and replay
//   the journal in order; replays never duplicate (see mysql_sink);
// - a permanent refusal of a batch: the CDRs are retried one by one, and each refused one goes
//   to the dead-letter file with the reason.
#include <chrono>
#include <memory>
#include <string>

#include "store/cdr_journal.hpp"
#include "store/cdr_sink.hpp"
#include "store/mysql_sink.hpp"

namespace voxmon::store {

struct mysql_store_options {
  mysql_params params;
  mysql_schema_options schema;
  std::string journal_path = "voxmon-cdr.journal";
  fsync_policy journal_fsync = fsync_policy::batch;
  size_t batch = 1000;  // CDRs per INSERT (and per replay step)
};

struct mysql_store_status {
  bool connected = false;
  uint64_t inserted = 0;
  uint64_t journal_bytes = 0;
  uint64_t journaled = 0;      // CDRs written to the journal in this run
  uint64_t replayed = 0;       // CDRs taken from the journal into the database
  uint64_t dead_letters = 0;
  uint64_t write_errors = 0;   // failed attempts (connect, batch) that sent CDRs to the journal
  std::string last_error;
};

class mysql_store final : public cdr_sink {
 public:
  // Fails only when the journal cannot be opened or the schema is newer than this voxmon.
  // An unreachable server is not a failure: `warning` says so and CDRs go to the journal.
  static std::unique_ptr<mysql_store> open(const mysql_store_options& o, std::string& error,
                                           std::string& warning);
  std::string write(std::span<const core::cdr> batch) override;
  // Replays the journal now (no backoff). An error text when CDRs stay in the journal.
  std::string flush() override;
  std::string name() const override { return o_.params.where(); }
  // Reconnects and replays when the backoff allows. True when the journal is empty.
  bool retry() override;
  bool has_backlog() const override { return !journal_->empty(); }
  const mysql_store_status& status() const { return status_; }
  bool journal_empty() const { return journal_->empty(); }
  // CDRs in the journal not yet in the database.
  uint64_t journal_pending() const { return journal_->records() - replayed_records_; }
  const std::string& journal_path() const { return o_.journal_path; }
  std::string dead_letter_path() const { return o_.journal_path + ".dead"; }

 private:
  explicit mysql_store(mysql_store_options o) : o_(std::move(o)) {}
  bool connect();
  // Writes to the database; returns how many CDRs of the batch are done (stored or
  // dead-lettered) before a transient error stopped it.
  size_t write_db(std::span<const core::cdr> batch);
  bool replay();
  void failed(const db_error& e);
  mysql_store_options o_;
  std::unique_ptr<mysql_sink> sink_;
  std::unique_ptr<cdr_journal> journal_;
  uint64_t replay_offset_ = 0;
  uint64_t replayed_records_ = 0;  // journal records before replay_offset_
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  mysql_store_status status_;
  std::string error_;  // a journal or dead-letter file error, reported by flush()
};

}  // namespace voxmon::store
