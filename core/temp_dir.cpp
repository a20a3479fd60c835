#include "core/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace voxmon::core {

namespace fs = std::filesystem;

std::unique_ptr<temp_dir> temp_dir::make(std::string_view prefix, std::string& error) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec)
    base = "/tmp";
  std::string pattern = (base / (std::string(prefix) + "XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    error = "cannot make a temporary directory " + pattern + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<temp_dir>(new temp_dir(fs::path(buf.data())));
}

temp_dir::~temp_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace voxmon::core
