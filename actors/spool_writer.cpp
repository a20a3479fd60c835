#include "actors/spool_writer.hpp"

#include <ctime>
#include <iostream>

#include "core/spool_path.hpp"

namespace voxmon {

namespace {

using self_ptr = spool_writer_actor::stateful_pointer<spool_writer_state>;
constexpr uint32_t max_logged_errors = 20;

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

// Closes one file; its bytes go to the index. false when its last writes failed.
void close_file(self_ptr self, const std::string& path, const spool_writer_config& cfg) {
  auto& st = self->state;
  auto it = st.files.find(path);
  if (it == st.files.end())
    return;
  auto& f = it->second;
  st.buffered -= std::min(st.buffered, f.file->pending());
  const size_t lost = f.file->pending();
  std::string error;
  if (!f.file->close(error)) {
    log_error(self, error);
    st.dead.insert(path);
    if (lost > 0)
      ++st.report.dropped;  // the records of the last buffer: at least one packet
  }
  st.report.bytes += f.file->disk_growth();
  cfg.index->add_bytes(f.minute, f.file->disk_growth());
  cfg.index->file_closed(f.minute);
  st.files.erase(it);
}

void flush_all(self_ptr self) {
  auto& st = self->state;
  for (auto& [path, f] : st.files) {
    std::string error;
    if (!f.file->failed() && !f.file->flush(error)) {
      log_error(self, error);
      st.dead.insert(path);
    }
  }
  st.buffered = 0;
}

spool_open_file* get_file(self_ptr self, const spool_writer_config& cfg, const spool_packets& m,
                          core::spool_kind kind, int link_type) {
  auto& st = self->state;
  const std::string path =
    core::spool_file_path(cfg.spooldir, m.calldate, m.fbasename, kind,
                          core::pcap_extension(cfg.compression)).string();
  if (st.dead.count(path))
    return nullptr;
  auto& paths = st.call_files[m.call_uid];
  const bool new_user = std::find(paths.begin(), paths.end(), path) == paths.end();
  if (new_user)
    paths.push_back(path);
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
    auto file = core::pcap_file::open(path, link_type, cfg.compression, error);
    if (!file) {
      log_error(self, error);
      st.dead.insert(path);
      return nullptr;
    }
    spool_open_file of;
    of.file = std::move(file);
    of.minute = core::spool_minute(m.calldate);
    cfg.index->file_opened(of.minute);
    ++st.report.files;
    it = st.files.emplace(path, std::move(of)).first;
    it->second.users = 0;
  }
  if (new_user)
    ++it->second.users;
  it->second.last_use = ++st.use_clock;
  return &it->second;
}

void write_packets(self_ptr self, const spool_writer_config& cfg, const spool_packets& m,
                   const std::vector<uint32_t>& indices, core::spool_kind kind) {
  if (indices.empty())
    return;
  auto& st = self->state;
  const core::packet_batch& b = *m.batch;
  spool_open_file* f = get_file(self, cfg, m, kind, b.link_type);
  if (!f) {
    st.report.dropped += indices.size();
    return;
  }
  const size_t before = f->file->pending();
  std::string error;
  for (size_t i = 0; i < indices.size(); ++i) {
    const core::decoded_packet& p = b.packets[indices[i]];
    const core::frame_record& fr = b.frames[p.frame_index];
    auto frame = b.frame(p.frame_index);
    if (kind == core::spool_kind::rtp && cfg.rtp_header_only && !p.payload_in_arena &&
        b.classes[indices[i]] != core::payload_class::rtcp) {
      const size_t keep = p.payload_offset + core::rtp_header_length(b.payload(p));
      frame = frame.first(std::min(frame.size(), keep));
    }
    if (!f->file->append(p.ts, frame, fr.wirelen, error)) {
      log_error(self, error);
      st.dead.insert(f->file->path());
      st.report.dropped += indices.size() - i;
      // buffered records not yet written are lost too: count them with this batch's drop
      return;
    }
    ++st.report.packets;
  }
  const size_t after = f->file->pending();
  st.buffered = st.buffered - std::min(st.buffered, before) + after;
  if (st.buffered > cfg.max_buffered)
    flush_all(self);
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
  if (cfg.retention) {
    run_retention(self, cfg);
    self->delayed_send(self, cfg.retention_interval, retain_atom::value);
  }
  return {
    [=](spool_atom, const spool_packets& m) {
      write_packets(self, cfg, m, m.sip, core::spool_kind::sip);
      write_packets(self, cfg, m, m.rtp, core::spool_kind::rtp);
    },
    [=](close_atom, const spool_close& c) {
      auto& st = self->state;
      auto it = st.call_files.find(c.call_uid);
      if (it == st.call_files.end())
        return;
      for (const auto& path : it->second) {
        auto f = st.files.find(path);
        if (f != st.files.end() && --f->second.users == 0)
          close_file(self, path, cfg);
        st.dead.erase(path);
      }
      st.call_files.erase(it);
    },
    [=](retain_atom) {
      run_retention(self, cfg);
      self->delayed_send(self, cfg.retention_interval, retain_atom::value);
    },
    [=](done_atom) -> spool_report {
      auto& st = self->state;
      while (!st.files.empty())
        close_file(self, st.files.begin()->first, cfg);
      st.call_files.clear();
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
  if (rp.role == core::packet_role::sip) {
    if (link.sip && (out.sip.empty() || out.sip.back() != rp.index))
      out.sip.push_back(rp.index);
    return;
  }
  const bool rtcp = b.classes[rp.index] == core::payload_class::rtcp;
  if ((rtcp ? link.rtcp : link.rtp) && (out.rtp.empty() || out.rtp.back() != rp.index))
    out.rtp.push_back(rp.index);
}

const spool_writer_actor& spool_pick(const std::vector<spool_writer_actor>& pool,
                                     const std::string& fbasename) {
  return pool[core::fnv1a64(fbasename) % pool.size()];
}

}  // namespace voxmon
