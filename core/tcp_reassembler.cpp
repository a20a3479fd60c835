#include "core/tcp_reassembler.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/sip_message.hpp"

namespace voxmon::core {

namespace {
constexpr size_t not_framable = SIZE_MAX;   // the bytes are not what the stream should carry
constexpr size_t max_start_line = 8192;     // a start line longer than this is not SIP
constexpr size_t max_http_headers = 16384;  // WebSocket handshake
constexpr size_t max_header_bytes = 65536;  // SIP header block

std::string_view text(std::span<const uint8_t> d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

bool starts_with(std::span<const uint8_t> d, std::string_view prefix) {
  return text(d).substr(0, prefix.size()) == prefix;
}

// Plausible first byte pair of an unfragmented text/binary WebSocket frame (resync after a gap).
bool looks_like_ws_frame(std::span<const uint8_t> d) {
  if (d.size() < 2)
    return false;
  const unsigned op = d[0] & 0x0f;
  return (d[0] & 0x70) == 0 && (op == 1 || op == 2);
}
// The text after CRLF keep-alives.
std::string_view after_crlf(std::span<const uint8_t> d) {
  std::string_view t = text(d);
  while (!t.empty() && (t.front() == '\r' || t.front() == '\n'))
    t.remove_prefix(1);
  return t;
}
}  // namespace

bool tcp_reassembler::is_websocket_upgrade(std::span<const uint8_t> data) {
  if (!starts_with(data, "GET "))
    return false;
  std::string_view t = text(data).substr(0, max_http_headers);
  const auto end = t.find("\r\n\r\n");
  t = t.substr(0, end);
  constexpr std::string_view needle = "upgrade: websocket";
  if (t.size() < needle.size())
    return false;
  for (size_t i = 0; i + needle.size() <= t.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() &&
           static_cast<char>(std::tolower(static_cast<unsigned char>(t[i + k]))) == needle[k])
      ++k;
    if (k == needle.size())
      return true;
  }
  return false;
}

bool tcp_reassembler::add(const tcp_segment& s, bool may_start, std::vector<uint8_t>& arena) {
  done_.clear();
  const key k{s.src, s.dst};
  auto it = streams_.find(k);
  if (it == streams_.end()) {
    if (!may_start && !is_websocket_upgrade(s.data))
      return false;
    if (streams_.size() + 2 > limits_.max_streams) {
      ++counters_.overflow;
      return false;
    }
    if (is_websocket_upgrade(s.data)) {
      // The server's "101 Switching Protocols" comes on the reverse direction.
      auto [rit, fresh] = streams_.try_emplace(key{s.dst, s.src});
      if (!fresh) {
        held_ -= usage(rit->second);
        reset(rit->second);
      }
      rit->second.kind = mode::ws_handshake;
      rit->second.last_ts = s.ts;
      it = streams_.try_emplace(k).first;
      it->second.kind = mode::ws_handshake;
    } else {
      it = streams_.try_emplace(k).first;
    }
  }
  stream& st = it->second;
  const size_t before = usage(st);
  st.last_ts = s.ts;
  if (s.flags & syn) {  // a new connection: the stream starts at a message boundary
    reset(st);
    st.synced = true;
    st.next_seq = s.seq + 1;
  } else if (!s.data.empty()) {
    if (!st.synced) {
      const bool start = st.kind == mode::sip          ? looks_like_sip(after_crlf(s.data))
                         : st.kind == mode::ws_frames ? looks_like_ws_frame(s.data)
                                                       : starts_with(s.data, "GET ") ||
                                                           starts_with(s.data, "HTTP/1.");
      if (start) {
        st.synced = true;
        st.next_seq = s.seq;
      }
    }
    if (st.synced)
      accept(st, s.seq, s.data, arena);
  }
  held_ = held_ + usage(st) - before;
  if (held_ > limits_.max_total_bytes) {
    ++counters_.overflow;
    held_ -= usage(st);
    reset(st);
  }
  if (s.flags & (fin | rst)) {
    flush(st, arena);
    erase(it);
    if (s.flags & rst)
      if (auto r = streams_.find(key{s.dst, s.src}); r != streams_.end())
        erase(r);
  }
  return true;
}

void tcp_reassembler::accept(stream& st, uint32_t seq, std::span<const uint8_t> data,
                             std::vector<uint8_t>& arena) {
  const auto ahead = static_cast<int32_t>(seq - st.next_seq);
  if (ahead < 0) {  // retransmission, possibly with new bytes at its end
    const size_t seen = static_cast<size_t>(-static_cast<int64_t>(ahead));
    if (seen >= data.size()) {
      ++counters_.retransmissions;
      return;
    }
    data = data.subspan(seen);
  } else if (ahead > 0) {  // a gap: hold the segment until the gap fills
    for (const auto& h : st.held)
      if (h.seq == seq && h.data.size() >= data.size()) {
        ++counters_.retransmissions;
        return;
      }
    if (st.held.size() < limits_.max_held_segments &&
        usage(st) + data.size() <= limits_.max_stream_bytes) {
      st.held.push_back({seq, std::vector<uint8_t>(data.begin(), data.end())});
      st.held_bytes += data.size();
      ++counters_.out_of_order;
      return;
    }
    // The missing bytes are not coming: skip them and pick up at the next message start.
    ++counters_.gaps;
    reset(st);
    if (st.kind == mode::sip ? !looks_like_sip(after_crlf(data)) : !looks_like_ws_frame(data))
      return;
    st.synced = true;
  }
  st.next_seq = (ahead < 0 ? st.next_seq : seq) + static_cast<uint32_t>(data.size());
  append(st, data, arena);
  // Held segments that now continue the stream.
  for (bool progress = true; progress && st.synced && !st.held.empty();) {
    progress = false;
    for (size_t i = 0; i < st.held.size(); ++i) {
      const auto d = static_cast<int32_t>(st.held[i].seq - st.next_seq);
      if (d > 0)
        continue;
      pending h = std::move(st.held[i]);
      st.held.erase(st.held.begin() + static_cast<std::ptrdiff_t>(i));
      st.held_bytes -= h.data.size();
      const size_t skip = static_cast<size_t>(-static_cast<int64_t>(d));
      if (skip < h.data.size()) {
        st.next_seq += static_cast<uint32_t>(h.data.size() - skip);
        append(st, std::span<const uint8_t>(h.data).subspan(skip), arena);
      } else {
        ++counters_.retransmissions;
      }
      progress = true;
      break;
    }
  }
}

void tcp_reassembler::append(stream& st, std::span<const uint8_t> data,
                             std::vector<uint8_t>& arena) {
  if (st.buf.empty()) {  // the common case: frame straight from the segment
    const size_t used = frame(st, data, arena);
    if (used == not_framable) {
      ++counters_.gaps;
      reset(st);
      return;
    }
    if (used < data.size())
      st.buf.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
  } else {
    st.buf.insert(st.buf.end(), data.begin(), data.end());
    const size_t used = frame(st, st.buf, arena);
    if (used == not_framable) {
      ++counters_.gaps;
      reset(st);
      return;
    }
    st.buf.erase(st.buf.begin(), st.buf.begin() + static_cast<std::ptrdiff_t>(used));
  }
  if (usage(st) > limits_.max_stream_bytes) {
    ++counters_.overflow;
    reset(st);
  }
}

size_t tcp_reassembler::frame(stream& st, std::span<const uint8_t> data,
                              std::vector<uint8_t>& arena) {
  return st.kind == mode::sip ? frame_sip(st, data, arena) : frame_ws(st, data, arena);
}

size_t tcp_reassembler::frame_sip(stream&, std::span<const uint8_t> data,
                                  std::vector<uint8_t>& arena) {
  const std::string_view all = text(data);
  size_t pos = 0;
  while (pos < all.size()) {
    while (pos < all.size() && (all[pos] == '\r' || all[pos] == '\n'))  // keep-alives
      ++pos;
    if (pos == all.size())
      break;
    const std::string_view rest = all.substr(pos);
    if (rest.find('\n') == std::string_view::npos) {  // the start line is not complete yet
      if (rest.size() > max_start_line)
        return not_framable;
      break;
    }
    if (!looks_like_sip(rest))
      return not_framable;
    if (rest.find("\r\n\r\n") == std::string_view::npos &&
        rest.find("\n\n") == std::string_view::npos) {  // headers not complete yet
      if (rest.size() > max_header_bytes)
        return not_framable;
      break;
    }
    const auto parsed = parse_sip(rest);
    if (!parsed.message)
      return not_framable;
    const sip_message& m = *parsed.message;
    if (!m.complete() || m.message_length == 0 || m.message_length > rest.size())
      break;  // wait for the rest of the message
    emit(data.subspan(pos, m.message_length), arena);
    pos += m.message_length;
  }
  return pos;
}

size_t tcp_reassembler::frame_ws(stream& st, std::span<const uint8_t> data,
                                 std::vector<uint8_t>& arena) {
  size_t pos = 0;
  if (st.kind == mode::ws_handshake) {
    const std::string_view t = text(data);
    const auto end = t.find("\r\n\r\n");
    if (end == std::string_view::npos)
      return t.size() > max_http_headers ? not_framable : 0;
    pos = end + 4;
    st.kind = mode::ws_frames;
  }
  for (;;) {
    const size_t avail = data.size() - pos;
    if (avail < 2)
      break;
    const uint8_t* f = data.data() + pos;
    const bool final = (f[0] & 0x80) != 0;
    const unsigned op = f[0] & 0x0f;
    const bool masked = (f[1] & 0x80) != 0;
    uint64_t len = f[1] & 0x7f;
    size_t header = 2;
    if (len == 126) {
      if (avail < 4)
        break;
      len = read_be16(f + 2);
      header = 4;
    } else if (len == 127) {
      if (avail < 10)
        break;
      len = (uint64_t{read_be32(f + 2)} << 32) | read_be32(f + 6);
      header = 10;
    }
    if (masked)
      header += 4;
    if ((op > 2 && op < 8) || op > 10 || len > limits_.max_stream_bytes)
      return not_framable;
    if (avail < header || avail - header < len)
      break;  // wait for the whole frame
    const uint8_t* payload = f + header;
    if (op <= 2) {  // continuation, text, binary
      if (st.ws_msg.size() + len > limits_.max_stream_bytes)
        return not_framable;
      const size_t at = st.ws_msg.size();
      st.ws_msg.resize(at + len);
      for (size_t i = 0; i < len; ++i)
        st.ws_msg[at + i] = masked ? payload[i] ^ f[header - 4 + (i & 3)] : payload[i];
      if (final) {
        emit(st.ws_msg, arena);
        ++counters_.websocket;
        st.ws_msg.clear();
      }
    }  // close, ping, pong: nothing to analyse
    pos += header + static_cast<size_t>(len);
  }
  return pos;
}

void tcp_reassembler::emit(std::span<const uint8_t> bytes, std::vector<uint8_t>& arena) {
  if (bytes.empty())
    return;
  done_.push_back({static_cast<uint32_t>(arena.size()), static_cast<uint32_t>(bytes.size())});
  arena.insert(arena.end(), bytes.begin(), bytes.end());
  ++counters_.messages;
}

void tcp_reassembler::reset(stream& st) {
  st.buf.clear();
  st.held.clear();
  st.held_bytes = 0;
  st.ws_msg.clear();
  st.synced = false;
}

void tcp_reassembler::flush(stream& st, std::vector<uint8_t>& arena) {
  // What is left at the end of a connection is an incomplete message: hand it out as it is,
  // the router parses what it can (as it did with single segments).
  if (st.synced && st.kind == mode::sip && !st.buf.empty()) {
    size_t start = 0;
    while (start < st.buf.size() && (st.buf[start] == '\r' || st.buf[start] == '\n'))
      ++start;
    emit(std::span<const uint8_t>(st.buf).subspan(start), arena);
  }
}

void tcp_reassembler::erase(std::unordered_map<key, stream, key_hash>::iterator it) {
  held_ -= usage(it->second);
  streams_.erase(it);
}

void tcp_reassembler::expire(timestamp_ns now) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (now - it->second.last_ts > limits_.idle_timeout) {
      ++counters_.expired;
      held_ -= usage(it->second);
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace voxmon::core
