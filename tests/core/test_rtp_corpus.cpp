// rtp_stream_stats against tshark 4.0.17's `-z rtp,streams` on the public corpus
// (../shared/corpus/oracle/<capture>.rtp_streams_noheur.txt and .rtp_streams.txt).
//
// The project's packet decoder is not used here on purpose: this test pins the statistics alone,
// with a minimal frame walker (Ethernet/802.1Q/PPPoE, NULL/LOOP, Linux SLL, raw IPv4/IPv6, then
// UDP) that is enough for the captures whose RTP rides on plain UDP.
#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/net_types.hpp"
#include "core/rtp.hpp"
#include "core/rtp_stream_stats.hpp"

namespace fs = std::filesystem;
using namespace voxmon::core;

namespace {

struct udp_datagram {
  std::string src, dst;  // textual addresses as tshark prints them
  uint16_t sport = 0, dport = 0;
  const uint8_t* payload = nullptr;
  size_t length = 0;
};

std::string addr_text(int family, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes, buf, sizeof buf);
  return buf;
}

bool walk_udp(const uint8_t* p, size_t n, uint8_t proto, udp_datagram& out) {
  if (proto != 17 || n < 8)
    return false;
  const size_t udp_len = read_be16(p + 4);
  if (udp_len < 8)
    return false;
  out.sport = read_be16(p);
  out.dport = read_be16(p + 2);
  out.payload = p + 8;
  out.length = std::min(udp_len, n) - 8;
  return true;
}

bool walk_ip(const uint8_t* p, size_t n, udp_datagram& out) {
  if (n < 1)
    return false;
  if ((p[0] >> 4) == 4) {
    const size_t ihl = size_t{p[0] & 0x0Fu} * 4;
    if (n < 20 || ihl < 20 || ihl > n)
      return false;
    if ((read_be16(p + 6) & 0x3FFF) != 0)
      return false;  // fragment: not needed for the corpus RTP
    const size_t total = std::min<size_t>(read_be16(p + 2), n);
    if (total < ihl)
      return false;
    out.src = addr_text(AF_INET, p + 12);
    out.dst = addr_text(AF_INET, p + 16);
    return walk_udp(p + ihl, total - ihl, p[9], out);
  }
  if ((p[0] >> 4) == 6) {
    if (n < 40)
      return false;
    out.src = addr_text(AF_INET6, p + 8);
    out.dst = addr_text(AF_INET6, p + 24);
    size_t end = std::min<size_t>(40 + read_be16(p + 4), n);
    uint8_t next = p[6];
    size_t off = 40;
    while (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (end - off < 8)
        return false;
      const size_t len = (size_t{p[off + 1]} + 1) * 8;
      if (len > end - off)
        return false;
      next = p[off];
      off += len;
    }
    return walk_udp(p + off, end - off, next, out);
  }
  return false;
}

bool walk_ethertype(uint16_t type, const uint8_t* p, size_t n, udp_datagram& out) {
  while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
    if (n < 4)
      return false;
    type = read_be16(p + 2);
    p += 4;
    n -= 4;
  }
  if (type == 0x8864) {  // PPPoE session: 6 bytes, then the PPP protocol
    if (n < 8)
      return false;
    const uint16_t ppp = read_be16(p + 6);
    if (ppp != 0x0021 && ppp != 0x0057)
      return false;
    return walk_ip(p + 8, n - 8, out);
  }
  if (type != 0x0800 && type != 0x86DD)
    return false;
  return walk_ip(p, n, out);
}

bool walk_frame(int dlt, const uint8_t* p, size_t n, udp_datagram& out) {
  switch (dlt) {
    case DLT_EN10MB:
      return n >= 14 && walk_ethertype(read_be16(p + 12), p + 14, n - 14, out);
    case DLT_NULL:
    case DLT_LOOP:
      return n >= 4 && walk_ip(p + 4, n - 4, out);  // family word: the IP version nibble decides
    case DLT_LINUX_SLL:
      return n >= 16 && walk_ethertype(read_be16(p + 14), p + 16, n - 16, out);
    case DLT_RAW:
    case 228:  // LINKTYPE_IPV4
    case 229:  // LINKTYPE_IPV6
      return walk_ip(p, n, out);
    default:
      return false;
  }
}

