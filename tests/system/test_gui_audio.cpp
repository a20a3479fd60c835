// Listening to a call in the web GUI: the real voxmon run on a generated capture (PCMU, PCMA,
// G.729 and opus calls, loss and duplicates) with savertp = yes, the GUI serving its store and
// spool; the stream list against the generator's truth, each G.711 stream's WAV with exactly
// the samples the truth implies, the refusals; and savertp = header answering 404.
#include "test_gui_env.hpp"

using namespace voxmon::test;
using namespace voxmon::test::gui;

namespace {

// A capture of answered calls run through `voxmon -r` with `savertp`, users, and the GUI.
struct audio_env {
  std::filesystem::path dir;
  std::vector<json> truth;
  std::string from, to;
  uint16_t port = 0;
  std::unique_ptr<background_process> gui;

  audio_env(const std::string& name, const std::string& savertp) : dir(temp_dir(name)) {
    const std::time_t start = std::time(nullptr) / 60 * 60 - 7200;
    from = utc_text(start - 60);
    to = utc_text(start + 3600);
    // Jitter of 1 ms never reorders 20 ms packets: the first packet to arrive is the lowest.
    auto g = run(VOXMON_GEN_BIN, {"-q", "--seed", "7", "--calls", "6", "--cps", "2", "--outcomes", "answered=1",
                                  "--codecs", "PCMU=2,PCMA=2,G729=1,opus=1", "--exact-mix", "--duration-mean", "4",
                                  "--loss", "0.03", "--dup", "0.02", "--jitter", "1", "--start", utc_text(start),
                                  "-o", (dir / "gen.pcap").string()},
                 dir);
    REQUIRE(g.exit_code == 0);
    auto r = run(VOXMON_BIN, {"-r", "gen.pcap", "--db", "sqlite:cdr.db", "--savesip", "yes", "--savertp", savertp,
                              "--spooldir", "spool", "--no-progress", "--table-rows", "0"},
                 dir);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    truth = read_jsonl(dir / "gen.pcap.truth.jsonl");
    REQUIRE(truth.size() == 6);
    REQUIRE(add_user(dir, "sqlite:cdr.db", "viewer", "viewer", viewer_password) == 0);
    port = free_port();
    write_text(dir / "gui.conf", "gui_bind = 127.0.0.1\ngui_bind_port = " + std::to_string(port) +
                                     "\ndb = sqlite:cdr.db\nspooldir = spool\n");
    gui = std::make_unique<background_process>(VOXMON_BIN, std::vector<std::string>{"--config-file", "gui.conf"}, dir, "gui");
    const bool up = gui->wait_for_stderr("gui listening on http://127.0.0.1:" + std::to_string(port), std::chrono::seconds(20));
    INFO(gui->err());
    REQUIRE(up);
  }
  ~audio_env() {
    if (gui && gui->running()) {
      gui->signal(SIGTERM);
      gui->wait_for(std::chrono::seconds(10));
    }
  }
  int64_t id_of(session_client& c, const std::string& callid) const {
    auto j = c.get_json("/api/cdrs?from=" + gui_env::url(from) + "&to=" + gui_env::url(to) + "&callid=" + gui_env::url(callid));
    REQUIRE(j["rows"].size() == 1);
    return j["rows"][0]["id"];
  }
};

uint32_t le32(const std::string& b, size_t at) {
  return static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8 | static_cast<uint8_t>(b[at + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}
uint16_t le16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}

// "packets=N duplicates=N ..." -> the value of `key`.
int64_t audio_figure(const std::string& header, const std::string& key) {
  const size_t at = header.find(key + "=");
  REQUIRE(at != std::string::npos);
  return std::stoll(header.substr(at + key.size() + 1));
}

std::string ip_of(const std::string& endpoint) { return endpoint.substr(0, endpoint.rfind(':')); }

}  // namespace

TEST_CASE("gui audio lists a call's RTP streams and plays G.711 as WAV", "[gui][audio][system]") {
  audio_env e("gui_audio", "yes");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);  // a viewer may listen
  size_t played = 0, refused = 0;
  for (const auto& t : e.truth) {
    const std::string callid = t["callid"];
    INFO("call " << callid << " a_payload " << t["a_payload"]);
    const int64_t id = e.id_of(c, callid);
    const std::string base = "/api/cdr/" + std::to_string(id) + "/audio";
    auto list = c.get_json(base);
    CHECK(list["id"] == id);
    REQUIRE(list["streams"].size() == 2);  // caller -> callee and back
    for (const auto& s : list["streams"]) {
      const bool from_caller = ip_of(s["src"]) == t["sipcallerip"].get<std::string>();
      const std::string side = from_caller ? "a_" : "b_";
      const int payload = t[side + "payload"];
      const int64_t received = t[side + "received"], lost = t[side + "lost"], dups = t[side + "duplicates"];
      INFO("stream " << s.dump());
      CHECK(ip_of(s["dst"]) == (from_caller ? t["sipcalledip"] : t["sipcallerip"]).get<std::string>());
      CHECK(s["payload_type"] == payload);
      CHECK(s["packets"] == received);
      CHECK(s["ssrc"].get<std::string>().rfind("0x", 0) == 0);
      CHECK(s["ssrc"].get<std::string>().size() == 10);
      const std::string wav_path = base + "/" + std::to_string(s["index"].get<int>()) + ".wav";
      if (payload != 0 && payload != 8) {
        CHECK(s["playable"] == false);
        CHECK(s["codec"] == (payload == 18 ? "G729" : "dynamic PT 111"));
        CHECK(s["reason"].get<std::string>().find("is not G.711") != std::string::npos);
        auto r = c.get(wav_path);
        CHECK(r.status == 404);
        CHECK(error_of(r).find("is not G.711: only PCMU (0) and PCMA (8) can be played") != std::string::npos);
        ++refused;
        continue;
      }
      CHECK(s["playable"] == true);
      CHECK(s["codec"] == (payload == 0 ? "PCMU" : "PCMA"));
      CHECK(s["wav"] == wav_path);
      auto r = c.get(wav_path);
      REQUIRE(r.status == 200);
      CHECK(r.header("content-type") == "audio/wav");
      CHECK(r.header("content-disposition").find("inline; filename=\"") == 0);
      // Every sequence number from the first to the highest, 160 samples (20 ms at 8 kHz) each:
      // the truth's lost is expected - received with the duplicates counted as received, so
      // expected = received + lost, and lost + duplicates numbers never arrived (silence).
      const int64_t samples = (received + lost) * 160;
      REQUIRE(r.body.size() == 44 + 2 * static_cast<size_t>(samples));
      CHECK(r.body.substr(0, 4) == "RIFF");
      CHECK(le32(r.body, 4) == 36 + 2 * samples);
      CHECK(r.body.substr(8, 8) == "WAVEfmt ");
      CHECK(le32(r.body, 16) == 16);
      CHECK(le16(r.body, 20) == 1);      // PCM
      CHECK(le16(r.body, 22) == 1);      // mono
      CHECK(le32(r.body, 24) == 8000);
      CHECK(le32(r.body, 28) == 16000);
      CHECK(le16(r.body, 32) == 2);
      CHECK(le16(r.body, 34) == 16);
      CHECK(r.body.substr(36, 4) == "data");
      CHECK(le32(r.body, 40) == 2 * samples);
      const std::string figures = r.header("x-voxmon-audio");
      CHECK(audio_figure(figures, "packets") == received - dups);
      CHECK(audio_figure(figures, "duplicates") == dups);
      CHECK(audio_figure(figures, "silence_samples") == (lost + dups) * 160);
      CHECK(r.header("x-voxmon-audio-note").empty());
      ++played;
    }
  }
  CHECK(played == 8);   // 4 G.711 calls, both directions
  CHECK(refused == 4);  // G.729 and opus
  int64_t lost_total = 0, dup_total = 0;
  for (const auto& t : e.truth) {
    lost_total += t["a_lost"].get<int64_t>() + t["b_lost"].get<int64_t>();
    dup_total += t["a_duplicates"].get<int64_t>() + t["b_duplicates"].get<int64_t>();
  }
  CHECK(lost_total > 0);  // the capture does exercise gaps and duplicates
  CHECK(dup_total > 0);

