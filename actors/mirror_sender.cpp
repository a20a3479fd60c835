#include "actors/mirror_sender.hpp"

#include <caf/send.hpp>

#include <iostream>

#include "core/sensor_auth.hpp"
#include "messages/errors.hpp"

namespace voxmon {

namespace {

using sender_ptr = mirror_sender_actor::stateful_pointer<mirror_sender_state>;
using clock_type = std::chrono::steady_clock;

// A buffered frame: [first packet time or idle tick: 8][packets: 4][raw bytes: 4][link type: 4]
// [frames lost before it: 8][packets lost before it: 8][compressed: 1] then the records (Snappy's
// block, or as they are: the packer chose, core/mirror_frame.hpp). The header
// is what the frame message carries besides them. The loss totals are those when the frame was
// made, so the receiver places a loss between the frames it fell between; the packets count
// both the frames dropped here and the packets the capture dropped (kernel, interface).
constexpr size_t stored_header = 37;

void update_gauges(sender_ptr self) {
  auto& st = self->state;
  auto& c = *st.counters;
  c.buffer_memory = st.buffer->memory_bytes();
  c.buffer_disk = st.buffer->disk_bytes();
  c.buffer_frames = st.buffer->frames();
  c.outstanding = st.in_flight;
  c.lost_frames = st.buffer->lost_frames();
}

// Stores a frame (packed packets, or an empty one carrying an idle tick) in the buffer.
void store_frame(sender_ptr self, core::timestamp_ns tick) {
  auto& st = self->state;
  const uint32_t packets = static_cast<uint32_t>(st.packer->packets());
  const uint32_t raw = static_cast<uint32_t>(st.packer->raw_bytes());
  const core::timestamp_ns first = packets ? st.packer->first_ts() : tick;
  // The header, then the records (compressed in the packer's scratch, or in place): one copy,
  // into a string of exactly the frame's size (the buffer should hold no slack).
  const core::packed_records records = packets ? st.packer->finish() : core::packed_records{};
  std::string stored;
  stored.reserve(stored_header + records.bytes.size());
  core::append_le(stored, static_cast<uint64_t>(first));
  core::append_le(stored, packets);
  core::append_le(stored, raw);
  core::append_le(stored, static_cast<uint32_t>(st.frame_link_type));
  core::append_le(stored, st.buffer->lost_frames());
  core::append_le(stored, st.counters->lost_packets + st.counters->capture_dropped);
  stored.push_back(records.compressed ? '\1' : '\0');
  stored.append(records.bytes);
  auto& c = *st.counters;
  c.frames += 1;
  c.frames_compressed += records.compressed ? 1 : 0;
  c.packets += packets;
  c.raw_bytes += raw;
  c.wire_bytes += stored.size() - stored_header;
  if (!st.buffer->push(std::move(stored))) {
    c.lost_packets += packets;
    if (!st.buffer->last_error().empty())
      std::cerr << "voxmon: mirror buffer: " << st.buffer->last_error() << '\n';
  }
  update_gauges(self);
}

// The capture's drops since the last reading join the loss totals the next frame carries.
void read_capture_drops(sender_ptr self) {
  auto& st = self->state;
  st.drops_read = clock_type::now();
  st.counters->capture_dropped += st.source->take_dropped();
}

void close_frame(sender_ptr self) {
  if (!self->state.packer->empty())
    store_frame(self, 0);
}

// A file read as fast as acknowledged waits for the receiver instead of dropping: it reads no
// further while the window and as many frames again wait for the receiver.
bool must_wait(const mirror_sender_state& st, const mirror_sender_config& cfg) {
  return st.source->can_wait() && st.buffer->next_seq() - st.buffer->delivered() >= 2 * cfg.window;
}

enum class slice_end { time_up, idle, must_wait, input_over };

// Packs packets for at most ~20 ms (the clock is read per frame and per 256 packets, not per
// packet); full frames go to the buffer.
slice_end pack_packets(sender_ptr self, const mirror_sender_config& cfg, bool& got_packets) {
  auto& st = self->state;
  const auto until = clock_type::now() + std::chrono::milliseconds(20);
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;
  uint32_t caplen = 0, wirelen = 0;
  for (int n = 0;; ++n) {
    auto status = st.source->next(ts, data, caplen, wirelen);
    if (status == packet_source::status::idle)
      return slice_end::idle;
    if (status != packet_source::status::frame) {
      if (status == packet_source::status::error)
        std::cerr << "voxmon: " << st.source->error() << '\n';
      st.input_done = true;
      st.flush_deadline = clock_type::now() + cfg.flush_timeout;
      read_capture_drops(self);
      close_frame(self);
      return slice_end::input_over;
    }
    got_packets = true;
    // A frame holds packets of one link type (interfaces may differ).
    if (!st.packer->empty() && st.source->link_type() != st.frame_link_type)
      close_frame(self);
    if (st.packer->empty()) {
      st.frame_started = clock_type::now();
      st.frame_link_type = st.source->link_type();
    }
    bool closed = false;
    if (!st.packer->add(ts, data, caplen, wirelen)) {
      close_frame(self);
      st.frame_started = clock_type::now();
      st.packer->add(ts, data, caplen, wirelen);
      closed = true;
    }
    st.last_packet_ts = ts;
    if (st.packer->raw_bytes() >= cfg.frame_bytes) {
      close_frame(self);
      closed = true;
    }
    if (closed && must_wait(st, cfg))
      return slice_end::must_wait;
    if ((n & 255) == 255 && clock_type::now() >= until)
      return slice_end::time_up;
  }
}

// Reads for at most ~20 ms; frames go to the buffer. A frame open longer than frame_interval
// is closed, and an idle wire gets a tick every second.
void read_some(sender_ptr self, const mirror_sender_config& cfg) {
  auto& st = self->state;
  if (st.input_done || must_wait(st, cfg))
    return;
  bool got_packets = false;
  const auto end = pack_packets(self, cfg, got_packets);
  const auto now = clock_type::now();
  if (got_packets)
    st.last_packet_wall = now;
  if (end == slice_end::must_wait || end == slice_end::input_over)
    return;
  if (now - st.drops_read >= std::chrono::seconds(1))
    read_capture_drops(self);
  if (!st.packer->empty() && now - st.frame_started >= cfg.frame_interval)
    close_frame(self);
  // An idle wire: a tick every second moves the receiver's packet time on (calls time out).
  if (st.packer->empty() && st.last_packet_ts > 0 && now - st.last_packet_wall >= std::chrono::seconds(1)) {
    st.last_packet_ts += std::chrono::duration_cast<std::chrono::nanoseconds>(now - st.last_packet_wall).count();
    st.last_packet_wall = now;
    store_frame(self, st.last_packet_ts);
  }
}

void disconnected(sender_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.receiver)
    std::cerr << "voxmon: lost the receiver: " << why << '\n';
  st.receiver.reset();
  st.counters->connected = false;
  ++st.generation;
  st.in_flight = 0;
  st.end_sent = false;
  st.send_cursor = st.buffer->oldest_kept();
  st.backoff.failed();
  update_gauges(self);
}

void connect(sender_ptr self, const mirror_sender_config& cfg) {
  auto& st = self->state;
  std::string failures;
  auto joined = join_central_node(self->home_system(), cfg.join, st.tunnels,
                                  caf::actor_cast<caf::actor>(self), failures);
  if (joined && !joined->result.mirror)
    failures = joined->server + ": the central node does not take mirrored packets";
  if (!joined || !joined->result.mirror) {
    if (!st.reported_unreachable)
      std::cerr << "voxmon: cannot join the receiver: " << failures << " (retrying)\n";
    st.reported_unreachable = true;
    disconnected(self, failures);
    return;
  }
  st.receiver = joined->result.mirror;
  self->monitor(*st.receiver);  // a dead receiver or a broken link is noticed at once
  st.reported_unreachable = false;
  st.backoff.succeeded();
  st.counters->connected = true;
  st.counters->reconnects += 1;
  st.send_cursor = st.buffer->oldest_kept();
  std::cerr << "voxmon: mirroring to " << joined->server << " as sensor " << cfg.join.id_sensor << '\n';
}

void step(sender_ptr self, const mirror_sender_config& cfg);

void send_frames(sender_ptr self, const mirror_sender_config& cfg) {
  auto& st = self->state;
  core::shared_frame stored;
  while (st.receiver && st.in_flight < cfg.window) {
    auto seq = st.buffer->read(st.send_cursor, stored);
    if (!seq) {  // nothing kept from here on (frames dropped when the buffer was full)
      if (st.buffer->last_error().empty())
        st.send_cursor = st.buffer->next_seq();
      break;
    }
    st.send_cursor = *seq + 1;
    mirror_frame_msg m;
    m.id_sensor = cfg.join.id_sensor;
    m.epoch = st.epoch;
    m.seq = *seq;
    const auto* head = reinterpret_cast<const uint8_t*>(stored->data());
    const auto first = static_cast<core::timestamp_ns>(core::read_le64(head));
    m.packets = core::read_le32(head + 8);
    m.raw_bytes = core::read_le32(head + 12);
    m.link_type = static_cast<int32_t>(core::read_le32(head + 16));
    m.tick = m.packets ? 0 : first;
    m.lost_frames = core::read_le64(head + 20);
    m.lost_packets = core::read_le64(head + 28);
    m.compressed = head[36] != 0;
    m.payload.bytes = std::move(stored);  // shared with the buffer: not copied
    m.payload.offset = stored_header;       // the records, without the header read above
    ++st.in_flight;
    const uint64_t generation = st.generation;
    self->request(*st.receiver, cfg.request_timeout, mirror_atom::value, std::move(m))
      .then(
        [=](const mirror_ack& a) {
          auto& s = self->state;
          if (generation != s.generation)
            return;
          --s.in_flight;
          s.buffer->mark_delivered(a.delivered);
          s.buffer->mark_durable(a.durable);
          s.counters->frames_acked = a.delivered;
          update_gauges(self);
          step(self, cfg);
        },
        [=](caf::error& e) {
          if (generation != self->state.generation)
            return;
          disconnected(self, link_error_message(e));
          step(self, cfg);
        });
  }
  update_gauges(self);
  // Everything sent and acknowledged after the input ended: tell the receiver.
  if (st.receiver && st.input_done && !st.end_sent && st.in_flight == 0 &&
      st.send_cursor >= st.buffer->next_seq()) {
    st.end_sent = true;
    const uint64_t generation = st.generation;
    self->request(*st.receiver, cfg.flush_timeout, eof_atom::value,
                  mirror_end{cfg.join.id_sensor, st.epoch, st.buffer->next_seq(), st.stopped,
                             st.buffer->lost_frames(), st.counters->lost_packets})
      .then(
        [=](const mirror_ack&) {
          if (generation != self->state.generation)
            return;
          std::cerr << "voxmon: the receiver has every frame (" << self->state.buffer->next_seq()
                    << " frames, " << self->state.counters->packets << " packets)\n";
          self->state.counters->exit_code = 0;
          self->quit();
        },
        [=](caf::error& e) {
          if (generation != self->state.generation)
            return;
          disconnected(self, link_error_message(e));
          step(self, cfg);
        });
  }
}

void schedule_read(sender_ptr self, std::chrono::milliseconds delay) {
  auto& st = self->state;
  if (st.read_scheduled)
    return;
  st.read_scheduled = true;
  if (delay.count() == 0)
    self->send(self, read_atom::value);
  else
    self->delayed_send(self, delay, read_atom::value);
}

void step(sender_ptr self, const mirror_sender_config& cfg) {
  auto& st = self->state;
  read_some(self, cfg);
  if (!st.receiver && st.backoff.due())
    connect(self, cfg);
  send_frames(self, cfg);
  if (st.input_done && clock_type::now() >= st.flush_deadline) {
    std::cerr << "voxmon: " << (st.buffer->next_seq() - st.buffer->delivered())
              << " frames not acknowledged by the receiver within server_flush_timeout\n";
    st.counters->exit_code = 3;
    self->quit();
    return;
  }
  if (!st.input_done && !must_wait(st, cfg))
    schedule_read(self, std::chrono::milliseconds(0));
  else if (!st.receiver || st.input_done)
    schedule_read(self, std::chrono::milliseconds(100));  // retry the link, watch the deadline
}

}  // namespace

