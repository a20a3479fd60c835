#pragma once
// SIP over TCP (RFC 3261 18.3) and over cleartext WebSocket (RFC 7118): per-direction stream
// reassembly with bounded memory. Segments are put in sequence order (retransmissions dropped,
// overlaps trimmed, out-of-order segments held until the gap fills or the bound is reached);
// complete SIP messages are framed by Content-Length (parse_sip's message_length/complete())
// or by WebSocket message boundaries, and appended to the caller's arena. A connection seen
// mid-stream is picked up at the first segment that starts a SIP message. Streams end on
// FIN/RST (a partial message left over is handed out as it is) or after an idle timeout on
// packet time. Memory is allocated per stream, never per in-order segment.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/net_types.hpp"

namespace voxmon::core {

struct tcp_limits {
  size_t max_stream_bytes = 256 * 1024;        // buffered per direction (in order + held)
  size_t max_total_bytes = 64 * 1024 * 1024;   // buffered over all streams
  size_t max_streams = 65536;
  size_t max_held_segments = 64;               // out-of-order segments held per direction
  timestamp_ns idle_timeout = 300 * ns_per_second;
};

struct tcp_counters {
  uint64_t messages = 0;          // SIP messages framed (WebSocket ones included)
  uint64_t websocket = 0;         // of which carried in WebSocket frames
  uint64_t retransmissions = 0;   // segments whose bytes were all seen before
  uint64_t out_of_order = 0;      // segments held until an earlier gap filled
  uint64_t gaps = 0;              // bytes never seen: the stream resynchronised after them
  uint64_t overflow = 0;          // a memory bound was reached: buffered bytes dropped
  uint64_t expired = 0;           // streams forgotten after the idle timeout
};

struct tcp_segment {
  endpoint src;
  endpoint dst;
  uint32_t seq = 0;
  uint8_t flags = 0;  // FIN 0x01, SYN 0x02, RST 0x04
  timestamp_ns ts = 0;
  std::span<const uint8_t> data;  // must not point into the arena passed to add()
};

class tcp_reassembler {
 public:
  struct message {
    uint32_t offset;  // into the arena
    uint32_t length;
  };
  static constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04;

  explicit tcp_reassembler(tcp_limits limits = {}) : limits_(limits) {}

  // Feeds one segment. `may_start`: the segment can open a stream (it is on a SIP port, looks
  // like SIP or is a WebSocket upgrade). Returns false when its connection is not tracked (the
  // caller handles the segment as before); true when the reassembler took it, and then
  // messages() lists what it completed, appended to `arena`.
  bool add(const tcp_segment& s, bool may_start, std::vector<uint8_t>& arena);
  const std::vector<message>& messages() const { return done_; }

  // Forgets streams idle for longer than the timeout (packet time).
  void expire(timestamp_ns now);

  static bool is_websocket_upgrade(std::span<const uint8_t> data);
  size_t streams() const { return streams_.size(); }
  size_t bytes_held() const { return held_; }
  const tcp_counters& counters() const { return counters_; }

 private:
  enum class mode : uint8_t { sip, ws_handshake, ws_frames };
  struct pending {
    uint32_t seq;
    std::vector<uint8_t> data;
  };
  struct stream {
    uint32_t next_seq = 0;
    bool synced = false;
    mode kind = mode::sip;
    timestamp_ns last_ts = 0;
    std::vector<uint8_t> buf;       // in-order bytes not yet framed
    std::vector<pending> held;      // out-of-order segments
    std::vector<uint8_t> ws_msg;    // WebSocket message being assembled from fragments
    size_t held_bytes = 0;
  };
  struct key {
    endpoint src, dst;
    friend bool operator==(const key&, const key&) = default;
  };
  struct key_hash {
    size_t operator()(const key& k) const noexcept {
      return endpoint_hash{}(k.src) * 31 ^ endpoint_hash{}(k.dst);
    }
  };

  void accept(stream& st, uint32_t seq, std::span<const uint8_t> data, std::vector<uint8_t>& arena);
  void append(stream& st, std::span<const uint8_t> data, std::vector<uint8_t>& arena);
  size_t frame(stream& st, std::span<const uint8_t> data, std::vector<uint8_t>& arena);
  size_t frame_sip(stream& st, std::span<const uint8_t> data, std::vector<uint8_t>& arena);
  size_t frame_ws(stream& st, std::span<const uint8_t> data, std::vector<uint8_t>& arena);
  void emit(std::span<const uint8_t> bytes, std::vector<uint8_t>& arena);
  void reset(stream& st);  // drops buffered bytes, waits for the next message start
  void flush(stream& st, std::vector<uint8_t>& arena);
  void erase(std::unordered_map<key, stream, key_hash>::iterator it);
  size_t usage(const stream& st) const { return st.buf.size() + st.held_bytes + st.ws_msg.size(); }

  tcp_limits limits_;
  tcp_counters counters_;
  size_t held_ = 0;  // bytes buffered over all streams
  std::unordered_map<key, stream, key_hash> streams_;
  std::vector<message> done_;
};

}  // namespace voxmon::core
