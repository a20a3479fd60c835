#pragma once
// Errors between actors and towards the user: a failure carrying a sentence a user can act on,
// and the text of any caf::error (that sentence when there is one).
#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <string>

namespace voxmon {

inline caf::error make_failure(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

inline std::string error_text(const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(e);
}

}  // namespace voxmon