// One row of tshark's rtp,streams table.
struct oracle_row {
  std::string src, dst;
  uint16_t sport = 0, dport = 0;
  uint32_t ssrc = 0;
  uint64_t pkts = 0;
  int64_t lost = 0;
  double min_jitter = 0, mean_jitter = 0, max_jitter = 0;
  std::string line;
};
using stream_key = std::tuple<std::string, uint16_t, std::string, uint16_t, uint32_t>;

// Columns: start end src sport dst dport ssrc payload... pkts lost (pct) min/mean/max delta
// min/mean/max jitter [X]. The payload name may contain spaces ("g711A, CN").
std::vector<oracle_row> read_oracle(const fs::path& file) {
  std::vector<oracle_row> rows;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> t;
    for (std::string w; ls >> w;)
      t.push_back(w);
    if (t.size() < 17 || t[6].rfind("0x", 0) != 0)
      continue;  // banner, header or empty
    if (t.back() == "X")
      t.pop_back();
    const size_t n = t.size();
    oracle_row r;
    r.src = t[2];
    r.sport = static_cast<uint16_t>(std::stoul(t[3]));
    r.dst = t[4];
    r.dport = static_cast<uint16_t>(std::stoul(t[5]));
    r.ssrc = static_cast<uint32_t>(std::stoul(t[6], nullptr, 16));
    r.max_jitter = std::stod(t[n - 1]);
    r.mean_jitter = std::stod(t[n - 2]);
    r.min_jitter = std::stod(t[n - 3]);
    r.lost = std::stoll(t[n - 8]);  // t[n - 7] is "(x.y%)"
    r.pkts = std::stoull(t[n - 9]);
    r.line = line;
    rows.push_back(r);
  }
  return rows;
}

// tshark 4.0's clock table for static payload types (G.722 runs its RTP clock at 8000).
uint32_t tshark_static_clock(uint8_t pt) {
  switch (pt) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 13:
    case 15: case 18: case 19:
      return 8000;
    case 6: return 16000;
    case 10: case 11: return 44100;
    case 16: return 11025;
    case 17: return 22050;
    case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
      return 90000;
    default: return 0;
  }
}

struct capture_case {
  const char* name;
  std::vector<std::pair<uint8_t, uint32_t>> rtpmap;  // dynamic PT -> clock, from the SDP
  const char* skip = nullptr;
};

// Every corpus capture with RTP rows in its oracle. Dynamic payload types get the clock rate
// of the capture's SDP rtpmap (telephone-event would get 0, as in tshark; none is sent here).
const std::vector<capture_case>& cases() {
  static const std::vector<capture_case> list = {
      {"sipnab-codec-negotiation.pcap", {}},
      {"sipnab-invite-opus-bye.pcap", {{96, 48000}}},
      {"sipnab-register-invite-reinvite-bye.pcap", {{96, 48000}}},
      {"sipnab-rtp-protocol.pcap", {{101, 0}}},
      {"sipnab-sip-over-tcp.pcap", {{101, 0}}},
      {"sngrep-aaa.pcap", {}},
      {"ws-Asterisk_ZFONE_XLITE.pcap", {{101, 0}, {107, 16000}}},
      {"ws-SIP_CALL_RTP_G711.pcap", {{101, 0}}},
      {"ws-h263-over-rtp.pcap", {{101, 0}}},
      {"ws-sip-rtp-g711.pcap", {{101, 0}}},
      {"ws-sip-rtp-g729a.pcap", {{101, 0}}},
      {"arkime-gtp-iphone.pcap", {}, "its RTP (AMR) is tunnelled in GTP-U: out of scope here"},
  };
  return list;
}

