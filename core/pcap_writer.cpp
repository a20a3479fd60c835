#include "core/pcap_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
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

namespace {

// The 16-byte record header, little endian: seconds, nanoseconds, caplen, wire length.
void record_header(timestamp_ns ts, size_t caplen, uint32_t wirelen,
                   uint8_t (&out)[pcap_record_header_bytes]) {
  const timestamp_ns t = ts < 0 ? 0 : ts;
  const uint32_t h[4] = {static_cast<uint32_t>(t / ns_per_second),
                         static_cast<uint32_t>(t % ns_per_second), static_cast<uint32_t>(caplen),
                         wirelen < caplen ? static_cast<uint32_t>(caplen) : wirelen};
  static_assert(std::endian::native == std::endian::little, "pcap records are written little endian");
  static_assert(sizeof h == pcap_record_header_bytes);
  std::memcpy(out, h, sizeof h);
}

}  // namespace

void append_pcap_record(std::vector<uint8_t>& out, timestamp_ns ts, std::span<const uint8_t> data,
                        uint32_t wirelen) {
  uint8_t h[pcap_record_header_bytes];
  record_header(ts, data.size(), wirelen, h);
  // One insert per part: no per-byte push_back on the per-packet path.
  out.insert(out.end(), h, h + sizeof h);
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

chunk_pool::~chunk_pool() {
  for (uint8_t* c : free_)
    delete[] c;
}

uint8_t* chunk_pool::take() {
  ++in_use_;
  if (free_.empty())
    return new uint8_t[chunk_bytes];  // not zeroed: every byte is written before it is read
  uint8_t* c = free_.back();  // the block given back last: the likeliest to be in the cache
  free_.pop_back();
  return c;
}

void chunk_pool::give(uint8_t* chunk) {
  --in_use_;
  if (free_.size() < max_free_)
    free_.push_back(chunk);
  else
    delete[] chunk;
}

pcap_file::~pcap_file() {
  std::string ignored;
  close(ignored);
}

std::unique_ptr<pcap_file> pcap_file::open(const std::string& path, int link_type,
                                           pcap_compression c, std::string& error,
                                           std::shared_ptr<chunk_pool> pool) {
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
  f->pool_ = pool ? std::move(pool) : std::make_shared<chunk_pool>(0);
  if (c == pcap_compression::gzip) {
    gzFile gz = gzdopen(fd, "ab");
    if (!gz) {
      error = "gzip " + path + ": out of memory";
      return nullptr;  // the destructor closes fd_
    }
    f->gz_ = gz;
  }
  if (f->size_at_open_ == 0) {
    std::vector<uint8_t> header;
    append_pcap_header(header, link_type);
    f->put(header.data(), header.size());
  }
  return f;
}

void pcap_file::put(const uint8_t* data, size_t n) {
  pending_ += n;
  while (n > 0) {
    if (tail_room_ == 0) {
      chunks_.push_back(pool_->take());
      tail_room_ = chunk_pool::chunk_bytes;
    }
    const size_t k = std::min(n, tail_room_);
    std::memcpy(chunks_.back() + (chunk_pool::chunk_bytes - tail_room_), data, k);
    tail_room_ -= k;
    data += k;
    n -= k;
  }
}

bool pcap_file::append(timestamp_ns ts, std::span<const uint8_t> data, uint32_t wirelen,
                       std::string& error) {
  if (failed_) {
    error = "write " + path_ + ": file failed earlier";
    return false;
  }
  uint8_t header[pcap_record_header_bytes];
  record_header(ts, data.size(), wirelen, header);
  put(header, sizeof header);
  put(data.data(), data.size());
  ++pending_records_;
  if (pending_ >= flush_threshold)
    return flush(error);
  return true;
}

bool pcap_file::write_chunks(std::string& error) {
  if (write_delay_us)
    std::this_thread::sleep_for(std::chrono::microseconds(write_delay_us));
  if (!gz_)
    return write_plain(error);
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const uint8_t* data = chunks_[i];
    size_t n = chunk_length(i);
    while (n > 0) {
      errno = 0;
      const int w = gzwrite(static_cast<gzFile>(gz_), data, static_cast<unsigned>(n));
      if (w <= 0) {
        int zerr = 0;
        const char* msg = gzerror(static_cast<gzFile>(gz_), &zerr);
        error = zerr == Z_ERRNO ? errno_text("write", path_, errno) : "write " + path_ + ": " + msg;
        return false;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
  }
  return true;
}

// All pending blocks with writev(2), as many per call as fit (a short write resumes where it
// stopped).
bool pcap_file::write_plain(std::string& error) {
  constexpr size_t max_iov = 64;
  const size_t count = chunks_.size();
  size_t next = 0;    // the first block not wholly written
  size_t offset = 0;  // bytes of it written
  size_t done = 0;
  while (next < count) {
    iovec iov[max_iov];
    int used = 0;
    for (size_t i = next; i < count && used < static_cast<int>(max_iov); ++i, ++used) {
      const size_t from = i == next ? offset : 0;
      iov[used] = {chunks_[i] + from, chunk_length(i) - from};
    }
    const ssize_t w = ::writev(fd_, iov, used);
    if (w <= 0) {
      if (w < 0 && errno == EINTR)
        continue;
      const int err = w < 0 ? errno : ENOSPC;
      error = errno_text("write", path_, err);
      // Cut a partly written buffer off again (a full disk takes what fits): the file keeps
      // whole records only and stays readable; the buffer's records count as lost.
      struct stat st {};
      if (done > 0 && ::fstat(fd_, &st) == 0 && static_cast<size_t>(st.st_size) >= done)
        (void)::ftruncate(fd_, st.st_size - static_cast<off_t>(done));
      return false;
    }
    done += static_cast<size_t>(w);
    for (size_t left = static_cast<size_t>(w); left > 0;) {
      const size_t rest = chunk_length(next) - offset;
      if (left < rest) {
        offset += left;
        break;
      }
      left -= rest;
      ++next;
      offset = 0;
    }
  }
  return true;
}

void pcap_file::release_chunks() {
  for (uint8_t* c : chunks_)
    pool_->give(c);
  chunks_.clear();
  tail_room_ = 0;
  pending_ = 0;
}

bool pcap_file::flush(std::string& error) {
  if (failed_)
    return false;
  if (pending_ == 0)
    return true;
  const bool ok = write_chunks(error);
  if (ok) {
    written_ += pending_;
    records_written_ += pending_records_;
  } else {
    records_lost_ += pending_records_;
  }
  release_chunks();
  pending_records_ = 0;
  if (!ok)
    failed_ = true;
  return ok;
}

bool pcap_file::close(std::string& error) {
  if (fd_ < 0)
    return !failed_;
  bool ok = failed_ ? false : flush(error);
  release_chunks();  // nothing is pending after a flush; a failed file gave its blocks back
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
