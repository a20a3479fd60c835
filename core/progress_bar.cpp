#include "core/progress_bar.hpp"

#include <algorithm>
#include <cstdio>

namespace voxmon::core {

std::string render_progress(double fraction, uint64_t packets, double elapsed_s, int width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  width = std::max(width, 1);
  const int filled = static_cast<int>(fraction * width);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
  char tail[96];
  std::snprintf(tail, sizeof tail, " %3d%%  %llu packets  %.1f s", static_cast<int>(fraction * 100),
                static_cast<unsigned long long>(packets), elapsed_s);
  return bar + tail;
}

}  // namespace voxmon::core
