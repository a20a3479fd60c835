#include "store/mysql_store.hpp"

#include <algorithm>

namespace voxmon::store {
namespace {

constexpr std::chrono::milliseconds first_backoff{500};
constexpr std::chrono::milliseconds max_backoff{30'000};

}  // namespace

std::unique_ptr<mysql_store> mysql_store::open(const mysql_store_options& o, std::string& error,
                                               std::string& warning) {
  std::unique_ptr<mysql_store> st(new mysql_store(o));
  st->journal_ = cdr_journal::open(o.journal_path, o.journal_fsync, error);
  if (!st->journal_)
    return nullptr;
  db_error e;
  st->sink_ = mysql_sink::open(o.params, o.schema, e);
  if (!st->sink_) {
    if (e.kind == db_error_kind::permanent && e.code == 0) {  // schema newer than this voxmon
      error = e.text;
      return nullptr;
    }
    st->failed(e);
    warning = e.text + "; CDRs are kept in the journal '" + o.journal_path +
              "' and written when the server is reachable";
    return st;
  }
  st->status_.connected = true;
  if (!st->journal_->empty() && !st->replay())
    warning = "CDR journal '" + o.journal_path + "' could not be replayed yet: " +
              st->status_.last_error;
  return st;
}

void mysql_store::failed(const db_error& e) {
  status_.last_error = e.text;
  ++status_.write_errors;
  if (e.kind == db_error_kind::transient) {
    sink_.reset();  // reconnect from scratch next time
    status_.connected = false;
    backoff_ = backoff_.count() ? std::min(backoff_ * 2, max_backoff) : first_backoff;
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  }
}

bool mysql_store::connect() {
  if (sink_)
    return true;
  db_error e;
  sink_ = mysql_sink::open(o_.params, o_.schema, e);
  if (!sink_) {
    failed(e.kind == db_error_kind::permanent && e.code != 0
               ? db_error{db_error_kind::transient, e.code, e.text}
               : e);
    return false;
  }
  status_.connected = true;
  backoff_ = std::chrono::milliseconds{0};
  return true;
}

size_t mysql_store::write_db(std::span<const core::cdr> batch) {
  size_t done = 0;
  while (done < batch.size()) {
    const auto part = batch.subspan(done, std::min(o_.batch, batch.size() - done));
    const uint64_t before = sink_->inserted();
    db_error e = sink_->write(part);
    if (!e) {
      status_.inserted += sink_->inserted() - before;
      done += part.size();
      continue;
    }
    if (e.kind == db_error_kind::transient) {
      failed(e);
      return done;
    }
    // Refused for good: find the CDRs the server refuses, one by one.
    for (const auto& c : part) {
      db_error one = sink_->write(std::span<const core::cdr>(&c, 1));
      if (one.kind == db_error_kind::transient) {
        failed(one);
        return done;
      }
      if (one) {
        ++status_.dead_letters;
        status_.last_error = one.text;
        if (auto err = append_dead_letter(dead_letter_path(), c, one.text); !err.empty())
          error_ = err;
      } else {
        ++status_.inserted;
      }
      ++done;
    }
  }
  return done;
}

bool mysql_store::replay() {
  if (journal_->empty())
    return true;
  if (!connect())
    return false;
  while (true) {
    uint64_t next = 0;
    std::string warning;
    auto cdrs = journal_->read(replay_offset_, o_.batch, next, warning);
    if (!warning.empty())
      error_ = warning;
    if (cdrs.empty() && next == replay_offset_)
      break;  // end of the readable journal
    const size_t done = write_db(cdrs);
    if (done < cdrs.size()) {
      // Records before the failure are stored; the next attempt starts again at this chunk
      // (already stored CDRs are skipped by the database).
      status_.replayed += done;
      return false;
    }
    status_.replayed += cdrs.size();
    replay_offset_ = next;
    replayed_records_ += cdrs.size();
  }
  if (auto err = journal_->clear(); !err.empty()) {
    error_ = err;
    return false;
  }
  replay_offset_ = 0;
  replayed_records_ = 0;
  status_.journal_bytes = 0;
  return true;
}

std::string mysql_store::write(std::span<const core::cdr> batch) {
  if (batch.empty())
    return {};
  size_t done = 0;
  if (journal_->empty() && (sink_ || std::chrono::steady_clock::now() >= next_attempt_) &&
      connect())
    done = write_db(batch);
  if (done < batch.size()) {
    const auto rest = batch.subspan(done);
    if (auto err = journal_->append(rest); !err.empty())
      return err + " (" + std::to_string(rest.size()) + " CDRs could not be kept)";
    status_.journaled += rest.size();
    status_.journal_bytes = journal_->size();
    if (std::chrono::steady_clock::now() >= next_attempt_)
      replay();  // the journal was not empty: keep it moving
  }
  return {};
}

bool mysql_store::retry() {
  if (journal_->empty())
    return true;
  if (!sink_ && std::chrono::steady_clock::now() < next_attempt_)
    return false;
  const bool ok = replay();
  status_.journal_bytes = journal_->size();
  return ok;
}

std::string mysql_store::flush() {
  replay();
  status_.journal_bytes = journal_->size();
  std::string msg;
  if (!journal_->empty())
    msg = std::to_string(journal_pending()) + " CDRs (" + std::to_string(journal_->size()) +
          " bytes) are kept in the journal '" + o_.journal_path +
          "' (written when the server is reachable, at the next start or by voxmon "
          "--update-schema): " + status_.last_error;
  if (status_.dead_letters)
    msg += (msg.empty() ? "" : "; ") + std::to_string(status_.dead_letters) +
           " CDRs refused by the server are in '" + dead_letter_path() + "'";
  if (!error_.empty())
    msg += (msg.empty() ? "" : "; ") + error_;
  return msg;
}

}  // namespace voxmon::store
