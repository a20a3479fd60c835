#include <catch2/catch.hpp>

#include "core/progress_bar.hpp"

TEST_CASE("progress bar rendering", "[progress]") {
  using voxmon::core::render_progress;
  CHECK(render_progress(0.5, 1234, 2.25, 10) == "[#####.....]  50%  1234 packets  2.2 s");
  CHECK(render_progress(1.7, 1, 0, 4) == "[####] 100%  1 packets  0.0 s");
  CHECK(render_progress(-1, 0, 0, 4) == "[....]   0%  0 packets  0.0 s");
}
