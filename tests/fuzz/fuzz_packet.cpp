// libFuzzer target: one input exercises the packet decoder and every text/RTP parser.
//
// The whole input is parsed as a SIP stream (parse_sip, parse_name_addr on From/To, sdp_body,
// parse_sdp), as SDP, and as RTP/RTCP. Then it is decoded as captured frames:
//   byte 0, bits 0-6: link type = links[(byte0 & 0x7f) % 6] (NULL, Ethernet, raw, SLL, SLL2, LOOP),
//                     except 0x7f: link_hep (each frame is a HEP message, as the listener gives)
//   byte 0, bit 7:    0 = the rest is one frame; 1 = the rest is a sequence of frames, each
//                     prefixed by a 16-bit big-endian length (fragments, several packets)
// Tunnels (GRE, ERSPAN, VXLAN, TZSP, GTP-U, L2TPv3, HEP) are reached through the decoder; the
// whole input after byte 0 is also a HEP-over-TCP stream cut into reads by its own bytes
// (hep_stream), every framed message decoded as link_hep. Several-frame
// inputs also go through a batch_builder with small bounds, which drives the TCP/WebSocket
// and SCTP reassemblers; every packet of the batch must have its payload inside its buffer.
// and every decoded payload is fed to the same parsers. Each frame and each payload is copied
// into its own exactly-sized buffer so AddressSanitizer sees any read past its end.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/batch_builder.hpp"
#include "core/hep_stream.hpp"
#include "core/packet_decoder.hpp"
#include "core/rtp.hpp"
#include "core/sdp.hpp"
#include "core/sip_message.hpp"

using namespace voxmon::core;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_packet invariant violated: %s\n", what);
  std::abort();
}

// True when `inner` lies inside `outer` (or is empty).
bool within(std::string_view inner, std::string_view outer) {
  return inner.empty() || (inner.data() >= outer.data() &&
                           inner.data() + inner.size() <= outer.data() + outer.size());
}

bool within_message(std::string_view v, std::string_view data, const sip_message& m) {
  return within(v, data) || (m.unfolded && within(v, *m.unfolded));
}

void exercise_sdp(std::string_view text) {
  if (auto s = parse_sdp(text)) {
    if (s->media_count > sdp_session::max_media)
      fail("sdp media_count over capacity");
    for (size_t i = 0; i < s->media_count; ++i) {
      const sdp_media& m = s->media[i];
      if (m.payload_type_count > sdp_media::max_payload_types)
        fail("sdp payload_type_count over capacity");
      if (!within(m.media, text))
        fail("sdp media view outside input");
      for (size_t k = 0; k < m.payload_type_count; ++k) {
        const auto enc = m.payload_types[k].encoding;
        if (!within(enc, text) && enc != static_payload_name(m.payload_types[k].pt))
          fail("sdp encoding view outside input");
      }
    }
  }
}

void exercise_sip(std::string_view data) {
  (void)looks_like_sip(data);
  size_t offset = 0;
  for (int n = 0; n < 64 && offset < data.size(); ++n) {
    const std::string_view rest = data.substr(offset);
    auto r = parse_sip(rest);
    if (!r.message) {
      (void)to_string(r.error);
      return;
    }
    const sip_message& m = *r.message;
    if (m.message_length == 0 || m.message_length > rest.size())
      fail("sip message_length out of range");
    for (std::string_view v : {m.method_token, m.request_uri, m.reason_phrase, m.call_id, m.from,
                               m.to, m.cseq_method_token, m.user_agent, m.server, m.content_type})
      if (!within_message(v, rest, m))
        fail("sip header view outside input");
    if (!within(m.body, rest.substr(0, m.message_length)))
      fail("sip body outside the message");
    (void)to_string(m.method);
    for (std::string_view h : {m.from, m.to}) {
      if (auto na = parse_name_addr(h)) {
        for (std::string_view v : {na->display_name, na->uri, na->user, na->host, na->tag})
          if (!within(v, h))
            fail("name_addr view outside header value");
      }
    }
    if (auto sdp = sdp_body(m)) {
      if (!within(*sdp, m.body))
        fail("sdp_body outside the body");
      exercise_sdp(*sdp);
    }
    offset += m.message_length;
  }
}

void exercise_rtp(std::span<const uint8_t> data) {
  if (auto h = parse_rtp(data)) {
    if (uint64_t{h->payload_offset} + h->payload_length > data.size())
      fail("rtp payload outside the packet");
  }
  (void)looks_like_rtcp(data);
  (void)parse_rtcp(data);
}

void exercise_payload(std::span<const uint8_t> payload) {
  // Own buffer: reads past the payload end are caught even when the frame goes on.
  const std::vector<uint8_t> copy(payload.begin(), payload.end());
  exercise_sip(std::string_view(reinterpret_cast<const char*>(copy.data()), copy.size()));
  exercise_rtp(copy);
}

int link_of(uint8_t byte0, const int (&links)[6]) {
  const int v = byte0 & 0x7f;
  return v == 0x7f ? link_hep : links[v % 6];
}

