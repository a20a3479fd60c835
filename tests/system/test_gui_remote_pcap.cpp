// A call recorded by a CDR sensor keeps its pcaps in that sensor's spool; the central node's
// GUI fetches them over the sensor's link (ladder, SIP/RTP/merged downloads). A sensor that
// does not answer or has left gives a clear message quickly; the standalone GUI keeps its 404.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/spool_lookup.hpp"
#include "core/spool_path.hpp"
#include "gui/ladder.hpp"
#include "test_gui_env.hpp"

using namespace voxmon;
using namespace voxmon::test;
using namespace voxmon::test::gui;
using namespace std::chrono_literals;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void write_binary(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// The ladder's messages equal those read from the sensor's own SIP files, in the same order.
void check_same_ladder(const json& got, const std::vector<std::filesystem::path>& sensor_sip) {
  voxmon::gui::call_ladder expected;
  std::string error;
  REQUIRE(voxmon::gui::build_ladder(sensor_sip, expected, error));
  CHECK(got["packets"] == expected.packets);
  REQUIRE(got["messages"].size() == expected.messages.size());
  CHECK(!expected.messages.empty());
  for (size_t i = 0; i < expected.messages.size(); ++i) {
    const auto& m = got["messages"][i];
    const auto& e = expected.messages[i];
    INFO("message " << i);
    CHECK(m["label"] == e.label);
    CHECK(m["src"] == e.src);
    CHECK(m["dst"] == e.dst);
    CHECK(m["cseq"] == e.cseq);
    CHECK(m["transport"] == e.transport);
    CHECK(m["text"] == e.text);
  }
}

}  // namespace

