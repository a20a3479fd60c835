#include "core/rtcp_report.hpp"

#include "core/rtp.hpp"

namespace voxmon::core {

namespace {

constexpr uint8_t rtcp_sr = 200, rtcp_rr = 201, rtcp_xr = 207;
constexpr uint8_t xr_voip_metrics = 7;
constexpr size_t block_size = 24;

rtcp_report_block read_block(const uint8_t* p) {
  rtcp_report_block b;
  b.ssrc = read_be32(p);
  b.fraction_lost = p[4];
  uint32_t lost = (uint32_t{p[5]} << 16) | (uint32_t{p[6]} << 8) | p[7];
  if (lost & 0x800000)
    lost |= 0xFF000000;  // sign-extend the 24-bit value
  b.cumulative_lost = static_cast<int32_t>(lost);
  b.highest_seq = read_be32(p + 8);
  b.jitter = read_be32(p + 12);
  b.lsr = read_be32(p + 16);
  b.dlsr = read_be32(p + 20);
  return b;
}

void read_xr(const uint8_t* p, size_t length, rtcp_report& out) {
  // p: the XR packet, length: its size. Blocks start after header and sender SSRC.
  size_t off = 8;
  while (length - off >= 4) {
    const uint8_t bt = p[off];
    const size_t block_len = (size_t{read_be16(p + off + 2)} + 1) * 4;
    if (block_len > length - off)
      return;
    if (bt == xr_voip_metrics && block_len >= 36) {
      const uint8_t* b = p + off;
      rtcp_xr_voip_metrics m;
      m.ssrc = read_be32(b + 4);
      m.loss_rate = b[8];
      m.discard_rate = b[9];
      m.round_trip_delay = read_be16(b + 16);
      m.end_system_delay = read_be16(b + 18);
      m.r_factor = b[24];
      m.mos_lq = b[26];
      m.mos_cq = b[27];
      out.xr_voip = m;
    }
    off += block_len;
  }
}

}  // namespace

std::optional<rtcp_report> parse_rtcp_report(std::span<const uint8_t> data) {
  if (!parse_rtcp(data))  // validates the whole compound
    return std::nullopt;
  rtcp_report r;
  size_t offset = 0;
  bool first = true;
  while (data.size() - offset >= 4) {
    const uint8_t* p = data.data() + offset;
    if ((p[0] >> 6) != 2)
      break;
    const uint8_t count = p[0] & 0x1F;
    const uint8_t type = p[1];
    const size_t length = (size_t{read_be16(p + 2)} + 1) * 4;
    if (length > data.size() - offset)
      break;
    if (first && length >= 8)
      r.sender_ssrc = read_be32(p + 4);
    size_t blocks_at = 0;
    if (type == rtcp_sr && length >= 28 + size_t{count} * block_size) {
      if (!r.has_sr) {
        r.has_sr = true;
        r.sr_ntp_middle = (read_be32(p + 8) << 16) | (read_be32(p + 12) >> 16);
      }
      blocks_at = 28;
    } else if (type == rtcp_rr && length >= 8 + size_t{count} * block_size) {
      blocks_at = 8;
    } else if (type == rtcp_xr && length >= 8) {
      read_xr(p, length, r);
    }
    if (blocks_at)
      for (size_t i = 0; i < count && r.block_count < rtcp_report::max_blocks; ++i)
        r.blocks[r.block_count++] = read_block(p + blocks_at + i * block_size);
    offset += length;
    first = false;
  }
  return r;
}

rtcp_stream_stats& rtcp_tracker::at(uint32_t ssrc) {
  for (auto& s : streams_)
    if (s.ssrc == ssrc)
      return s;
  streams_.emplace_back();
  streams_.back().ssrc = ssrc;
  return streams_.back();
}

const rtcp_stream_stats* rtcp_tracker::find(uint32_t ssrc) const {
  for (const auto& s : streams_)
    if (s.ssrc == ssrc)
      return &s;
  return nullptr;
}

void rtcp_tracker::on_report(const rtcp_report& r, timestamp_ns arrival) {
  for (size_t i = 0; i < r.block_count; ++i) {
    const auto& b = r.blocks[i];
    auto& s = at(b.ssrc);
    ++s.reports;
    s.cumulative_lost = b.cumulative_lost;
    if (b.fraction_lost > s.max_fraction_lost)
      s.max_fraction_lost = b.fraction_lost;
    s.fraction_lost_sum += b.fraction_lost;
    if (b.jitter > s.max_jitter)
      s.max_jitter = b.jitter;
    s.jitter_sum += b.jitter;
    if (b.lsr == 0)
      continue;
    // Round trip seen from the monitor: the SR passed here at `sr.arrival`, the receiver held it
    // for DLSR, its report passes here now.
    for (const auto& sr : srs_) {
      if (sr.arrival == 0 || sr.ssrc != b.ssrc || sr.ntp_middle != b.lsr)
        continue;
      const double rtt_ms = static_cast<double>(arrival - sr.arrival) / 1e6 -
                            static_cast<double>(b.dlsr) * 1000.0 / 65536.0;
      if (rtt_ms >= -1.0) {  // DLSR has 1/65536 s resolution: allow rounding
        const double v = rtt_ms < 0 ? 0.0 : rtt_ms;
        ++s.rtt_count;
        s.rtt_sum_ms += v;
        if (v > s.rtt_max_ms)
          s.rtt_max_ms = v;
      }
      break;
    }
  }
  if (r.xr_voip)
    at(r.xr_voip->ssrc).xr = r.xr_voip;
  if (r.has_sr) {
    const sr_seen seen{r.sender_ssrc, r.sr_ntp_middle, arrival};
    if (srs_.size() < max_srs)
      srs_.push_back(seen);
    else
      srs_[next_sr_] = seen;
    next_sr_ = (next_sr_ + 1) % max_srs;
  }
}

}  // namespace voxmon::core
