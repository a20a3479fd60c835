#pragma once
// The single-page app's files (gui/assets/*), compiled into the binary by gui/embed_assets.cmake
// (no files to install, nothing fetched at run time).
#include <cstddef>
#include <string_view>

namespace voxmon::gui {

struct embedded_asset {
  const char* path;          // "/index.html"
  const char* content_type;
  const unsigned char* data;
  size_t size;
};

const embedded_asset* find_asset(std::string_view path);  // nullptr when there is none

}  // namespace voxmon::gui
