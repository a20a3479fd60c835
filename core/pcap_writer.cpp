#include "core/pcap_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

namespace voxmon::core {

namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
uint32_t get32(const uint8_t* p, bool swap) {
  uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
  return swap ? __builtin_bswap32(v) : v;
}

std::string errno_text(const char* what, const std::string& path, int err) {
  return std::string(what) + " " + path + ": " + std::strerror(err);
}

}  // namespace

std::optional<pcap_compression> parse_pcap_compression(std::string_view t) {
  if (t == "no" || t == "none" || t == "0" || t == "off" || t == "false")
    return pcap_compression::none;
  if (t == "gzip" || t == "gz" || t == "yes")
    return pcap_compression::gzip;
  return std::nullopt;
}

const char* pcap_extension(pcap_compression c) {
  return c == pcap_compression::gzip ? ".pcap.gz" : ".pcap";
}

void append_pcap_header(std::vector<uint8_t>& out, int link_type) {
  put32(out, 0xa1b23c4d);  // nanosecond timestamps
  put16(out, 2);
  put16(out, 4);
  put32(out, 0);  // thiszone
  put32(out, 0);  // sigfigs
  put32(out, pcap_snaplen);
  put32(out, static_cast<uint32_t>(link_type));
}

void append_pcap_record(std::vector<uint8_t>& out, timestamp_ns ts, std::span<const uint8_t> data,
                        uint32_t wirelen) {
  const timestamp_ns t = ts < 0 ? 0 : ts;
  const uint32_t h[4] = {static_cast<uint32_t>(t / ns_per_second),
                         static_cast<uint32_t>(t % ns_per_second),
                         static_cast<uint32_t>(data.size()),
                         wirelen < data.size() ? static_cast<uint32_t>(data.size()) : wirelen};
  static_assert(std::endian::native == std::endian::little, "pcap records are written little endian");
  static_assert(sizeof h == pcap_record_header_bytes);
  // One insert per part: no per-byte push_back on the per-packet path.
  const auto* hb = reinterpret_cast<const uint8_t*>(h);
  out.insert(out.end(), hb, hb + sizeof h);
  out.insert(out.end(), data.begin(), data.end());
}

size_t rtp_header_length(std::span<const uint8_t> p) {
  if (p.size() < 12 || (p[0] >> 6) != 2)
    return p.size();
  size_t len = 12 + 4 * size_t(p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (p.size() < len + 4)
      return p.size();
    len += 4 + 4 * ((size_t(p[len + 2]) << 8) | p[len + 3]);
  }
  return len < p.size() ? len : p.size();
}

pcap_file::~pcap_file() {
  std::string ignored;
  close(ignored);
}

std::unique_ptr<pcap_file> pcap_file::open(const std::string& path, int link_type,
                                           pcap_compression c, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    error = "create directory for " + path + ": " + ec.message();
    return nullptr;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = errno_text("open", path, errno);
    return nullptr;
  }
  std::unique_ptr<pcap_file> f(new pcap_file);
  f->path_ = path;
  f->link_type_ = link_type;
  struct stat st {};
  if (::fstat(fd, &st) == 0)
    f->size_at_open_ = static_cast<uint64_t>(st.st_size);
  f->fd_ = fd;
  if (c == pcap_compression::gzip) {
    gzFile gz = gzdopen(fd, "ab");
    if (!gz) {
      error = "gzip " + path + ": out of memory";
      return nullptr;  // the destructor closes fd_
    }
    f->gz_ = gz;
  }
  // Not the whole threshold at once: a call's SIP file holds a few KB in all, and 66 KB per
  // open file made 66 MB of buffers at 500 calls at once (gigabytes at 20,000).
  f->buffer_.reserve(initial_buffer);
  if (f->size_at_open_ == 0)
    append_pcap_header(f->buffer_, link_type);
  return f;
}

