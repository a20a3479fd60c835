#pragma once
// Which allocator this process runs on, for `voxmon --version`: jemalloc when the binary was
// linked with it (VOXMON_JEMALLOC, the default build), with its transparent huge page mode;
// otherwise the C library's malloc.
#include <string>

namespace voxmon::nodes {

// "jemalloc 5.3.0-0-g54eaed1d..., transparent huge pages: always" or "glibc malloc".
std::string allocator_description();

}  // namespace voxmon::nodes
