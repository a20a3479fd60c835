#include "store/mysql_quality.hpp"

#include <algorithm>
#include <cmath>

#include "store/cdr_json.hpp"
#include "store/mysql_sink.hpp"

namespace voxmon::store {
namespace {

constexpr const char* buffer_names[core::jb_count] = {"f1", "f2", "adapt"};
constexpr const char* delay_names[7] = {"d50", "d70", "d90", "d120", "d150", "d200", "d300"};

constexpr const char* tiny = "TINYINT UNSIGNED NULL";
constexpr const char* small = "SMALLINT UNSIGNED NULL";
constexpr const char* medium = "MEDIUMINT UNSIGNED NULL";
constexpr const char* uint32_type = "INT UNSIGNED NULL";

constexpr uint64_t tiny_max = 255, small_max = 65535, medium_max = 16777215,
                   uint32_max = 4294967295u;

void stream_columns(std::vector<quality_column>& v, const std::string& p, bool per_stream) {
  for (const char* b : buffer_names) {
    v.push_back({p + "mos_" + b + "_mult10", tiny});
    v.push_back({p + "mos_" + b + "_min_mult10", tiny});
  }
  v.push_back({p + "mos_min_mult10", tiny});
  if (per_stream)
    for (const char* b : buffer_names)
      v.push_back({std::string(b) + "_late", uint32_type});
  for (int i = 1; i <= 10; ++i)
    v.push_back({p + "sl" + std::to_string(i), medium});
  for (const char* d : delay_names)
    v.push_back({p + d, medium});
  v.push_back({p + "packet_loss_perc_mult1000", medium});
  v.push_back({p + "reordered", uint32_type});
  v.push_back({p + "duplicates", uint32_type});
  v.push_back({p + "codec", "VARCHAR(32) NULL"});
  v.push_back({p + "rtp_ptime", tiny});
  v.push_back({p + "cn", tiny});
  v.push_back({p + "srtp", tiny});
}

void rtcp_columns(std::vector<quality_column>& v, const std::string& p, bool per_stream) {
  if (per_stream)
    v.push_back({p + "rtcp_reports", uint32_type});
  v.push_back({p + "rtcp_loss", "INT NULL"});
  v.push_back({p + "rtcp_maxfr", small});
  v.push_back({p + "rtcp_avgfr_mult10", small});
  v.push_back({p + "rtcp_maxjitter", small});
  v.push_back({p + "rtcp_avgjitter_mult10", small});
  v.push_back({p + "rtcp_avgrtd_mult10", medium});
  v.push_back({p + "rtcp_maxrtd_mult10", medium});
  if (per_stream) {
    v.push_back({p + "rtcp_xr_mos_lq_mult10", tiny});
    v.push_back({p + "rtcp_xr_mos_cq_mult10", tiny});
    v.push_back({p + "rtcp_xr_r_factor", tiny});
  }
}

// Appends values, saturated to the column's range (a figure from a garbled RTCP report must
// not get the whole CDR refused).
struct row {
  std::vector<sql_value>& o;
  void null() { o.push_back(sql_value::null()); }
  void num(int64_t v) { o.push_back(sql_value::integer(v)); }
  void unsig(double v, uint64_t max) {
    if (!(v > 0))  // also NaN
      return num(0);
    num(static_cast<int64_t>(std::min<double>(std::llround(std::min(v, 1e18)),
                                              static_cast<double>(max))));
  }
  void opt_unsig(bool present, double v, uint64_t max) { present ? unsig(v, max) : null(); }
};

void stream_values(row& r, const core::cdr_rtp_stream* s, bool per_stream) {
  for (size_t b = 0; b < core::jb_count; ++b) {
    const bool ok = s && s->quality.jb[b].intervals > 0;
    r.opt_unsig(ok, ok ? s->quality.jb[b].mos_avg * 10 : 0, tiny_max);
    r.opt_unsig(ok, ok ? s->quality.jb[b].mos_min * 10 : 0, tiny_max);
  }
  const auto m = s ? core::stream_mos_min(*s) : std::nullopt;
  r.opt_unsig(m.has_value(), m ? *m * 10 : 0, tiny_max);
  if (per_stream)
    for (size_t b = 0; b < core::jb_count; ++b)
      r.unsig(static_cast<double>(s->quality.jb[b].late), uint32_max);
  for (size_t i = 0; i < 10; ++i)
    r.opt_unsig(s, s ? static_cast<double>(s->quality.sl[i]) : 0, medium_max);
  for (size_t i = 0; i < 7; ++i)
    r.opt_unsig(s, s ? static_cast<double>(s->quality.delay[i]) : 0, medium_max);
  r.opt_unsig(s, s ? s->quality.packet_loss_perc * 1000 : 0, medium_max);
  r.opt_unsig(s, s ? static_cast<double>(s->quality.reordered) : 0, uint32_max);
  r.opt_unsig(s, s ? static_cast<double>(s->quality.duplicates) : 0, uint32_max);
  if (s && !s->codec.empty())
    r.o.push_back(sql_value::text(mysql_text(s->codec, 32)));
  else
    r.null();
  r.opt_unsig(s && s->quality.ptime_ms, s ? s->quality.ptime_ms : 0, tiny_max);
  r.opt_unsig(s, s && s->quality.comfort_noise ? 1 : 0, tiny_max);
  r.opt_unsig(s, s && s->srtp ? 1 : 0, tiny_max);
}

void rtcp_values(row& r, const core::cdr_rtcp* c, bool per_stream) {
  if (per_stream)
    r.opt_unsig(c, c ? c->reports : 0, uint32_max);
  if (c)
    r.num(c->loss);
  else
    r.null();
  r.opt_unsig(c, c ? c->max_fraction_lost : 0, small_max);
  r.opt_unsig(c, c ? c->avg_fraction_lost * 10 : 0, small_max);
  r.opt_unsig(c, c ? c->max_jitter_ms : 0, small_max);
  r.opt_unsig(c, c ? c->avg_jitter_ms * 10 : 0, small_max);
  const bool rtt = c && c->rtt_count > 0;
  r.opt_unsig(rtt, rtt ? c->avg_rtt_ms * 10 : 0, medium_max);
  r.opt_unsig(rtt, rtt ? c->max_rtt_ms * 10 : 0, medium_max);
  if (per_stream) {
    r.opt_unsig(c && c->xr_mos_lq, c && c->xr_mos_lq ? *c->xr_mos_lq * 10 : 0, tiny_max);
    r.opt_unsig(c && c->xr_mos_cq, c && c->xr_mos_cq ? *c->xr_mos_cq * 10 : 0, tiny_max);
    r.opt_unsig(c && c->xr_r_factor, c && c->xr_r_factor ? *c->xr_r_factor : 0, tiny_max);
  }
}

}  // namespace

const std::vector<quality_column>& cdr_quality_columns() {
  static const std::vector<quality_column> cols = [] {
    std::vector<quality_column> v;
    for (const char* side : {"a_", "b_"}) {
      stream_columns(v, side, false);
      rtcp_columns(v, side, false);
    }
    v.push_back({"mos_min_mult10", tiny});
    v.push_back({"capture_loss", tiny});               // voxmon: 0/1
    v.push_back({"capture_dropped", "BIGINT UNSIGNED NULL"});  // voxmon: packets
    v.push_back({"sighup", tiny});                     // VoIPmonitor: closed by a sensor stop
    return v;
  }();
  return cols;
}

const std::vector<quality_column>& rtp_quality_columns() {
  static const std::vector<quality_column> cols = [] {
    std::vector<quality_column> v;
    stream_columns(v, "", true);
    rtcp_columns(v, "", true);
    // JSON text of up to 1440 intervals (~90 bytes each): beyond TEXT's 64 KB.
    v.push_back({"intervals", "MEDIUMTEXT NULL", 4});
    return v;
  }();
  return cols;
}

std::string column_list(const std::vector<quality_column>& cols) {
  std::string out;
  for (const auto& c : cols)
    out += ",`" + c.name + "`";
  return out;
}

void append_cdr_quality(std::vector<sql_value>& out, const core::cdr& c) {
  const auto a = core::summarize_direction(c, core::party::caller);
  const auto b = core::summarize_direction(c, core::party::callee);
  row r{out};
  // a_rtcp_*: what the caller reported, i.e. RTCP about the callee's main stream.
  stream_values(r, a.stream, false);
  rtcp_values(r, b.stream && b.stream->rtcp ? &*b.stream->rtcp : nullptr, false);
  stream_values(r, b.stream, false);
  rtcp_values(r, a.stream && a.stream->rtcp ? &*a.stream->rtcp : nullptr, false);
  const auto m = core::call_mos_min(c);
  r.opt_unsig(m.has_value(), m ? *m * 10 : 0, tiny_max);
  r.num(c.capture_loss ? 1 : 0);
  r.unsig(static_cast<double>(c.capture_dropped), uint64_t{1} << 53);
  r.num(c.sighup ? 1 : 0);
}

void append_stream_quality(std::vector<sql_value>& out, const core::cdr_rtp_stream& s) {
  row r{out};
  stream_values(r, &s, true);
  rtcp_values(r, s.rtcp ? &*s.rtcp : nullptr, true);
  out.push_back(sql_value::text(intervals_json_text(s.quality.intervals)));
}

}  // namespace voxmon::store