bool pcap_file::write_out(const uint8_t* data, size_t n, std::string& error) {
  if (write_delay_us)
    std::this_thread::sleep_for(std::chrono::microseconds(write_delay_us));
  if (gz_) {
    while (n > 0) {
      const unsigned chunk = n > (1u << 30) ? (1u << 30) : static_cast<unsigned>(n);
      errno = 0;
      const int w = gzwrite(static_cast<gzFile>(gz_), data, chunk);
      if (w <= 0) {
        int zerr = 0;
        const char* msg = gzerror(static_cast<gzFile>(gz_), &zerr);
        error = zerr == Z_ERRNO ? errno_text("write", path_, errno) : "write " + path_ + ": " + msg;
        return false;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  size_t done = 0;
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      const int err = errno;
      error = errno_text("write", path_, err);
      // Cut a partly written buffer off again (a full disk takes what fits): the file keeps
      // whole records only and stays readable; the buffer's records count as lost.
      struct stat st {};
      if (done > 0 && ::fstat(fd_, &st) == 0 && static_cast<size_t>(st.st_size) >= done)
        (void)::ftruncate(fd_, st.st_size - static_cast<off_t>(done));
      return false;
    }
    data += w;
    done += static_cast<size_t>(w);
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool pcap_file::append(timestamp_ns ts, std::span<const uint8_t> data, uint32_t wirelen,
                       std::string& error) {
  if (failed_) {
    error = "write " + path_ + ": file failed earlier";
    return false;
  }
  make_room(pcap_record_header_bytes + data.size());
  append_pcap_record(buffer_, ts, data, wirelen);
  ++pending_records_;
  if (buffer_.size() >= flush_threshold)
    return flush(error);
  return true;
}

void pcap_file::make_room(size_t record_bytes) {
  const size_t need = buffer_.size() + record_bytes;
  if (need > buffer_.capacity())  // doubling, but not past the threshold plus one record's room
    buffer_.reserve(std::max(need, std::min(2 * buffer_.capacity(), flush_threshold + 2048)));
}

bool pcap_file::flush(std::string& error) {
  if (failed_)
    return false;
  if (buffer_.empty())
    return true;
  const bool ok = write_out(buffer_.data(), buffer_.size(), error);
  if (ok) {
    written_ += buffer_.size();
    records_written_ += pending_records_;
  } else {
    records_lost_ += pending_records_;
  }
  buffer_.clear();
  pending_records_ = 0;
  if (!ok)
    failed_ = true;
  return ok;
}

bool pcap_file::close(std::string& error) {
  if (fd_ < 0)
    return !failed_;
  bool ok = failed_ ? false : flush(error);
  if (gz_) {
    errno = 0;
    const int rc = gzclose(static_cast<gzFile>(gz_));  // also closes fd_
    if (rc != Z_OK && ok) {
      error = rc == Z_ERRNO ? errno_text("close", path_, errno) : "close " + path_ + ": gzip error";
      ok = false;
    }
    gz_ = nullptr;
  } else if (::close(fd_) != 0 && ok) {
    error = errno_text("close", path_, errno);
    ok = false;
  }
  fd_ = -1;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (static_cast<uint64_t>(st.st_size) > size_at_open_)
      growth_ = static_cast<uint64_t>(st.st_size) - size_at_open_;
    else if (st.st_size == 0)
      ::unlink(path_.c_str());  // not even the header fit (full disk): no empty, unreadable file
  }
  if (!ok)
    failed_ = true;
  return ok;
}

bool read_pcap_file(const std::string& path, const std::function<void(int)>& on_header,
                    const std::function<void(const pcap_record&)>& on_record, std::string& error) {
  gzFile gz = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!gz) {
    error = errno_text("open", path, errno);
    return false;
  }
  auto read_exact = [&](uint8_t* dst, size_t n) -> int {  // 1 ok, 0 clean EOF, -1 short/error
    size_t got = 0;
    while (got < n) {
      const int r = gzread(gz, dst + got, static_cast<unsigned>(n - got));
      if (r < 0)
        return -1;
      if (r == 0)
        return got == 0 ? 0 : -1;
      got += static_cast<size_t>(r);
    }
    return 1;
  };
  uint8_t hdr[24];
  bool ok = true;
  if (read_exact(hdr, 24) != 1) {
    error = path + ": not a pcap file (too short)";
    gzclose(gz);
    return false;
  }
  const uint32_t magic = get32(hdr, false);
  bool swap = false, nanos = false;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
    nanos = magic == 0xa1b23c4d;
  } else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
    swap = true;
    nanos = magic == 0x4d3cb2a1;
  } else {
    error = path + ": not a classic pcap file (bad magic)";
    gzclose(gz);
    return false;
  }
  on_header(static_cast<int>(get32(hdr + 20, swap)));
  std::vector<uint8_t> data;
  while (true) {
    uint8_t rh[16];
    const int r = read_exact(rh, 16);
    if (r == 0)
      break;
    const uint32_t caplen = r == 1 ? get32(rh + 8, swap) : 0;
    if (r < 0 || caplen > pcap_snaplen * 4) {
      error = path + ": truncated or malformed record";
      ok = false;
      break;
    }
    data.resize(caplen);
    if (caplen && read_exact(data.data(), caplen) != 1) {
      error = path + ": truncated record";
      ok = false;
      break;
    }
    pcap_record rec;
    rec.ts = timestamp_ns(get32(rh, swap)) * ns_per_second +
             timestamp_ns(get32(rh + 4, swap)) * (nanos ? 1 : 1000);
    rec.wirelen = get32(rh + 12, swap);
    rec.data = {data.data(), data.size()};
    on_record(rec);
  }
  gzclose(gz);
  return ok;
}

}  // namespace voxmon::core