TEST_CASE("gui: the central node fetches a call's pcaps from the sensor that saved them",
          "[gui][cluster][remote_pcap]") {
  const auto dir = temp_dir("gui_remote_pcap");
  const std::time_t start = std::time(nullptr) / 60 * 60 - 7200;
  // Talk times of 60-90 s: answered calls' RTP files are larger than a piece (1 MiB).
  const auto ids = cluster::generate(dir, "a.pcap", {"--sample", "--start", utc_text(start), "--duration-min", "60",
                                                     "--duration-max", "90"});
  std::map<std::string, std::string> callid_of;  // by fbasename
  for (const auto& id : ids)
    callid_of[core::make_fbasename(id)] = id;
  REQUIRE(add_user(dir, "sqlite:central.db", "admin", "admin", admin_password) == 0);
  const uint16_t port = free_port(), gui_port = free_port();
  write_text(dir / "server.conf",
             cluster::server_conf(port, "db = sqlite:central.db\nspooldir = central_spool\ngui_bind = 127.0.0.1\n"
                                        "gui_bind_port = " + std::to_string(gui_port) + "\n"));
  write_text(dir / "s.conf", cluster::sensor_conf(port, 101, "db = none\nsavesip = yes\nsavertp = yes\n"
                                                             "spooldir = sensor_spool\n"));
  auto server = cluster::start_server(dir, {"-c", "server.conf"});
  REQUIRE(server->wait_for_stderr("gui listening on", 20s));
  background_process sensor(VOXMON_BIN, {"-c", "s.conf", "-r", "a.pcap", "--stay-joined", "yes", "--no-progress",
                                         "--table-rows", "0"}, dir, "sensor");
  {
    const bool staying = sensor.wait_for_stderr("staying joined to the central node", 60s);
    INFO(sensor.err());
    REQUIRE(staying);
  }

  session_client c(gui_port);
  REQUIRE(c.login("admin", admin_password).status == 200);
  const auto list = c.get_json("/api/cdrs?from=" + gui_env::url(utc_text(start - 60)) + "&to=" +
                               gui_env::url(utc_text(start + 3600)) + "&sensor=101&per_page=100");
  REQUIRE(list["total"] == ids.size());
  const auto sensor_spool = dir / "sensor_spool";
  int64_t with_rtp = 0;     // a call with both parts, for tshark
  size_t multi_piece = 0;   // calls whose RTP file took several pieces
  int64_t sip_only = 0;     // a call whose SIP file is then removed on the sensor
  std::string sip_only_name;
  for (const auto& row : list["rows"]) {
    const int64_t id = row["id"];
    const std::string path = "/api/cdr/" + std::to_string(id);
    const auto detail = c.get_json(path);
    const std::string fb = detail["cdr"]["fbasename"];
    INFO(fb);
    REQUIRE(callid_of.count(fb));
    const auto local = core::find_call_files(sensor_spool, fb);
    REQUIRE(!local.sip.empty());
    CHECK(core::find_call_files(dir / "central_spool", fb).empty());
    CHECK(detail["pcap"]["sensor"] == 101);
    CHECK(detail["pcap"]["sip"] == true);
    CHECK(detail["pcap"]["rtp"] == !local.rtp.empty());
    CHECK_FALSE(detail["pcap"].contains("error"));

    const auto ladder = c.get_json(path + "/ladder");
    CHECK(ladder["sensor"] == 101);
    check_same_ladder(ladder, local.sip);

    // The merged download is byte for byte `voxmon pcap CALLID` on the sensor's spool.
    const auto merged = c.get(path + "/pcap");
    REQUIRE(merged.status == 200);
    CHECK(merged.header("content-type") == "application/vnd.tcpdump.pcap");
    const auto expected = run(VOXMON_BIN, {"-c", "s.conf", "pcap", callid_of[fb], "-o", "expected.pcap"}, dir);
    INFO(expected.err);
    REQUIRE(expected.exit_code == 0);
    CHECK(merged.body == read_file(dir / "expected.pcap"));

    const auto sip = c.get(path + "/pcap?part=sip");
    REQUIRE(sip.status == 200);
    write_binary(dir / "got-sip.pcap", sip.body);
    CHECK(cluster::frames_in(dir / "got-sip.pcap") == cluster::frames_in(local.sip[0]));
    const auto rtp = c.get(path + "/pcap?part=rtp");
    if (local.rtp.empty()) {
      CHECK(rtp.status == 404);
      CHECK(error_of(rtp) == "no RTP pcap for call '" + fb + "' in spool 'sensor_spool' of sensor 101");
      sip_only = id;
      sip_only_name = fb;
    } else {
      REQUIRE(rtp.status == 200);
      write_binary(dir / "got-rtp.pcap", rtp.body);
      CHECK(cluster::frames_in(dir / "got-rtp.pcap") == cluster::frames_in(local.rtp[0]));
      CHECK(cluster::frames_in(dir / "got-rtp.pcap") > 0);
      // Audio of a remote call: the streams of the sensor's RTP pcap, and a stream's WAV.
      const auto audio = c.get_json(path + "/audio");
      REQUIRE(audio["streams"].size() == detail["rtp"].size());
      for (const auto& st : audio["streams"])
        if (st["playable"] == true) {
          const auto wav = c.get(st["wav"].get<std::string>());
          CHECK(wav.status == 200);
          CHECK(wav.body.compare(0, 4, "RIFF") == 0);
        }
      if (std::filesystem::file_size(local.rtp[0]) > (1u << 20))
        ++multi_piece;
      if (!with_rtp) {
        with_rtp = id;
        write_binary(dir / "merged.pcap", merged.body);
      }
    }
  }
  REQUIRE(with_rtp != 0);
  CHECK(multi_piece > 0);
  REQUIRE(sip_only != 0);

  // tshark reads the fetched, merged pcap: one line per frame.
  const auto tshark = run("/usr/bin/tshark", {"-n", "-r", "merged.pcap"}, dir);
  CHECK(tshark.exit_code == 0);
  const auto lines = std::count(tshark.out.begin(), tshark.out.end(), '\n');
  CHECK(lines == static_cast<long>(cluster::frames_in(dir / "merged.pcap")));
  CHECK(lines > 10);

  CHECK(c.get("/api/cdr/999999/ladder").status == 404);
  CHECK(c.get("/api/cdr/999999/pcap").status == 404);

  // A file gone from the sensor's spool: the sensor's own words, 404.
  for (const auto& f : core::find_call_files(sensor_spool, sip_only_name).sip)
    std::filesystem::remove(f);
  const auto gone = c.get("/api/cdr/" + std::to_string(sip_only) + "/ladder");
  CHECK(gone.status == 404);
  CHECK(error_of(gone) == "no SIP pcap for call '" + sip_only_name + "' in spool 'sensor_spool' of sensor 101");
  const auto gone_merged = c.get("/api/cdr/" + std::to_string(sip_only) + "/pcap");
  CHECK(gone_merged.status == 404);
  CHECK(error_of(gone_merged).find("no SIP pcap for call '" + sip_only_name + "'") == 0);

  // A sensor that does not answer (stopped): 504 after remote_pcap_timeout (5 s), then back.
  const std::string ladder_path = "/api/cdr/" + std::to_string(with_rtp) + "/ladder";
  sensor.signal(SIGSTOP);
  auto asked = std::chrono::steady_clock::now();
  const auto frozen = c.get(ladder_path);
  const double waited = seconds_since(asked);
  sensor.signal(SIGCONT);
  CHECK(frozen.status == 504);
  CHECK(error_of(frozen) == "sensor 101 did not answer within 5 s");
  CHECK(waited >= 4.5);
  CHECK(waited < 9);
  CHECK(c.get(ladder_path).status == 200);

  // The sensor stopped: a clear "not connected", quickly, for the ladder, downloads and page.
  sensor.signal(SIGTERM);
  CHECK(sensor.wait_for(30s) == 0);
  asked = std::chrono::steady_clock::now();
  const auto down = c.get(ladder_path);
  CHECK(seconds_since(asked) < 10);
  CHECK(down.status == 503);
  CHECK(error_of(down).find("sensor 101 is not connected: its pcaps cannot be fetched") == 0);
  const auto down_pcap = c.get("/api/cdr/" + std::to_string(with_rtp) + "/pcap?part=rtp");
  CHECK(down_pcap.status == 503);
  CHECK(c.get("/api/cdr/" + std::to_string(with_rtp) + "/audio").status == 503);
  const auto down_detail = c.get_json("/api/cdr/" + std::to_string(with_rtp));
  CHECK(down_detail["pcap"]["sip"] == false);
  CHECK(down_detail["pcap"]["error"].get<std::string>().find("sensor 101 is not connected") == 0);
  CHECK(seconds_since(asked) < 10);

  server->signal(SIGTERM);
  CHECK(server->wait_for(30s) == 0);

  // The standalone GUI over the same store has no sensors to ask: today's 404.
  const uint16_t alone_port = free_port();
  write_text(dir / "gui.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(alone_port) +
                                   "\ndb = sqlite:central.db\nspooldir = central_spool\n");
  background_process alone(VOXMON_BIN, {"--config-file", "gui.conf"}, dir, "gui");
  REQUIRE(alone.wait_for_stderr("gui listening on", 20s));
  session_client a(alone_port);
  REQUIRE(a.login("admin", admin_password).status == 200);
  const auto local_only = a.get(ladder_path);
  CHECK(local_only.status == 404);
  CHECK(error_of(local_only).find("no SIP pcap of call " + std::to_string(with_rtp)) == 0);
  CHECK(a.get_json("/api/cdr/" + std::to_string(with_rtp))["pcap"]["sip"] == false);
  alone.signal(SIGTERM);
  CHECK(alone.wait_for(10s) == 0);
}
