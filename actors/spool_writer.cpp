#include "actors/spool_writer.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <thread>
#include <utility>

#include "core/spool_path.hpp"

namespace voxmon {

namespace {

using self_ptr = spool_writer_actor::stateful_pointer<spool_writer_state>;
constexpr uint32_t max_logged_errors = 20;
constexpr size_t prefetch_distance = 6;  // frames ahead whose bytes the copy loop fetches
constexpr uint32_t prefetch_bytes = 256; // of each: an RTP packet of G.711 at 20 ms

void log_error(self_ptr self, const std::string& text) {
  auto& st = self->state;
  if (st.report.errors.size() < 100)
    st.report.errors.push_back(text);
  if (st.logged_errors < max_logged_errors)
    std::cerr << "voxmon: spool: " << text << '\n';
  else if (st.logged_errors == max_logged_errors)
    std::cerr << "voxmon: spool: further spool errors are counted, not printed\n";
  ++st.logged_errors;
}

// Closes one file; its bytes go to the index, its counts to the report.
void close_file(self_ptr self, const std::string& path, const spool_writer_config& cfg) {
  auto& st = self->state;
  auto it = st.files.find(path);
  if (it == st.files.end())
    return;
  auto& f = it->second;
  st.buffered -= std::min(st.buffered, f.file->pending());
  std::string error;
  if (!f.file->close(error)) {
    log_error(self, error);
    st.dead.insert(path);
  }
  st.report.packets += f.file->records_written();
  st.report.dropped += f.file->records_lost();  // queued when a write failed
  st.report.bytes += f.file->disk_growth();
  cfg.index->add_bytes(f.minute, f.file->disk_growth());
  cfg.index->file_closed(f.minute);
  st.files.erase(it);
}

// Writes the fullest buffers until at most half of `max_buffered` is pending: with hundreds of
// open files the bound is reached while most buffers hold a few KB, and writing all of them
// made 32 KB writes on average at 500 calls at once.
void flush_fullest(self_ptr self, size_t max_buffered) {
  auto& st = self->state;
  std::vector<std::pair<size_t, decltype(st.files)::value_type*>> by_size;
  by_size.reserve(st.files.size());
  st.buffered = 0;  // counted afresh (a failed write empties its buffer without telling)
  for (auto& entry : st.files)
    if (const size_t pending = entry.second.file->pending(); pending > 0) {
      by_size.emplace_back(pending, &entry);
      st.buffered += pending;
    }
  std::sort(by_size.begin(), by_size.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [pending, entry] : by_size) {
    if (st.buffered <= max_buffered / 2)
      break;
    std::string error;
    if (!entry->second.file->flush(error)) {
      log_error(self, error);
      st.dead.insert(entry->first);
    }
    st.buffered -= std::min(st.buffered, pending);
  }
}

// The open file of `call`'s `kind`, opening it (and learning its path) on first use; nullptr
// when it cannot be opened or failed before.
spool_open_file* get_file(self_ptr self, const spool_writer_config& cfg, spool_call& call,
                          core::spool_kind kind, int link_type) {
  auto& st = self->state;
  std::string& path = call.paths[static_cast<size_t>(kind)];
  const auto k = static_cast<size_t>(kind);
  if (path.empty())  // once per call and kind: no path is built per message
    path = core::spool_file_path(cfg.spooldir, call.calldate, call.fbasename, kind,
                                 core::pcap_extension(cfg.compression)).string();
  if (!st.dead.empty() && st.dead.count(path))
    return nullptr;
  auto it = st.files.find(path);
  if (it == st.files.end()) {
    if (st.files.size() >= cfg.max_open_files) {  // close the least recently used file
      auto lru = st.files.begin();
      for (auto i = st.files.begin(); i != st.files.end(); ++i)
        if (i->second.last_use < lru->second.last_use)
          lru = i;
      close_file(self, lru->first, cfg);
    }
    std::string error;
    auto file = core::pcap_file::open(path, link_type, cfg.compression, error, st.chunks);
    if (!file) {
      log_error(self, error);
      st.dead.insert(path);
      return nullptr;
    }
    file->write_delay_us = cfg.write_delay_us;
    spool_open_file of;
    of.file = std::move(file);
    of.minute = core::spool_minute(call.calldate);
    cfg.index->file_opened(of.minute);
    ++(call.opened_of[k] ? st.report.reopened : st.report.files);
    call.opened_of[k] = true;
    it = st.files.emplace(path, std::move(of)).first;
    // New, or reopened after the open-file limit. Fbasenames are unique per Call-ID and the
    // router holds one call per Call-ID, so one call writes a file at a time.
    it->second.users = 1;
    call.users_of[k] = 1;
  } else if (!call.users_of[k]) {
    ++it->second.users;
    call.users_of[k] = 1;
  }
  it->second.last_use = ++st.use_clock;
  return &it->second;
}

void write_frames(self_ptr self, const spool_writer_config& cfg, const spool_packets& m,
                  spool_call& call, const std::vector<spool_frame>& frames, core::spool_kind kind) {
  if (frames.empty())
    return;
  auto& st = self->state;
  spool_open_file* f = get_file(self, cfg, call, kind, m.link_type);
  if (!f) {
    st.report.dropped += frames.size();
    return;
  }
  core::pcap_file& file = *f->file;
  const size_t before = file.pending();
  std::string error;
  const size_t n = frames.size();
  for (size_t i = 0; i < n; ++i) {
    // The batches were written on another core a while ago: fetch the bytes a few frames ahead
    // (their addresses are in the records, so the fetches do not wait on one another).
    if (i + prefetch_distance < n) {
      const spool_frame& ahead = frames[i + prefetch_distance];
      for (uint32_t at = 0; at < ahead.caplen && at < prefetch_bytes; at += 64)
        __builtin_prefetch(ahead.data + at);
    }
    const spool_frame& fr = frames[i];
    const bool failed_before = file.failed();
    if (!file.append(fr.ts, {fr.data, fr.caplen}, fr.wirelen, error)) {
      // Records that were queued are counted by the file (records_lost); the rest of this
      // message here (this record too when the file had failed already).
      log_error(self, error);
      st.dead.insert(file.path());
      st.report.dropped += n - i - (failed_before ? 0 : 1);
      return;
    }
  }
  const size_t after = file.pending();
  st.buffered = st.buffered - std::min(st.buffered, before) + after;
  if (st.buffered > cfg.max_buffered)
    flush_fullest(self, cfg.max_buffered);
}

void run_retention(self_ptr self, const spool_writer_config& cfg) {
  if (!cfg.retention || (cfg.max_bytes == 0 && cfg.max_days == 0))
    return;
  std::vector<std::string> errors;
  auto removed = cfg.index->enforce(cfg.max_bytes, cfg.max_days, std::time(nullptr), errors);
  self->state.report.removed_minutes += removed.size();
  for (const auto& e : errors)
    log_error(self, e);
  std::string error;
  if (!removed.empty() && !cfg.index->save(error))
    log_error(self, error);
}

}  // namespace

spool_writer_actor::behavior_type spool_writer(self_ptr self, spool_writer_config cfg) {
  // Blocks kept for reuse: as many as `max_buffered` needs; more are freed when given back.
  self->state.chunks =
      std::make_shared<core::chunk_pool>(cfg.max_buffered / core::chunk_pool::chunk_bytes);
  if (cfg.retention) {
    run_retention(self, cfg);
    self->delayed_send(self, cfg.retention_interval, retain_atom::value);
  }
  return {
    [=](spool_atom, const spool_packets& m) {
      auto& call = self->state.calls[m.call_uid];
      if (call.fbasename.empty()) {  // the call's first message names its files
        call.fbasename = m.fbasename;
        call.calldate = m.calldate;
      }
      write_frames(self, cfg, m, call, m.sip, core::spool_kind::sip);
      write_frames(self, cfg, m, call, m.rtp, core::spool_kind::rtp);
      if (cfg.nap.count() > 0 && self->mailbox().empty())
        std::this_thread::sleep_for(cfg.nap);
    },
    [=](close_atom, const spool_close& c) {
      auto& st = self->state;
      auto it = st.calls.find(c.call_uid);
      if (it == st.calls.end())
        return;
      for (size_t k = 0; k < 2; ++k) {
        const std::string& path = it->second.paths[k];
        if (path.empty())
          continue;
        auto f = st.files.find(path);
        if (f != st.files.end() && it->second.users_of[k] && --f->second.users == 0)
          close_file(self, path, cfg);
        st.dead.erase(path);
      }
      st.calls.erase(it);
    },
    [=](retain_atom) {
      run_retention(self, cfg);
      self->delayed_send(self, cfg.retention_interval, retain_atom::value);
    },
    [=](status_atom) -> spool_status {
      const auto& st = self->state;
      spool_status out;
      out.packets = st.report.packets;  // closed files
      out.dropped = st.report.dropped;
      out.bytes = st.report.bytes;
      out.open_files = st.files.size();
      out.buffer_bytes = st.chunks->in_use() * core::chunk_pool::chunk_bytes;
      for (const auto& [path, f] : st.files) {
        out.queued_packets += f.file->pending_records();
        out.packets += f.file->records_written();
        out.dropped += f.file->records_lost();
        out.bytes += f.file->bytes_written();
      }
      return out;
    },
    [=](done_atom) -> spool_report {
      auto& st = self->state;
      while (!st.files.empty())
        close_file(self, st.files.begin()->first, cfg);
      st.calls.clear();
      run_retention(self, cfg);
      std::string error;
      if (cfg.retention && !cfg.index->save(error))
        log_error(self, error);
      return st.report;
    },
  };
}

void spool_select(const spool_link& link, const core::packet_batch& b,
                  const core::routed_packet& rp, spool_packets& out) {
  const core::decoded_packet& p = b.packets[rp.index];
  const core::frame_record& fr = b.frames[p.frame_index];
  const uint8_t* data = b.raw.data() + fr.offset;
  std::vector<spool_frame>* list = &out.rtp;
  uint32_t caplen = fr.caplen;
  if (rp.role == core::packet_role::sip) {
    if (!link.sip)
      return;
    list = &out.sip;
  } else {
    const bool rtcp = b.classes[rp.index] == core::payload_class::rtcp;
    if (!(rtcp ? link.rtcp : link.rtp))
      return;
    if (!rtcp) {  // RTP-shaped only (version 2, a whole header): no keep-alives, STUN or ZRTP
      const auto payload = b.payload(p);
      if (payload.size() < 12 || (payload[0] >> 6) != 2)
        return;
      if (link.rtp_header_only && !p.payload_in_arena)
        caplen = std::min<uint32_t>(caplen, p.payload_offset + core::rtp_header_length(payload));
    }
  }
  if (!list->empty() && list->back().data == data)
    return;  // this frame was just listed
  if (out.sip.empty() && out.rtp.empty())
    out.link_type = b.link_type;
  if (p.payload_in_arena)  // a reassembled datagram: its earlier fragments first
    for (const core::frame_record& ff : b.earlier_fragments(rp.index))
      list->push_back({ff.ts, b.fragment_raw.data() + ff.offset, ff.caplen, ff.wirelen});
  list->push_back({p.ts, data, caplen, fr.wirelen});
}

const spool_writer_actor& spool_pick(const std::vector<spool_writer_actor>& pool,
                                     const std::string& fbasename) {
  return pool[core::fnv1a64(fbasename) % pool.size()];
}

}  // namespace voxmon
