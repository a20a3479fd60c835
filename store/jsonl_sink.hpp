#pragma once
#include <cstdio>
#include <string>

#include "store/cdr_sink.hpp"

namespace voxmon::store {

// Writes one JSON object per line to a file, or to stdout for "-" (not closed).
// `truncate`: a run writes a fresh file (offline analysis). `append`: a daemon that restarts
// goes on after what it wrote before; a last line cut off by a crash (no newline) is removed
// first, since its CDR was never acknowledged as stored (it comes again).
enum class jsonl_mode { truncate, append };

class jsonl_sink final : public cdr_sink {
 public:
  static std::unique_ptr<jsonl_sink> open(const std::string& path, std::string& error,
                                          jsonl_mode mode = jsonl_mode::truncate);
  ~jsonl_sink() override;
  std::string write(std::span<const core::cdr> batch) override;
  std::string flush() override;
  std::string name() const override { return "jsonl:" + path_; }

 private:
  jsonl_sink(std::FILE* f, std::string path, bool owned) : file_(f), path_(std::move(path)), owned_(owned) {}
  std::FILE* file_;
  std::string path_;
  bool owned_;
};

}  // namespace voxmon::store
