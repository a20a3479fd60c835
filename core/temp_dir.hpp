#pragma once
// A private temporary directory (mkdtemp, mode 0700) removed with everything in it when the
// object goes away: where the central node keeps the pcap files it fetched from a sensor for
// as long as one GUI request reads them.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace voxmon::core {

class temp_dir {
 public:
  // Under $TMPDIR (or /tmp): "<prefix>XXXXXX". nullptr + error when it cannot be made.
  static std::unique_ptr<temp_dir> make(std::string_view prefix, std::string& error);
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit temp_dir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace voxmon::core
