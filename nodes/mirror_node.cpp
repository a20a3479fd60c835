#include "nodes/mirror_node.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "actors/mirror_sender.hpp"
#include "config/cluster_settings.hpp"
#include "core/log.hpp"
#include "core/pcap_file_reader.hpp"
#include "core/pcap_live_source.hpp"
#include "core/mirror_metrics.hpp"
#include "nodes/metrics_server.hpp"
#include "nodes/remoting.hpp"
#include "nodes/spawn.hpp"

namespace voxmon::nodes {

namespace {

namespace log = core::log;
using clock_type = std::chrono::steady_clock;

// A capture file, as fast as acknowledged (speed 0) or paced at `speed` x its own timing.
class file_source final : public packet_source {
 public:
  file_source(std::unique_ptr<core::pcap_file_reader> r, double speed)
      : reader_(std::move(r)), speed_(speed) {}
  status next(core::timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen,
              uint32_t& wirelen) override {
    if (!held_) {
      auto s = reader_->next(ts_, data_, caplen_, wirelen_);
      if (s == core::pcap_file_reader::status::end)
        return status::end;
      if (s == core::pcap_file_reader::status::error) {
        error_ = "input stopped after " + std::to_string(reader_->frames_read()) +
                 " packets: " + reader_->error();
        return status::error;
      }
      held_ = true;
    }
    if (speed_ > 0) {
      const auto now = clock_type::now();
      if (!started_) {
        started_ = true;
        start_wall_ = now;
        start_ts_ = ts_;
      }
      const auto due = start_wall_ + std::chrono::nanoseconds(static_cast<int64_t>(
                                       static_cast<double>(ts_ - start_ts_) / speed_));
      if (now < due) {
        std::this_thread::sleep_for(std::min<clock_type::duration>(due - now, std::chrono::milliseconds(10)));
        return status::idle;
      }
    }
    held_ = false;
    ts = ts_;
    data = data_;
    caplen = caplen_;
    wirelen = wirelen_;
    return status::frame;
  }
  int link_type() const override { return reader_->link_type(); }
  std::string error() const override { return error_; }
  bool can_wait() const override { return speed_ == 0; }

 private:
  std::unique_ptr<core::pcap_file_reader> reader_;
  double speed_;
  bool held_ = false, started_ = false;
  core::timestamp_ns ts_ = 0, start_ts_ = 0;
  const uint8_t* data_ = nullptr;
  uint32_t caplen_ = 0, wirelen_ = 0;
  clock_type::time_point start_wall_;
  std::string error_;
};

class interface_source final : public packet_source {
 public:
  explicit interface_source(std::unique_ptr<core::pcap_live_source> s) : source_(std::move(s)) {}
  status next(core::timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen,
              uint32_t& wirelen) override {
    switch (source_->next(ts, data, caplen, wirelen)) {
      case core::pcap_live_source::status::frame: return status::frame;
      case core::pcap_live_source::status::timeout: return status::idle;
      default: return status::error;
    }
  }
  int link_type() const override { return source_->link_type(); }
  std::string error() const override { return source_->interface() + ": " + source_->error(); }
  bool can_wait() const override { return false; }
  uint64_t take_dropped() override { return source_->take_new_drops(drops_, " before mirroring"); }

 private:
  std::unique_ptr<core::pcap_live_source> source_;
  core::drop_counter drops_;
};

// Several interfaces: each is polled in turn (its read waits at most 20 ms on an idle wire).
class interfaces_source final : public packet_source {
 public:
  explicit interfaces_source(std::vector<std::unique_ptr<packet_source>> s) : sources_(std::move(s)) {}
  status next(core::timestamp_ns& ts, const uint8_t*& data, uint32_t& caplen,
              uint32_t& wirelen) override {
    for (size_t tried = 0; tried < sources_.size(); ++tried) {
      const size_t i = (next_ + tried) % sources_.size();
      const auto s = sources_[i]->next(ts, data, caplen, wirelen);
      if (s == status::idle)
        continue;
      if (s == status::frame) {
        current_ = i;
        next_ = i;  // stay on a busy interface until it is idle
      } else {
        error_ = sources_[i]->error();
      }
      return s;
    }
    next_ = (next_ + 1) % sources_.size();
    return status::idle;
  }
  int link_type() const override { return sources_[current_]->link_type(); }
  std::string error() const override { return error_; }
  bool can_wait() const override { return false; }
  uint64_t take_dropped() override {
    uint64_t sum = 0;
    for (auto& s : sources_)
      sum += s->take_dropped();
    return sum;
  }

