#include "gui/ladder.hpp"

#include <algorithm>
#include <map>

#include "core/packet_decoder.hpp"
#include "core/pcap_writer.hpp"
#include "core/sip_message.hpp"
#include "core/tcp_reassembler.hpp"

namespace voxmon::gui {

namespace {

constexpr size_t max_text = 64 * 1024;

struct frame {
  core::timestamp_ns ts;
  int link;
  std::vector<uint8_t> data;
  uint32_t wirelen;
};

size_t column(call_ladder& l, const std::string& host) {
  auto it = std::find(l.hosts.begin(), l.hosts.end(), host);
  if (it != l.hosts.end())
    return static_cast<size_t>(it - l.hosts.begin());
  l.hosts.push_back(host);
  return l.hosts.size() - 1;
}

// Every SIP message at the start of `data` (several when a TCP segment holds more than one).
void add_messages(call_ladder& l, std::string_view data, core::timestamp_ns ts,
                  const core::endpoint& src, const core::endpoint& dst, const char* transport) {
  bool any = false;
  while (!data.empty() && l.messages.size() < max_ladder_messages) {
    auto parsed = core::parse_sip(data);
    if (!parsed.message)
      break;
    const auto& m = *parsed.message;
    ladder_message msg;
    msg.ts_ns = ts;
    msg.src = src.to_string();
    msg.dst = dst.to_string();
    msg.src_col = column(l, msg.src);
    msg.dst_col = column(l, msg.dst);
    msg.request = m.is_request;
    msg.label = m.is_request ? std::string(m.method_token)
                             : std::to_string(m.status_code) + " " + std::string(m.reason_phrase);
    msg.cseq = std::to_string(m.cseq_number) + " " + std::string(m.cseq_method_token);
    msg.transport = transport;
    const size_t len = std::min(m.message_length ? m.message_length : data.size(), data.size());
    msg.text = std::string(data.substr(0, std::min(len, max_text)));
    l.messages.push_back(std::move(msg));
    any = true;
    if (m.message_length == 0 || m.message_length >= data.size())
      break;
    data.remove_prefix(m.message_length);
  }
  if (!any)
    ++l.not_sip;
  if (l.messages.size() >= max_ladder_messages)
    l.truncated = true;
}

}  // namespace

bool build_ladder(const std::vector<std::filesystem::path>& files, call_ladder& out,
                  std::string& error) {
  out = call_ladder{};
  std::vector<frame> frames;
  for (const auto& f : files) {
    int link = core::link_ethernet;
    const bool ok = core::read_pcap_file(
        f.string(), [&](int lt) { link = lt; },
        [&](const core::pcap_record& r) {
          frames.push_back({r.ts, link, std::vector<uint8_t>(r.data.begin(), r.data.end()), r.wirelen});
        },
        error);
    if (!ok)
      return false;
  }
  std::stable_sort(frames.begin(), frames.end(), [](const frame& a, const frame& b) { return a.ts < b.ts; });
  core::packet_decoder decoder;
  core::tcp_reassembler tcp;
  std::vector<uint8_t> arena, tcp_arena;
  uint32_t index = 0;
  for (const auto& fr : frames) {
    ++out.packets;
    core::decoded_packet p;
    arena.clear();
    if (decoder.decode(fr.link, fr.ts, fr.data, index++, p, arena, fr.wirelen) != core::decode_status::packet) {
      continue;  // a fragment waiting for the rest, or not IP
    }
    const uint8_t* base = p.payload_in_arena ? arena.data() : fr.data.data();
    const std::string_view payload(reinterpret_cast<const char*>(base + p.payload_offset), p.payload_length);
    if (p.proto == core::l4_protocol::tcp && decoder.last_has_tcp_header()) {
      tcp_arena.clear();
      core::tcp_segment seg;
      seg.src = p.src;
      seg.dst = p.dst;
      seg.seq = decoder.last_tcp_seq();
      seg.flags = decoder.last_tcp_flags();
      seg.ts = p.ts;
      seg.data = {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()};
      // The segment must not point into the reassembler's arena: it points into `fr` or `arena`.
      if (tcp.add(seg, true, tcp_arena)) {
        for (const auto& m : tcp.messages())
          add_messages(out, {reinterpret_cast<const char*>(tcp_arena.data() + m.offset), m.length},
                       p.ts, p.src, p.dst, "TCP");
        continue;
      }
      if (payload.empty())
        continue;
      add_messages(out, payload, p.ts, p.src, p.dst, "TCP");
      continue;
    }
    if (payload.empty())
      continue;
    add_messages(out, payload, p.ts, p.src, p.dst,
                 p.proto == core::l4_protocol::udp ? "UDP" : p.proto == core::l4_protocol::sctp ? "SCTP" : "IP");
  }
  return true;
}

}  // namespace voxmon::gui