  // Refusals, each with its reason.
  const int64_t id = e.id_of(c, e.truth[0]["callid"]);
  const std::string base = "/api/cdr/" + std::to_string(id) + "/audio";
  auto r = c.get(base + "/2.wav");
  CHECK(r.status == 404);
  CHECK(error_of(r) == "call " + std::to_string(id) + " has 2 RTP streams: no stream 2 (streams count from 0)");
  r = c.get(base + "/x.wav");
  CHECK(r.status == 404);
  CHECK(error_of(r).find("a stream's audio is /api/cdr/ID/audio/N.wav") != std::string::npos);
  r = c.get(base + "?stream=1");
  CHECK(r.status == 400);
  CHECK(error_of(r).find("unknown parameter 'stream'") != std::string::npos);
  r = c.get("/api/cdr/999999/audio");
  CHECK(r.status == 404);
  CHECK(error_of(r) == "no call with id 999999");
  CHECK(c.get("/api/cdr/999999/audio/0.wav").status == 404);
  CHECK(c.send("POST", base, "{}").status == 405);
  session_client anonymous(e.port);
  CHECK(anonymous.get(base + "/0.wav").status == 401);

  // The spool file gone (cleaned): a clear 404.
  std::filesystem::remove_all(e.dir / "spool");
  r = c.get(base);
  CHECK(r.status == 404);
  CHECK(error_of(r).find("no RTP pcap of call " + std::to_string(id)) != std::string::npos);
}

TEST_CASE("gui audio of RTP saved as headers only is a clear 404", "[gui][audio][system]") {
  audio_env e("gui_audio_header", "header");
  session_client c(e.port);
  REQUIRE(c.login("viewer", viewer_password).status == 200);
  const int64_t id = e.id_of(c, e.truth[0]["callid"]);
  const auto detail = c.get_json("/api/cdr/" + std::to_string(id));
  CHECK(detail["pcap"]["rtp"] == true);  // the file is there, without payloads
  for (const std::string path : {"/audio", "/audio/0.wav"}) {
    auto r = c.get("/api/cdr/" + std::to_string(id) + path);
    CHECK(r.status == 404);
    CHECK(error_of(r).rfind("RTP saved as headers only: no audio", 0) == 0);
  }
}