 private:
  std::vector<std::unique_ptr<packet_source>> sources_;
  size_t next_ = 0, current_ = 0;
  std::string error_;
};

std::shared_ptr<packet_source> open_source(const config::settings& s, int& exit_code) {
  std::string error;
  if (!s.read_file.empty()) {
    auto reader = core::pcap_file_reader::open(s.read_file, error);
    if (!reader) {
      log::error(error);
      exit_code = 1;
      return nullptr;
    }
    return std::make_shared<file_source>(std::move(reader), s.replay_speed);
  }
  auto list = core::parse_interface_list(s.interface, error);
  if (!list || list->empty()) {
    log::error("interface: " + (list ? std::string("nothing to capture: set interface or give -r FILE") : error));
    exit_code = 2;
    return nullptr;
  }
  std::vector<std::unique_ptr<packet_source>> sources;
  for (const auto& name : *list) {
    core::live_options o;
    o.interface = name;
    o.filter = s.filter;
    o.snaplen = static_cast<int>(s.snaplen);
    o.promisc = s.promisc;
    o.buffer_mb = s.ringbuffer;
    o.read_timeout_ms = list->size() == 1 ? 20 : 5;
    core::live_error kind = core::live_error::none;
    auto src = core::pcap_live_source::open(o, error, kind);
    if (!src) {
      log::error(error);
      exit_code = 2;
      return nullptr;
    }
    log::info("capturing on " + name + " (link type " + std::to_string(src->link_type()) + ") for mirroring");
    sources.push_back(std::make_unique<interface_source>(std::move(src)));
  }
  if (sources.size() == 1)
    return std::shared_ptr<packet_source>(std::move(sources.front()));
  return std::make_shared<interfaces_source>(std::move(sources));
}

core::mirror_sender_snapshot snapshot_of(const mirror_sender_counters& c) {
  core::mirror_sender_snapshot s;
  s.connected = c.connected;
  s.frames = c.frames;
  s.frames_compressed = c.frames_compressed;
  s.frames_acked = c.frames_acked;
  s.packets = c.packets;
  s.raw_bytes = c.raw_bytes;
  s.wire_bytes = c.wire_bytes;
  s.reconnects = c.reconnects;
  s.lost_frames = c.lost_frames;
  s.lost_packets = c.lost_packets;
  s.capture_dropped = c.capture_dropped;
  s.buffer_frames = c.buffer_frames;
  s.buffer_memory = c.buffer_memory;
  s.buffer_disk = c.buffer_disk;
  s.outstanding = c.outstanding;
  return s;
}

}  // namespace

int run_mirror_sender(const config::settings& s) {
  auto join = join_options_of(s);
  if (!join) {
    log::error(error_text(join.error()));
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  int exit_code = 0;
  auto source = open_source(s, exit_code);
  if (!source)
    return exit_code;
  core::mirror_buffer_options bo;
  bo.memory_bytes = uint64_t{s.max_buffer_mem} << 20;
  bo.spill_path = s.packetbuffer_file_path;
  bo.disk_bytes = s.packetbuffer_file_path.empty() ? 0 : uint64_t{s.packetbuffer_file_totalmaxsize} << 20;
  std::string error;
  std::shared_ptr<core::mirror_buffer> buffer = core::mirror_buffer::open(bo, error);
  if (!buffer) {
    log::error("packetbuffer_file_path: " + error);
    return 2;
  }

  caf::actor_system_config cfg;
  configure_node(cfg, s);
  caf::actor_system sys{cfg};
  if (auto w = tls_warning(s); !w.empty())
    log::warn(w);
  mirror_sender_config mc;
  mc.join = std::move(*join);
  mc.buffer = bo;
  mc.frame_bytes = size_t{s.mirror_frame_kb} << 10;
  mc.frame_interval = std::chrono::milliseconds(s.mirror_frame_ms);
  mc.window = s.mirror_window;
  mc.compression.enabled = s.packetbuffer_compress;
  mc.compression.min_saving_percent = s.mirror_compress_min_saving;
  mc.flush_timeout = std::chrono::seconds(s.server_flush_timeout);
  auto counters = std::make_shared<mirror_sender_counters>();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  auto sender = sys.spawn<caf::detached>(mirror_sender, mc, buffer, source, counters);
  caf::actor_cast<caf::actor>(sender)->attach_functor([finished] { *finished = true; });

  std::unique_ptr<metrics_server> metrics;
  if (!s.metrics_bind.empty()) {
    metrics = metrics_server::start_at(
      s.metrics_bind, [counters] { return core::render_mirror_sender_metrics(snapshot_of(*counters)); },
      error);
    if (!metrics) {
      log::error(error);
      caf::anon_send_exit(sender, caf::exit_reason::user_shutdown);
      return 2;
    }
  }
  const auto started = clock_type::now();
  auto last_status = started;
  core::mirror_sender_snapshot before;
  const timespec wait{0, 200'000'000};
  while (!*finished) {
    int signal = sigtimedwait(&stop_signals, nullptr, &wait);
    if (signal == SIGTERM || signal == SIGINT) {
      log::info(std::string(signal == SIGINT ? "SIGINT" : "SIGTERM") + ": sending what is buffered, then stopping");
      caf::anon_send(sender, eof_atom::value);
    }
    const auto now = clock_type::now();
    if (now - last_status >= std::chrono::seconds(10)) {
      const auto current = snapshot_of(*counters);
      log::info(core::render_mirror_sender_status(
        current, before, std::chrono::duration<double>(now - last_status).count()));
      before = current;
      last_status = now;
    }
  }
  sys.await_all_actors_done();
  // The last line's wire rate is the whole run's average.
  log::info(core::render_mirror_sender_status(
    snapshot_of(*counters), {}, std::chrono::duration<double>(clock_type::now() - started).count()));
  return counters->exit_code;
}

}  // namespace voxmon::nodes
