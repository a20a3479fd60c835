#include "actors/cdr_writer.hpp"

#include <chrono>
#include <limits>

#include "store/mysql_store.hpp"


namespace voxmon {

namespace {

using writer_ptr = cdr_writer_actor::stateful_pointer<cdr_writer_state>;

call_row row_of(const core::cdr& c) {
  call_row r;
  r.calldate = core::format_utc(c.calldate);
  r.caller = c.caller;
  r.called = c.called;
  r.response = c.last_sip_response_num ? c.last_sip_response : "-";
  r.whohanged = c.whohanged ? (*c.whohanged == core::party::caller ? "caller" : "callee") : "-";
  r.duration = core::seconds_between(c.calldate, c.callend);
  return r;
}

// A sink that keeps CDRs back while its destination is away (MySQL's journal, a sensor's
// outbox) gets a retry tick.
bool retry_stores(writer_ptr self) {
  bool pending = false;
  for (auto& sink : self->state.sinks)
    pending |= !sink->retry();
  return pending;
}

void schedule_retry(writer_ptr self) {
  auto& st = self->state;
  if (st.retry_scheduled)
    return;
  for (auto& sink : st.sinks)
    if (sink->wants_ticks()) {
      st.retry_scheduled = true;
      self->delayed_send(self, std::chrono::seconds(1), flush_atom::value);
      return;
    }
}

void answer_syncs(writer_ptr self);

void write_ready(writer_ptr self) {
  auto& st = self->state;
  if (st.ready.empty()) {
    answer_syncs(self);
    return;
  }
  bool ok = true;
  for (auto& sink : st.sinks) {
    auto err = sink->write(st.ready);
    if (!err.empty()) {
      ok = false;
      ++st.write_errors;
      st.report.stats.cdr_errors += st.ready.size();
      st.report.errors.push_back(sink->name() + ": " + err);
    }
  }
  if (ok)
    st.written += st.ready.size();
  for (const auto& c : st.ready)
    if (st.report.rows.size() < st.table_rows)
      st.report.rows.push_back(row_of(c));
  st.report.stats.cdrs_written += st.ready.size();
  st.ready.clear();
  schedule_retry(self);
  answer_syncs(self);
}

// Answers every sync whose CDRs are written (write_ready just ran, so `ready` is empty).
void answer_syncs(writer_ptr self) {
  auto& st = self->state;
  if (st.syncs.empty() || !st.ready.empty())
    return;
  bool flushed = false;
  for (auto i = st.syncs.begin(); i != st.syncs.end();) {
    auto src = st.sources.find(i->source);
    const uint64_t written = src == st.sources.end() ? 0 : src->second.next_seq;
    const bool all = i->closes == std::numeric_limits<uint64_t>::max();
    const bool finished = src != st.sources.end() && src->second.finished;
    if (all ? !finished : written < i->closes) {
      ++i;
      continue;
    }
    if (!flushed) {
      for (auto& sink : st.sinks)
        sink->flush();
      flushed = true;
    }
    i->promise.deliver(written);
    if (all) {  // a finished mirror stream: forgotten, and no longer one of the finished sources
      st.sources.erase(i->source);
      --st.finished_sources;
    }
    i = st.syncs.erase(i);
  }
}

void try_complete(writer_ptr self) {
  auto& st = self->state;
  if (!st.done_promise || st.expected_sources == 0 || st.finished_sources < st.expected_sources)
    return;
  write_ready(self);
  for (auto& sink : st.sinks) {
    if (auto err = sink->flush(); !err.empty())
      (sink->has_backlog() ? st.report.kept_back : st.report.errors).push_back(sink->name() + ": " + err);
    if (auto* m = dynamic_cast<store::mysql_store*>(sink.get()); m && !m->journal_empty()) {
      st.report.cdrs_in_journal += m->journal_pending();
      st.report.journal_path = m->journal_path();
    }
  }
  st.done_promise->deliver(st.report);
  st.done_promise.reset();
}

void drain(writer_ptr self, cdr_writer_state::source_state& src) {
  auto& st = self->state;
  while (!src.waiting.empty() && src.waiting.begin()->first == src.next_seq) {
    st.ready.push_back(std::move(src.waiting.begin()->second));
    src.waiting.erase(src.waiting.begin());
    ++src.next_seq;
  }
  if (st.ready.size() >= st.write_batch) {
    write_ready(self);
  } else if (!st.ready.empty() && !st.flush_scheduled) {
    st.flush_scheduled = true;
    self->delayed_send(self, std::chrono::milliseconds(200), flush_atom::value);
  }
  if (!src.finished && src.total && src.next_seq == *src.total) {
    src.finished = true;
    ++st.finished_sources;
    try_complete(self);
    if (!st.syncs.empty())
      write_ready(self);
  }
}


writer_status status_of(const cdr_writer_state& st) {
  writer_status w;
  w.cdrs_written = st.written;
  w.cdrs_queued = st.ready.size();
  for (const auto& [id, src] : st.sources)
    w.cdrs_queued += src.waiting.size();
  w.write_errors = st.write_errors;
  for (const auto& sink : st.sinks)
    if (const auto* m = dynamic_cast<const store::mysql_store*>(sink.get())) {
      w.cdrs_journaled += m->journal_pending();
      w.cdrs_dead += m->status().dead_letters;
      w.write_errors += m->status().write_errors;
    }
  return w;
}

}  // namespace

cdr_writer_actor::behavior_type
cdr_writer(cdr_writer_actor::stateful_pointer<cdr_writer_state> self, sink_list sinks,
           uint32_t table_rows) {
  self->state.sinks = std::move(sinks);
  self->state.table_rows = table_rows;
  schedule_retry(self);  // a sensor's uplink joins at start, before it has a CDR to send
  return {
    [=](cdr_atom, cdr_msg& m) {
      auto& src = self->state.sources[m.source];
      src.waiting.emplace(m.close_seq, std::move(m.record));
      drain(self, src);
    },
    [=](done_atom, source_done& d) {
      auto& src = self->state.sources[d.source];
      src.total = d.total_cdrs;
      self->state.report.stats += d.stats;
      if (!d.error.empty())
        self->state.report.errors.push_back(d.error);
      drain(self, src);
    },
    [=](flush_atom) {
      self->state.flush_scheduled = false;
      self->state.retry_scheduled = false;
      write_ready(self);
      retry_stores(self);
      schedule_retry(self);
    },
    [=](done_atom, uint32_t sources) -> caf::typed_response_promise<run_report> {
      auto& st = self->state;
      st.expected_sources = sources;
      st.done_promise = self->make_response_promise<run_report>();
      auto promise = *st.done_promise;
      try_complete(self);
      return promise;
    },
    [=](sync_atom, uint64_t source, uint64_t closes) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      st.syncs.push_back({source, closes, self->make_response_promise<uint64_t>()});
      auto promise = st.syncs.back().promise;
      write_ready(self);  // answers the syncs that are due
      return promise;
    },
    [=](status_atom) -> writer_status { return status_of(self->state); },
  };
}

}  // namespace voxmon
