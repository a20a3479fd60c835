#pragma once
#include <cstdint>
#include <string>

namespace voxmon::core {
// "[#########.........]  45%  1234567 packets  12.3 s" (fraction clamped to 0..1).
std::string render_progress(double fraction, uint64_t packets, double elapsed_s, int width = 30);
}
