// The web GUI in real headless Chromium: tests/browser/gui_browser.py (Selenium and
// chromedriver) against the GUI serving a generated capture. Skips with a message when
// /usr/bin/python3, chromium, chromium-driver or python3-selenium are missing. Screenshots:
// build/tests/artifacts/gui/.
#include "test_gui_env.hpp"

using namespace voxmon::test;
using namespace voxmon::test::gui;

TEST_CASE("gui in headless chromium", "[gui][system][browser]") {
  const std::filesystem::path script =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "browser" / "gui_browser.py";
  const char* python = "/usr/bin/python3";  // Debian's, which has python3-selenium
  if (!std::filesystem::exists(python)) {
    WARN("skipped: no /usr/bin/python3");
    return;
  }
  gui_env e("gui_browser");
  const json* answered = nullptr;
  for (const auto& t : e.truth)
    if (t["lastSIPresponseNum"] == 200 && !answered)
      answered = &t;
  REQUIRE(answered);
  const json& cdr = e.cdr_of((*answered)["callid"]);
  size_t rtp = 0, g711 = 0;
  json series_points = json::array();  // per stream: the number of 10-s intervals charted
  for (const auto& s : cdr["rtp"]) {
    rtp += s["received"].get<size_t>();
    g711 += s["codec"] == "PCMU" || s["codec"] == "PCMA";
    series_points.push_back(s["intervals"].size());
  }
  const bool caller_hangs = (*answered)["whohanged"] == "caller";
  (void)caller_hangs;
  json expect = {{"url", "http://127.0.0.1:" + std::to_string(e.port) + "/"},
                 {"admin_password", admin_password},
                 {"viewer_password", viewer_password},
                 {"calls", 20},
                 {"answered", count_if_truth(e, [](const json& t) { return t["lastSIPresponseNum"] == 200; })},
                 {"callid", (*answered)["callid"]},
                 {"ladder", {"INVITE", "100 Trying", "180 Ringing", "200 OK", "ACK", "BYE", "200 OK"}},
                 {"hosts", {(*answered)["sipcallerip"].get<std::string>() + ":5060", (*answered)["sipcalledip"].get<std::string>() + ":5060"}},
                 {"streams", cdr["rtp"].size()},
                 {"series_points", series_points},
                 {"g711_players", g711},
                 {"pcap_packets", 7 + rtp}};
  write_text(e.dir / "expect.json", expect.dump());
  const auto artifacts = std::filesystem::path(VOXMON_TEST_TMP).parent_path() / "artifacts" / "gui";
  auto r = run(python, {script.string(), (e.dir / "expect.json").string(), artifacts.string()}, e.dir);
  INFO(r.out << r.err);
  if (r.exit_code == 77) {
    WARN(r.err);
    return;
  }
  CHECK(r.exit_code == 0);
}
