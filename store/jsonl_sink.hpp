#pragma once
#include <cstdio>
#include <string>

#include "store/cdr_sink.hpp"

namespace voxmon::store {

// Writes one JSON object per line to a file (truncated on open: a run writes a fresh file),
// or to stdout for "-" (not closed).
class jsonl_sink final : public cdr_sink {
 public:
  static std::unique_ptr<jsonl_sink> open(const std::string& path, std::string& error);
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