// The input after byte 0 as one HEP3 TCP stream; read sizes come from the bytes themselves
// (low 6 bits + 1 of the first byte of each read), so messages split and coalesce.
void hep_stream_feed(const uint8_t* data, size_t size) {
  hep_stream stream(1024);
  std::vector<std::span<const uint8_t>> out;
  packet_decoder decoder;
  std::vector<uint8_t> arena;
  size_t pos = 1, handed = 0;
  while (pos < size) {
    const size_t len = std::min<size_t>((data[pos] & 0x3f) + 1, size - pos);
    const std::vector<uint8_t> read(data + pos, data + pos + len);
    pos += len;
    if (stream.feed(read.data(), read.size(), out) != hep_stream::result::ok)
      return;
    for (auto m : out) {
      if (m.size() < 6 || m.size() > 1024 || m[0] != 'H' || m[3] != '3' ||
          ((size_t{m[4]} << 8) | m[5]) != m.size())
        fail("hep_stream handed out a message that is not one HEP3 message");
      handed += m.size();
      const std::vector<uint8_t> frame(m.begin(), m.end());
      decoded_packet p;
      arena.clear();
      if (decoder.decode(link_hep, 0, frame, 0, p, arena) == decode_status::packet) {
        const size_t buffer = p.payload_in_arena ? arena.size() : frame.size();
        if (uint64_t{p.payload_offset} + p.payload_length > buffer)
          fail("HEP payload outside its buffer");
      }
    }
    if (handed + stream.buffered() != pos - 1)
      fail("hep_stream lost or invented bytes");
  }
}

void decode_frames(const uint8_t* data, size_t size) {
  static constexpr int links[] = {link_null,      link_ethernet,   link_raw,
                                  link_linux_sll, link_linux_sll2, link_loop};
  const int link = link_of(data[0], links);
  const bool multi = (data[0] & 0x80) != 0;
  packet_decoder decoder;
  std::vector<uint8_t> arena;
  size_t pos = 1;
  uint32_t index = 0;
  while (pos < size && index < 256) {
    size_t len = size - pos;
    if (multi) {
      if (size - pos < 2)
        break;
      len = std::min<size_t>((size_t{data[pos]} << 8) | data[pos + 1], size - pos - 2);
      pos += 2;
    }
    const std::vector<uint8_t> frame(data + pos, data + pos + len);
    pos += len;
    decoded_packet out;
    const timestamp_ns ts = timestamp_ns{index} * 1'000'000;
    const auto status = decoder.decode(link, ts, frame, index, out, arena);
    ++index;
    if (status != decode_status::packet)
      continue;
    const std::span<const uint8_t> buffer =
        out.payload_in_arena ? std::span<const uint8_t>(arena) : std::span<const uint8_t>(frame);
    if (uint64_t{out.payload_offset} + out.payload_length > buffer.size())
      fail("decoded payload outside its buffer");
    exercise_payload(buffer.subspan(out.payload_offset, out.payload_length));
    if (!multi)
      break;
  }
  decoder.expire(timestamp_ns{index + 1} * 1'000'000 + 3600 * ns_per_second);
}

void build_batch(const uint8_t* data, size_t size) {
  static constexpr int links[] = {link_null,      link_ethernet,   link_raw,
                                  link_linux_sll, link_linux_sll2, link_loop};
  tcp_limits tcp;
  tcp.max_stream_bytes = 2048;
  tcp.max_total_bytes = 4096;
  tcp.max_streams = 8;
  tcp.max_held_segments = 4;
  tcp.idle_timeout = 50'000'000;
  batch_builder builder(link_of(data[0], links), 0, {{5060, 5060}}, 1024, {}, tcp);
  size_t pos = 1;
  uint32_t index = 0;
  while (pos + 2 <= size && index < 256) {
    const size_t len = std::min<size_t>((size_t{data[pos]} << 8) | data[pos + 1], size - pos - 2);
    pos += 2;
    const std::vector<uint8_t> frame(data + pos, data + pos + len);
    pos += len;
    builder.add(timestamp_ns{index} * 10'000'000, frame.data(), static_cast<uint32_t>(len),
                static_cast<uint32_t>(len));
    ++index;
  }
  const auto batch = builder.take();
  if (batch->classes.size() != batch->packets.size())
    fail("batch classes and packets differ");
  for (const auto& p : batch->packets) {
    if (p.frame_index >= batch->frames.size())
      fail("packet frame index outside the batch");
    const size_t buffer = p.payload_in_arena ? batch->arena.size() : batch->frames[p.frame_index].caplen;
    if (uint64_t{p.payload_offset} + p.payload_length > buffer)
      fail("batch payload outside its buffer");
    exercise_payload(batch->payload(p));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exercise_sip(std::string_view(reinterpret_cast<const char*>(data), size));
  exercise_sdp(std::string_view(reinterpret_cast<const char*>(data), size));
  exercise_rtp(std::span<const uint8_t>(data, size));
  if (size > 0) {
    decode_frames(data, size);
    hep_stream_feed(data, size);
  }
  if (size > 0 && (data[0] & 0x80))
    build_batch(data, size);
  return 0;
}
