#include "core/remote_pcap.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/spool_lookup.hpp"

namespace voxmon::core {

namespace fs = std::filesystem;

namespace {

std::string shown(std::string_view name) {
  return std::string(name.substr(0, max_fbasename)) + (name.size() > max_fbasename ? "..." : "");
}

std::string part_text(spool_kind part) { return std::string(spool_kind_dir(part)) + " pcap"; }

}  // namespace

pcap_piece pcap_piece_failure(remote_pcap_outcome outcome, std::string error) {
  pcap_piece p;
  p.outcome = outcome;
  p.error = std::move(error);
  return p;
}

std::string byte_size_text(uint64_t bytes) {
  auto with_unit = [](uint64_t n, uint64_t unit, const char* name) {
    const uint64_t tenths = (n * 10 + unit / 2) / unit;
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") + " " + name;
  };
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  if (bytes < (uint64_t{1} << 20))
    return with_unit(bytes, 1024, "KiB");
  return with_unit(bytes, uint64_t{1} << 20, "MiB");
}

pcap_piece read_pcap_piece(const fs::path& spooldir, std::string_view sensor,
                           const pcap_piece_request& r, uint64_t max_bytes) {
  using enum remote_pcap_outcome;
  const std::string who(sensor);
  if (r.part != spool_kind::sip && r.part != spool_kind::rtp)
    return pcap_piece_failure(failed, who + ": unknown part of a call (neither SIP nor RTP)");
  // An fbasename is its own fbasename: no '/', no "..", nothing that leaves the spool.
  if (r.fbasename.empty() || make_fbasename(r.fbasename) != r.fbasename)
    return pcap_piece_failure(failed, who + ": '" + shown(r.fbasename) + "' is not the file name of a call");
  const auto found = find_call_files(spooldir, r.fbasename,
                                     r.calldate ? std::optional<timestamp_ns>(r.calldate) : std::nullopt);
  const auto& files = r.part == spool_kind::sip ? found.sip : found.rtp;
  const std::string call = "call '" + r.fbasename + "' in spool '" + spooldir.string() + "' of " + who;
  if (files.empty())
    return pcap_piece_failure(not_found, "no " + part_text(r.part) + " for " + call);
  pcap_piece p;
  p.outcome = ok;
  uint64_t total = 0;
  for (const auto& f : files) {
    std::error_code ec;
    const uint64_t size = fs::file_size(f, ec);
    if (ec)
      return pcap_piece_failure(failed, who + " cannot read '" + f.string() + "': " + ec.message());
    p.files.push_back({f.lexically_relative(spooldir).generic_string(), size});
    total += size;
  }
  if (total > max_bytes)
    return pcap_piece_failure(too_large, "the " + part_text(r.part) + " of " + call + " holds " +
                                           byte_size_text(total) + ": over the " + byte_size_text(max_bytes) +
                                           " the sensor serves (remote_pcap_max_mb); read it there with "
                                           "voxmon pcap");
  p.file = r.file;
  p.offset = r.offset;
  if (r.max_bytes == 0)
    return p;  // the listing only
  if (r.file >= p.files.size())
    return pcap_piece_failure(failed, who + ": " + call + " has " + std::to_string(p.files.size()) + " " +
                                        part_text(r.part) + " files, not a file number " + std::to_string(r.file));
  const remote_file& entry = p.files[r.file];
  if (r.offset > entry.size)
    return pcap_piece_failure(failed, who + ": byte " + std::to_string(r.offset) + " is beyond the end of '" +
                                        entry.name + "' (" + std::to_string(entry.size) + " bytes): it changed");
  const uint64_t n = std::min<uint64_t>({r.max_bytes, remote_pcap_piece_bytes, entry.size - r.offset});
  p.bytes.resize(n);
  std::ifstream in(files[r.file], std::ios::binary);
  if (!in)
    return pcap_piece_failure(failed, who + " cannot open '" + files[r.file].string() + "': " + std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(r.offset));
  in.read(p.bytes.data(), static_cast<std::streamsize>(n));
  if (static_cast<uint64_t>(in.gcount()) != n)
    return pcap_piece_failure(failed, who + " cannot read '" + files[r.file].string() +
                                        "': shorter than listed (it changed while it was read)");
  return p;
}

remote_part_download::remote_part_download(fs::path dir, std::string sensor, std::string fbasename,
                                           timestamp_ns calldate, spool_kind part, uint64_t max_bytes)
    : dir_(std::move(dir)), sensor_(std::move(sensor)), fbasename_(std::move(fbasename)),
      calldate_(calldate), part_(part), max_bytes_(max_bytes) {}

std::string remote_part_download::what() const {
  return "the " + part_text(part_) + " of call '" + fbasename_ + "' on " + sensor_;
}

std::optional<pcap_piece_request> remote_part_download::next() const {
  if (done_)
    return std::nullopt;
  return pcap_piece_request{fbasename_, calldate_, part_, file_, offset_, remote_pcap_piece_bytes};
}

void remote_part_download::fail(remote_pcap_outcome o, std::string error) {
  done_ = true;
  outcome_ = o;
  error_ = std::move(error);
  out_.close();
}

bool remote_part_download::refuse(std::string why) {
  fail(remote_pcap_outcome::failed, what() + ": " + why);
  return false;
}

bool remote_part_download::open_current() {
  out_.open(paths_[file_], std::ios::binary | std::ios::trunc);
  if (!out_) {
    fail(remote_pcap_outcome::failed, "cannot write '" + paths_[file_].string() + "': " + std::strerror(errno));
    return false;
  }
  return true;
}

void remote_part_download::advance() {
  while (file_ < listing_.size() && offset_ == listing_[file_].size) {
    out_.close();
    if (!out_) {
      fail(remote_pcap_outcome::failed, "cannot write '" + paths_[file_].string() + "'");
      return;
    }
    ++file_;
    offset_ = 0;
    if (file_ < listing_.size() && !open_current())
      return;
  }
  if (file_ == listing_.size())
    done_ = true;
}

bool remote_part_download::take(const pcap_piece& p) {
  if (done_)
    return outcome_ == remote_pcap_outcome::ok;
  if (p.outcome != remote_pcap_outcome::ok) {
    fail(p.outcome, p.error.empty() ? what() + ": refused without a reason" : p.error);
    return false;
  }
  if (!listed_) {
    if (p.files.empty()) {
      fail(remote_pcap_outcome::not_found, "no " + part_text(part_) + " of call '" + fbasename_ + "' on " + sensor_);
      return false;
    }
    uint64_t total = 0;
    for (const auto& f : p.files)
      total += f.size;
    if (total > max_bytes_) {
      fail(remote_pcap_outcome::too_large, what() + " holds " + byte_size_text(total) + ": over the " +
                                               byte_size_text(max_bytes_) +
                                               " this node fetches (remote_pcap_max_mb)");
      return false;
    }
    listing_ = p.files;
    listed_ = true;
    const std::string stem = part_ == spool_kind::sip ? "sip-" : "rtp-";
    for (size_t i = 0; i < listing_.size(); ++i)
      paths_.push_back(dir_ / (stem + std::to_string(i) + ".pcap"));
    if (!open_current())
      return false;
  } else if (p.files != listing_) {
    return refuse("its files changed while they were fetched: try again");
  }
  if (p.file != file_ || p.offset != offset_)
    return refuse("the sensor answered with another piece (file " + std::to_string(p.file) + " byte " +
                  std::to_string(p.offset) + " instead of file " + std::to_string(file_) + " byte " +
                  std::to_string(offset_) + ")");
  const uint64_t left = listing_[file_].size - offset_;
  if (p.bytes.size() > left || p.bytes.size() > remote_pcap_piece_bytes || (p.bytes.empty() && left > 0))
    return refuse("the sensor sent a piece of " + std::to_string(p.bytes.size()) + " bytes where " +
                  std::to_string(left) + " remain");
  out_.write(p.bytes.data(), static_cast<std::streamsize>(p.bytes.size()));
  if (!out_) {
    fail(remote_pcap_outcome::failed, "cannot write '" + paths_[file_].string() + "': " + std::strerror(errno));
    return false;
  }
  offset_ += p.bytes.size();
  received_ += p.bytes.size();
  advance();
  return outcome_ == remote_pcap_outcome::ok;
}

}  // namespace voxmon::core
