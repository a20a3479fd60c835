#include "store/jsonl_sink.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "store/cdr_json.hpp"

namespace voxmon::store {

namespace {

// Cuts a last line without its newline (a write torn by a crash); an error text on failure.
std::string drop_torn_line(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  if (f == nullptr)
    return errno == ENOENT ? std::string() : std::string(std::strerror(errno));
  std::fseek(f, 0, SEEK_END);
  long end = std::ftell(f);
  long keep = end;
  char c = '\n';
  while (keep > 0) {
    std::fseek(f, keep - 1, SEEK_SET);
    if (std::fread(&c, 1, 1, f) != 1 || c == '\n')
      break;
    --keep;
  }
  std::string error;
  if (keep != end && ::ftruncate(fileno(f), keep) != 0)
    error = std::strerror(errno);
  std::fclose(f);
  return error;
}

}  // namespace

std::unique_ptr<jsonl_sink> jsonl_sink::open(const std::string& path, std::string& error,
                                             jsonl_mode mode) {
  if (path.empty()) {
    error = "jsonl: empty output path";
    return nullptr;
  }
  if (path == "-")
    return std::unique_ptr<jsonl_sink>(new jsonl_sink(stdout, path, false));
  if (mode == jsonl_mode::append) {
    if (auto torn = drop_torn_line(path); !torn.empty()) {
      error = "cannot repair '" + path + "': " + torn;
      return nullptr;
    }
  }
  std::FILE* f = std::fopen(path.c_str(), mode == jsonl_mode::append ? "a" : "w");
  if (f == nullptr) {
    error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<jsonl_sink>(new jsonl_sink(f, path, true));
}

jsonl_sink::~jsonl_sink() {
  if (owned_ && file_ != nullptr)
    std::fclose(file_);
  else if (file_ != nullptr)
    std::fflush(file_);
}

std::string jsonl_sink::write(std::span<const core::cdr> batch) {
  std::string out;
  for (const auto& c : batch) {
    out += cdr_to_json_line(c);
    out += '\n';
  }
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), file_) != out.size())
    return "write to '" + path_ + "' failed: " + std::strerror(errno);
  // Whole lines reach the file with every batch (the writer batches for 200 ms): a sensor
  // runs for months, and readers (tail -f, log shippers) must not wait for its end.
  if (!out.empty() && std::fflush(file_) != 0)
    return "write to '" + path_ + "' failed: " + std::strerror(errno);
  return {};
}

std::string jsonl_sink::flush() {
  if (std::fflush(file_) != 0 || std::ferror(file_))
    return "write to '" + path_ + "' failed: " + std::strerror(errno);
  return {};
}

}  // namespace voxmon::store
