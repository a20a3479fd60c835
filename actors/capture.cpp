#include "actors/capture.hpp"

#include "actors/batch_credit.hpp"

#include <unistd.h>

#include <cstdio>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "core/progress_bar.hpp"

namespace voxmon {

namespace {

using capture_ptr = capture_actor::stateful_pointer<capture_state>;
using clock_type = std::chrono::steady_clock;

void draw_progress(capture_ptr self, bool final) {
  auto& st = self->state;
  if (!st.show_progress)
    return;
  const auto now = clock_type::now();
  const double elapsed = std::chrono::duration<double>(now - st.started).count();
  if (!final && (elapsed < 1.0 || now - st.last_progress < std::chrono::milliseconds(200)))
    return;
  if (final && elapsed < 1.0)
    return;
  st.last_progress = now;
  const double size = static_cast<double>(st.reader->file_size());
  const double fraction =
    final && !st.stop_requested ? 1.0 : (size > 0 ? st.reader->position() / size : 0.0);
  std::fprintf(stderr, "\r%s%s",
               core::render_progress(fraction, st.reader->frames_read(), elapsed).c_str(),
               final ? "\n" : "");
  std::fflush(stderr);
}

void read_batch(capture_ptr self, const capture_config& cfg, const call_router_actor& router) {
  auto& st = self->state;
  if (st.finished || st.in_flight >= cfg.max_in_flight)
    return;
  std::string error;
  bool end = false;
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  // `eof` arrives between messages: checked once per batch, not per packet.
  if (st.stop_requested) {
    end = true;
    error = "interrupted after " + std::to_string(st.reader->frames_read()) +
            " packets: the calls in progress were closed with the sighup mark";
  } else {
    for (;;) {
      auto status = st.reader->next(ts, data, caplen, wirelen);
      if (status == core::pcap_file_reader::status::frame) {
        if (st.builder->add(ts, data, caplen, wirelen))
          break;
        continue;
      }
      end = true;
      if (status == core::pcap_file_reader::status::error)
        error = "input stopped after " + std::to_string(st.reader->frames_read()) +
                " packets: " + st.reader->error();
      break;
    }
  }
  if (!st.builder->empty()) {
    ++st.in_flight;
    core::batch_ptr tracked =
      credit_on_release(st.builder->take(), caf::actor_cast<capture_actor>(self));
    self->send(router, batch_atom::value, batch_msg{std::move(tracked)});
  }
  draw_progress(self, end);
  if (end) {
    st.finished = true;
    input_end done;
    st.builder->add_counters(done.stats);
    done.error = std::move(error);
    done.sighup = st.stop_requested;
    self->send(router, eof_atom::value, std::move(done));
    if (st.in_flight == 0)
      self->quit();
    return;
  }
  if (st.in_flight < cfg.max_in_flight)
    self->send(self, read_atom::value);
}

}  // namespace

capture_actor::behavior_type
file_capture(capture_actor::stateful_pointer<capture_state> self,
             std::shared_ptr<core::pcap_file_reader> reader, capture_config cfg,
             call_router_actor router) {
  auto& st = self->state;
  st.builder = std::make_unique<core::batch_builder>(reader->link_type(), cfg.id_sensor,
                                                     cfg.sip_ports, cfg.batch_packets,
                                                     cfg.limits, cfg.tcp);
  st.reader = std::move(reader);
  st.show_progress = cfg.progress && ::isatty(STDERR_FILENO);
  st.started = st.last_progress = clock_type::now();
  self->send(self, read_atom::value);
  return {
    [=](read_atom) { read_batch(self, cfg, router); },
    [=](credit_atom) {
      --self->state.in_flight;
      if (self->state.finished && self->state.in_flight == 0)
        self->quit();
      else
        read_batch(self, cfg, router);
    },
    [=](eof_atom) {
      if (self->state.finished)
        return;
      self->state.stop_requested = true;
      read_batch(self, cfg, router);  // or at the next credit, when the batches in flight are many
    },
  };
}

}  // namespace voxmon
