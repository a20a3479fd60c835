#include "actors/live_capture.hpp"

#include "actors/batch_credit.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "core/log.hpp"

namespace voxmon {

namespace {

using live_ptr = live_capture_actor::stateful_pointer<live_capture_state>;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Packet time now: the newest frame's time moved on by the wall clock since it was read.
core::timestamp_ns packet_time_now(const live_capture_state& st, clock_type::time_point now) {
  return st.last_ts + std::chrono::duration_cast<std::chrono::nanoseconds>(now - st.last_frame_at).count();
}

void hand_over(live_ptr self, const live_capture_config& cfg, const call_router_actor& router) {
  auto& st = self->state;
  if (st.builder->empty())
    return;
  ++st.in_flight;
  core::batch_ptr tracked =
    credit_on_release(st.builder->take(), caf::actor_cast<live_capture_actor>(self));
  self->send(router, batch_atom::value, batch_msg{std::move(tracked), cfg.merge_slot});
}

// The wire is idle and everything read is handed over: no packet earlier than this is coming
// (live time stamps are the kernel's wall-clock time; before the first packet, the clock's).
void promise_progress(live_ptr self, const live_capture_config& cfg, const call_router_actor& router,
                      clock_type::time_point now) {
  auto& st = self->state;
  const core::timestamp_ns margin = core::timestamp_ns{cfg.progress_margin_ms} * 1'000'000;
  const core::timestamp_ns time_now =
    st.last_ts != 0 ? packet_time_now(st, now)
                    : std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  self->send(router, progress_atom::value, cfg.merge_slot, time_now - margin);
}

void check_drops(live_ptr self, const live_capture_config& cfg, const call_router_actor& router,
                 clock_type::time_point now) {
  auto& st = self->state;
  if (now - st.last_stats < milliseconds(cfg.stats_interval_ms))
    return;
  st.last_stats = now;
  const uint64_t before_k = st.drops.kernel_total(), before_i = st.drops.interface_total();
  const uint64_t fresh = st.source->take_new_drops(st.drops);
  cfg.counters->kernel_dropped += st.drops.kernel_total() - before_k;
  cfg.counters->interface_dropped += st.drops.interface_total() - before_i;
  if (fresh == 0)
    return;
  self->send(router, caploss_atom::value,
             capture_loss{st.last_ts ? packet_time_now(st, now) : 0, fresh});
}

void stop(live_ptr self, const live_capture_config& cfg, const call_router_actor& router,
          std::string error) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  hand_over(self, cfg, router);
  input_end end;
  st.builder->add_counters(end.stats);
  end.error = std::move(error);
  end.sighup = end.error.empty();
  end.merge_slot = cfg.merge_slot;
  self->send(router, eof_atom::value, std::move(end));
  self->quit();
}

void install_filter(live_ptr self, const std::string& filter) {
  std::string error;
  if (self->state.source->set_filter(filter, error))
    core::log::info("interface " + self->state.source->interface() + ": filter now '" + filter + "'");
  else
    core::log::error("interface " + self->state.source->interface() + ": " + error +
                     " (the previous filter stays)");
}

void read_some(live_ptr self, const live_capture_config& cfg, const call_router_actor& router) {
  auto& st = self->state;
  if (st.finished)
    return;
  if (cfg.counters->stop.load()) {
    stop(self, cfg, router, {});
    return;
  }
  if (cfg.counters->reload.exchange(false)) {
    std::string filter;
    {
      std::lock_guard lock(cfg.counters->filter_mutex);
      filter = cfg.counters->new_filter;
    }
    install_filter(self, filter);
  }
  if (st.in_flight >= cfg.capture.max_in_flight)
    return;  // credit comes back when a batch is released; the kernel buffer holds the rest
  const auto started = clock_type::now();
  bool idle = false;
  bool full = false;
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  // Read for at most ~50 ms so that credit, reload and eof are served promptly.
  for (int i = 0; i < 100000; ++i) {
    auto status = st.source->next(ts, data, caplen, wirelen);
    if (status == core::pcap_live_source::status::timeout) {
      idle = true;
      break;
    }
    if (status == core::pcap_live_source::status::error) {
      core::log::error(st.source->error());
      stop(self, cfg, router, st.source->error());
      return;
    }
    cfg.counters->packets.fetch_add(1, std::memory_order_relaxed);
    cfg.counters->bytes.fetch_add(wirelen, std::memory_order_relaxed);
    if (cfg.dedup) {
      auto h = core::dedup_hash(st.source->link_type(), data, caplen);
      if (h && cfg.dedup->duplicate(*h, ts)) {
        cfg.counters->duplicates.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
    }
    const auto now = clock_type::now();
    if (st.builder->empty())
      st.batch_started = now;
    if (ts > st.last_ts) {
      st.last_ts = ts;
      st.last_frame_at = now;
    }
    if (st.builder->add(ts, data, caplen, wirelen)) {
      full = true;
      break;
    }
    if ((i & 63) == 63 && now - started > milliseconds(50))
      break;
  }
  const auto now = clock_type::now();
  if (!st.builder->empty() &&
      (full || idle || now - st.batch_started >= milliseconds(cfg.flush_ms)))
    hand_over(self, cfg, router);
  if (idle && st.builder->empty() && cfg.merge_slot != unmerged_source)
    promise_progress(self, cfg, router, now);
  if (idle && st.builder->empty() && st.last_ts != 0 &&
      now - st.last_tick >= milliseconds(cfg.tick_ms)) {
    st.last_tick = now;
    self->send(router, tick_atom::value, packet_time_now(st, now));
  }
  check_drops(self, cfg, router, now);
  if (st.in_flight < cfg.capture.max_in_flight)
    self->send(self, read_atom::value);
}

}  // namespace

live_capture_actor::behavior_type
live_capture(live_capture_actor::stateful_pointer<live_capture_state> self,
             std::shared_ptr<core::pcap_live_source> source, live_capture_config cfg,
             call_router_actor router) {
  auto& st = self->state;
  const auto& c = cfg.capture;
  st.builder = std::make_unique<core::batch_builder>(source->link_type(), c.id_sensor, c.sip_ports,
                                                     c.batch_packets, c.limits, c.tcp);
  st.source = std::move(source);
  st.last_tick = st.last_stats = clock_type::now();
  self->send(self, read_atom::value);
  return {
    [=](read_atom) { read_some(self, cfg, router); },
    [=](credit_atom) {
      auto& s = self->state;
      if (s.finished)
        return;
      const bool was_blocked = s.in_flight >= cfg.capture.max_in_flight;
      --s.in_flight;
      if (was_blocked)
        self->send(self, read_atom::value);
    },
    [=](eof_atom) {
      core::log::debug("interface " + self->state.source->interface() + ": stopping");
      stop(self, cfg, router, {});
    },
    [=](reload_atom, const std::string& filter) { install_filter(self, filter); },
  };
}

}  // namespace voxmon
