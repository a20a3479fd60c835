#pragma once
// Builds Ethernet/IPv4/UDP frames and SIP/RTP payloads for tests of the call logic.
#include <cstdint>
#include <string>
#include <vector>

#include "core/batch_builder.hpp"

namespace voxmon::test {

inline void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
inline void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, static_cast<uint16_t>(x >> 16));
  put16(v, static_cast<uint16_t>(x));
}

// "10.0.0.1" style address as four bytes.
inline std::vector<uint8_t> ipv4(const std::string& text) {
  std::vector<uint8_t> out;
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    size_t next = text.find('.', pos);
    out.push_back(static_cast<uint8_t>(std::stoi(text.substr(pos, next - pos))));
    pos = next + 1;
  }
  return out;
}

inline std::vector<uint8_t> udp_frame(const std::string& src, uint16_t sport, const std::string& dst,
                                      uint16_t dport, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00};
  const auto total = static_cast<uint16_t>(20 + 8 + payload.size());
  f.insert(f.end(), {0x45, 0});
  put16(f, total);
  f.insert(f.end(), {0, 1, 0, 0, 64, 17, 0, 0});
  auto s = ipv4(src), d = ipv4(dst);
  f.insert(f.end(), s.begin(), s.end());
  f.insert(f.end(), d.begin(), d.end());
  put16(f, sport);
  put16(f, dport);
  put16(f, static_cast<uint16_t>(8 + payload.size()));
  put16(f, 0);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

inline std::vector<uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

inline std::vector<uint8_t> rtp_packet(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                                       size_t payload = 160) {
  std::vector<uint8_t> p = {0x80, pt};
  put16(p, seq);
  put32(p, ts);
  put32(p, ssrc);
  p.resize(p.size() + payload, 0xd5);
  return p;
}

// A SIP message from the caller (alice, tag a1) to the callee (bob) or back, with an optional SDP.
inline std::string sip(const std::string& start_line, const std::string& call_id, uint32_t cseq,
                       const std::string& cseq_method, const std::string& to_tag,
                       const std::string& sdp_ip = "", uint16_t sdp_port = 0,
                       const std::string& extra = "") {
  std::string body;
  if (!sdp_ip.empty())
    body = "v=0\r\no=- 1 1 IN IP4 " + sdp_ip + "\r\ns=-\r\nc=IN IP4 " + sdp_ip +
           "\r\nt=0 0\r\nm=audio " + std::to_string(sdp_port) +
           " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
  std::string m = start_line + "\r\n";
  m += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + std::to_string(cseq) + "\r\n";
  m += "From: \"Alice A\" <sip:alice@a.example>;tag=a1\r\n";
  m += "To: <sip:bob@b.example>" + (to_tag.empty() ? std::string() : ";tag=" + to_tag) + "\r\n";
  m += "Call-ID: " + call_id + "\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + cseq_method + "\r\n";
  m += extra;
  if (!body.empty())
    m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

// Collects frames into batches the way the capture does.
struct batch_maker {
  core::batch_builder builder{1, 0, {{5060, 5060}}, 100000};
  void add(int64_t ts_ms, const std::vector<uint8_t>& frame) {
    builder.add(ts_ms * 1'000'000, frame.data(), static_cast<uint32_t>(frame.size()),
                static_cast<uint32_t>(frame.size()));
  }
  core::batch_ptr take() { return builder.take(); }
};

// One answered call alice (10.0.0.1) -> bob (10.0.0.2): INVITE, 180, 200, ACK, `rtp` packets
// each way every 20 ms from t=1100 ms, BYE from the callee at `bye_ms`, 200 OK.
inline void answered_call(batch_maker& b, const std::string& call_id, int64_t t0, int rtp,
                          int64_t bye_ms) {
  const std::string a = "10.0.0.1", c = "10.0.0.2";
  b.add(t0, udp_frame(a, 5060, c, 5060, bytes(sip("INVITE sip:bob@b.example SIP/2.0", call_id, 1, "INVITE", "", a, 4000, "User-Agent: phone-a\r\n"))));
  b.add(t0 + 100, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 180 Ringing", call_id, 1, "INVITE", "b2"))));
  b.add(t0 + 1000, udp_frame(c, 5060, a, 5060, bytes(sip("SIP/2.0 200 OK", call_id, 1, "INVITE", "b2", c, 5000, "Server: pbx-b\r\n"))));
  b.add(t0 + 1010, udp_frame(a, 5060, c, 5060, bytes(sip("ACK sip:bob@b.example SIP/2.0", call_id, 1, "ACK", "b2"))));
  for (int i = 0; i < rtp; ++i) {
    b.add(t0 + 1100 + 20 * i, udp_frame(a, 4000, c, 5000, rtp_packet(0, static_cast<uint16_t>(100 + i), 160u * i, 0x1111)));
    b.add(t0 + 1105 + 20 * i, udp_frame(c, 5000, a, 4000, rtp_packet(0, static_cast<uint16_t>(7 + i), 160u * i, 0x2222)));
  }
  // The callee hangs up: its BYE carries the dialog's tags the other way round.
  std::string bye = "BYE sip:alice@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb\r\n"
                    "From: <sip:bob@b.example>;tag=b2\r\nTo: \"Alice A\" <sip:alice@a.example>;tag=a1\r\n"
                    "Call-ID: " + call_id + "\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n";
  b.add(t0 + bye_ms, udp_frame(c, 5060, a, 5060, bytes(bye)));
  std::string ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb\r\n"
                   "From: <sip:bob@b.example>;tag=b2\r\nTo: \"Alice A\" <sip:alice@a.example>;tag=a1\r\n"
                   "Call-ID: " + call_id + "\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n";
  b.add(t0 + bye_ms + 5, udp_frame(a, 5060, c, 5060, bytes(ok)));
}

}  // namespace voxmon::test
