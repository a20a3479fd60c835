#include "core/spool_lookup.hpp"

#include <algorithm>

#include "core/pcap_writer.hpp"
#include "core/spool_index.hpp"
#include "core/spool_path.hpp"

namespace voxmon::core {

namespace fs = std::filesystem;

namespace {

void collect(const fs::path& minute_dir, const std::string& fbasename, spool_call_files& out) {
  std::error_code ec;
  for (const char* ext : {".pcap", ".pcap.gz"}) {
    const auto sip = minute_dir / "SIP" / (fbasename + ext);
    if (fs::is_regular_file(sip, ec))
      out.sip.push_back(sip);
    const auto rtp = minute_dir / "RTP" / (fbasename + ext);
    if (fs::is_regular_file(rtp, ec))
      out.rtp.push_back(rtp);
  }
}

}  // namespace

spool_call_files find_call_files(const fs::path& spooldir, std::string_view call_id,
                                 std::optional<timestamp_ns> calldate) {
  spool_call_files out;
  out.fbasename = make_fbasename(call_id);
  if (calldate) {
    collect(spooldir / spool_minute(*calldate), out.fbasename, out);
    if (!out.empty())
      return out;
  }
  spool_index index(spooldir);
  std::string error;
  std::error_code ec;
  if (!fs::is_directory(spooldir, ec) || !index.load(error))
    return out;
  for (const auto& [minute, entry] : index.snapshot())
    collect(spooldir / minute, out.fbasename, out);
  return out;
}

bool merge_call_pcap(const std::vector<fs::path>& files, std::FILE* out, std::string& error,
                     size_t* packets) {
  struct rec {
    timestamp_ns ts;
    uint32_t wirelen;
    size_t offset, len;
  };
  std::vector<uint8_t> data;
  std::vector<rec> recs;
  int link_type = -1;
  for (const auto& f : files) {
    bool mismatch = false;
    const bool ok = read_pcap_file(
      f.string(),
      [&](int lt) {
        if (link_type >= 0 && lt != link_type)
          mismatch = true;
        link_type = lt;
      },
      [&](const pcap_record& r) {
        recs.push_back({r.ts, r.wirelen, data.size(), r.data.size()});
        data.insert(data.end(), r.data.begin(), r.data.end());
      },
      error);
    if (!ok)
      return false;
    if (mismatch) {
      error = f.string() + ": link type differs from the call's other files";
      return false;
    }
  }
  std::stable_sort(recs.begin(), recs.end(), [](const rec& a, const rec& b) { return a.ts < b.ts; });
  std::vector<uint8_t> buf;
  append_pcap_header(buf, link_type < 0 ? 1 : link_type);
  bool written = true;
  for (const auto& r : recs) {
    append_pcap_record(buf, r.ts, {data.data() + r.offset, r.len}, r.wirelen);
    if (buf.size() > (1u << 20)) {
      written = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
      if (!written)
        break;
      buf.clear();
    }
  }
  if (!written || std::fwrite(buf.data(), 1, buf.size(), out) != buf.size() || std::fflush(out) != 0) {
    error = "cannot write the merged pcap";
    return false;
  }
  if (packets)
    *packets = recs.size();
  return true;
}

}  // namespace voxmon::core