std::map<stream_key, rtp_stream_stats> run_capture(const fs::path& pcap_path,
                                                   const std::vector<oracle_row>& rows,
                                                   const capture_case& c) {
  std::map<stream_key, rtp_stream_stats> streams;
  for (const auto& r : rows)
    streams[{r.src, r.sport, r.dst, r.dport, r.ssrc}];
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_open_offline_with_tstamp_precision(pcap_path.c_str(),
                                                        PCAP_TSTAMP_PRECISION_NANO, err);
  REQUIRE(pc != nullptr);
  const int dlt = pcap_datalink(pc);
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(pc, &hdr, &data) == 1) {
    udp_datagram d;
    if (!walk_frame(dlt, data, hdr->caplen, d))
      continue;
    std::span<const uint8_t> payload(d.payload, d.length);
    if (looks_like_rtcp(payload))
      continue;
    const auto h = parse_rtp(payload);
    if (!h)
      continue;
    auto it = streams.find({d.src, d.sport, d.dst, d.dport, h->ssrc});
    if (it == streams.end())
      continue;
    uint32_t clock = h->payload_type < 96 ? tshark_static_clock(h->payload_type) : 0;
    for (const auto& [pt, rate] : c.rtpmap)
      if (pt == h->payload_type)
        clock = rate;
    const timestamp_ns ts = timestamp_ns{hdr->ts.tv_sec} * ns_per_second + hdr->ts.tv_usec;
    it->second.add(*h, ts, clock);
  }
  pcap_close(pc);
  return streams;
}

std::string three_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

TEST_CASE("rtp_stream_stats agrees with tshark rtp,streams on the corpus", "[rtp_corpus]") {
  const fs::path corpus = VOXMON_CORPUS_DIR;
  if (!fs::is_directory(corpus / "pcaps") || !fs::is_directory(corpus / "oracle")) {
    WARN("corpus not found at " << corpus.string() << ": skipped");
    return;
  }
  int streams_checked = 0, printed_equal = 0, printed_total = 0;
  for (const auto& c : cases()) {
    const fs::path pcap = corpus / "pcaps" / c.name;
    if (c.skip != nullptr) {
      WARN(c.name << " skipped: " << c.skip);
      continue;
    }
    REQUIRE(fs::exists(pcap));
    for (const char* kind : {".rtp_streams_noheur.txt", ".rtp_streams.txt"}) {
      const auto rows = read_oracle(corpus / "oracle" / (std::string(c.name) + kind));
      const auto ours = run_capture(pcap, rows, c);
      for (const auto& r : rows) {
        const auto& s = ours.at({r.src, r.sport, r.dst, r.dport, r.ssrc});
        INFO(c.name << kind << "\n  tshark: " << r.line << "\n  ours: pkts " << s.received()
                    << " lost " << s.lost() << " jitter min/mean/max " << s.min_jitter_ms()
                    << " / " << s.mean_jitter_ms() << " / " << s.max_jitter_ms());
        CHECK(s.received() == r.pkts);
        CHECK(s.lost() == r.lost);
        CHECK(std::fabs(s.mean_jitter_ms() - r.mean_jitter) <= 0.0015 + 0.01 * r.mean_jitter);
        CHECK(std::fabs(s.max_jitter_ms() - r.max_jitter) <= 0.0015 + 0.01 * r.max_jitter);
        CHECK(std::fabs(s.min_jitter_ms() - r.min_jitter) <= 0.0015 + 0.01 * r.min_jitter);
        for (const auto& [mine, theirs] : {std::pair{s.mean_jitter_ms(), r.mean_jitter},
                                           std::pair{s.max_jitter_ms(), r.max_jitter},
                                           std::pair{s.min_jitter_ms(), r.min_jitter}}) {
          ++printed_total;
          printed_equal += three_decimals(mine) == three_decimals(theirs) ? 1 : 0;
        }
        ++streams_checked;
      }
    }
  }
  // The aim is the very digits tshark prints, not just the tolerance.
  INFO(printed_equal << " of " << printed_total << " jitter figures print as tshark's");
  CHECK(printed_equal == printed_total);
  CHECK(streams_checked >= 40);
}