mirror_sender_actor::behavior_type
mirror_sender(mirror_sender_actor::stateful_pointer<mirror_sender_state> self,
              mirror_sender_config cfg, std::shared_ptr<core::mirror_buffer> buffer,
              std::shared_ptr<packet_source> source, std::shared_ptr<mirror_sender_counters> counters) {
  auto& st = self->state;
  st.buffer = std::move(buffer);
  st.source = std::move(source);
  st.counters = std::move(counters);
  st.packer = std::make_unique<core::mirror_frame_packer>(cfg.frame_bytes, cfg.compression);
  st.epoch = core::make_auth_nonce().substr(0, 16);
  st.counters->exit_code = 3;
  schedule_read(self, std::chrono::milliseconds(0));
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& s = self->state;
    if (s.receiver && down.source == s.receiver->address()) {
      disconnected(self, "the link to the receiver broke (" + error_text(down.reason) + ")");
      step(self, cfg);
    }
  });
  return {
    [=](read_atom) {
      self->state.read_scheduled = false;
      step(self, cfg);
    },
    [=](eof_atom) {  // SIGTERM: stop reading, send what is buffered, end the stream
      auto& s = self->state;
      if (s.input_done)
        return;
      s.stopped = true;
      s.input_done = true;
      s.flush_deadline = clock_type::now() + cfg.flush_timeout;
      read_capture_drops(self);
      // The last frame carries the final loss totals, even with no packet to send.
      if (s.packer->empty() && s.counters->capture_dropped > 0)
        store_frame(self, s.last_packet_ts);
      close_frame(self);
      step(self, cfg);
    },
  };
}

}  // namespace voxmon
