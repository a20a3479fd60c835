#include "nodes/allocator_info.hpp"

#include <cstddef>

// jemalloc's control interface; null when the process does not run on jemalloc (the test
// binaries, a sanitizer build).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace voxmon::nodes {

namespace {

std::string read_string(const char* name) {
  const char* value = nullptr;
  size_t size = sizeof(value);
  if (mallctl(name, &value, &size, nullptr, 0) != 0 || value == nullptr)
    return "?";
  return value;
}

}  // namespace

std::string allocator_description() {
  if (mallctl == nullptr)
    return "glibc malloc";
  return "jemalloc " + read_string("version") +
         ", transparent huge pages: " + read_string("opt.thp");
}

}  // namespace voxmon::nodes
