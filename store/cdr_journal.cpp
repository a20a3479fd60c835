#include "store/cdr_journal.hpp"

#include "core/net_types.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/cdr_decode.hpp"
#include "store/cdr_json.hpp"

namespace voxmon::store {
namespace {

constexpr uint32_t max_record = 64u << 20;  // a CDR is never this large: corrupt length

uint32_t crc_of(const std::string& s) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

std::string sys_error(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

fsync_policy parse_fsync_policy(const std::string& text) {
  if (text == "always")
    return fsync_policy::always;
  if (text == "batch")
    return fsync_policy::batch;
  return fsync_policy::none;
}

std::unique_ptr<cdr_journal> cdr_journal::open(const std::string& path, fsync_policy policy,
                                               std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = sys_error("cannot open the CDR journal", path);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = sys_error("cannot stat the CDR journal", path);
    ::close(fd);
    return nullptr;
  }
  // A record torn by a crash while appending is cut off, so new records stay readable.
  uint64_t good = 0, records = 0;
  {
    std::ifstream in(path, std::ios::binary);
    unsigned char head[8];
    while (good < static_cast<uint64_t>(st.st_size) && in.read(reinterpret_cast<char*>(head), 8)) {
      const uint64_t len = core::read_le32(head);
      if (len > max_record || good + 8 + len > static_cast<uint64_t>(st.st_size))
        break;
      in.seekg(static_cast<std::streamoff>(len), std::ios::cur);
      good += 8 + len;
      ++records;
    }
  }
  if (good < static_cast<uint64_t>(st.st_size) && ::ftruncate(fd, static_cast<off_t>(good)) != 0) {
    error = sys_error("cannot repair the CDR journal", path);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<cdr_journal>(new cdr_journal(fd, path, policy, good, records));
}

cdr_journal::~cdr_journal() { ::close(fd_); }

std::string cdr_journal::append(std::span<const core::cdr> batch) {
  std::string buf;
  uint64_t in_buf = 0;
  for (const auto& c : batch) {
    const std::string payload = encode_cdr(c);
    core::append_le(buf, static_cast<uint32_t>(payload.size()));
    core::append_le(buf, crc_of(payload));
    buf += payload;
    ++in_buf;
    if (policy_ == fsync_policy::always) {
      if (!write_all(fd_, buf) || ::fdatasync(fd_) != 0)
        return sys_error("cannot write the CDR journal", path_);
      size_ += buf.size();
      ++records_;
      buf.clear();
      in_buf = 0;
    }
  }
  if (!buf.empty() && !write_all(fd_, buf))
    return sys_error("cannot write the CDR journal", path_);
  size_ += buf.size();
  records_ += in_buf;
  if (policy_ == fsync_policy::batch && ::fdatasync(fd_) != 0)
    return sys_error("cannot sync the CDR journal", path_);
  return {};
}

std::vector<core::cdr> cdr_journal::read(uint64_t offset, size_t max, uint64_t& next,
                                         std::string& warning) {
  std::vector<core::cdr> out;
  next = offset;
  std::ifstream in(path_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  while (out.size() < max && next < size_) {
    unsigned char head[8];
    if (!in.read(reinterpret_cast<char*>(head), 8))
      break;  // torn header at the end
    const uint32_t len = core::read_le32(head);
    const uint32_t crc = core::read_le32(head + 4);
    if (len > max_record) {
      warning = "CDR journal '" + path_ + "': bad record length at byte " + std::to_string(next) +
                "; the rest of the file is not read";
      break;
    }
    std::string payload(len, '\0');
    if (!in.read(payload.data(), len))
      break;  // torn record at the end (a crash while appending)
    std::string err;
    std::optional<core::cdr> c;
    if (crc_of(payload) == crc)
      c = decode_cdr(payload, err);
    else
      err = "checksum mismatch";
    if (!c) {
      warning = "CDR journal '" + path_ + "': record at byte " + std::to_string(next) +
                " is unreadable (" + err + "), skipped";
    } else {
      out.push_back(std::move(*c));
    }
    next += 8 + len;
  }
  return out;
}

std::string cdr_journal::clear() {
  if (::ftruncate(fd_, 0) != 0)
    return sys_error("cannot truncate the CDR journal", path_);
  if (policy_ != fsync_policy::none)
    ::fdatasync(fd_);
  size_ = 0;
  records_ = 0;
  return {};
}

std::string append_dead_letter(const std::string& path, const core::cdr& c,
                               const std::string& reason) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  const std::string line = "{\"reason\":" +
                           nlohmann::json(reason).dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace) +
                           ",\"cdr\":" + cdr_to_json_line(c) + "}\n";
  if (!(out << line) || !out.flush())
    return "cannot write the dead-letter file '" + path + "'";
  return {};
}

}  // namespace voxmon::store
