// Packet mirroring with real processes on loopback: mirror senders (packetbuffer_sender = yes)
// stream raw packets to the central node, which processes them per sensor. What the receiver
// writes must be what `voxmon -r` writes for the same capture, apart from id_sensor.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>

#include "background_process.hpp"
#include "cluster_helpers.hpp"

using namespace voxmon;
using namespace voxmon::test::cluster;
using namespace std::chrono_literals;

namespace {

std::string mirror_conf(uint16_t port, uint32_t id, const std::string& extra = "") {
  return sensor_conf(port, id, "packetbuffer_sender = yes\n" + extra);
}

// Every CDR line of a JSON Lines file without id_sensor, in file order.
std::vector<std::string> lines_without_sensor(const std::filesystem::path& p) {
  std::vector<std::string> out;
  for (auto row : test::read_jsonl(p)) {
    row.erase("id_sensor");
    out.push_back(row.dump());
  }
  return out;
}

// The CDR lines of one sensor in a receiver's file, id_sensor removed.
std::vector<std::string> lines_of_sensor(const std::filesystem::path& p, uint32_t id) {
  std::vector<std::string> out;
  for (auto row : test::read_jsonl(p))
    if (row["id_sensor"].get<uint32_t>() == id) {
      row.erase("id_sensor");
      out.push_back(row.dump());
    }
  return out;
}

std::vector<std::string> local_run(const std::filesystem::path& dir, const std::string& capture,
                                   const std::string& out) {
  auto r = test::run(VOXMON_BIN, {"-r", capture, "--db", "none", "--cdr-jsonl", out, "--no-progress"}, dir);
  REQUIRE(r.exit_code == 0);
  return lines_without_sensor(dir / out);
}

// A central node (CDRs to server.jsonl) and one mirror sender, sensor `id` with `extra` in its
// configuration, run to its end on `capture` with `sender_args`.
struct one_sender_run {
  std::unique_ptr<test::background_process> server;
  test::process_result sender;
};
one_sender_run mirror_one(const std::filesystem::path& dir, uint32_t id, const std::string& extra,
                          std::vector<std::string> sender_args) {
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "m.conf", mirror_conf(port, id, extra));
  one_sender_run r;
  r.server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  sender_args.insert(sender_args.begin(), {"-c", "m.conf"});
  r.sender = test::run(VOXMON_BIN, sender_args, dir);
  return r;
}

// The sender's last status line ("mirror: ..."), written at exit.
std::string last_status_line(const std::string& err) {
  const size_t last = err.rfind("mirror: ");
  REQUIRE(last != std::string::npos);
  return err.substr(last, err.find('\n', last) - last);
}

}  // namespace

TEST_CASE("mirror: the receiver's CDRs equal local processing of the same captures", "[mirror]") {
  auto dir = test::temp_dir("mirror_equivalence");
  std::vector<std::string> captures;
  generate(dir, "sample.pcap", {"--sample", "--seed", "7"});
  captures.push_back("sample.pcap");
  generate(dir, "tcp.pcap", {"--calls", "30", "--transport", "tcp", "--seed", "3"});
  captures.push_back("tcp.pcap");
  const std::filesystem::path corpus = std::filesystem::path(VOXMON_CORPUS_DIR) / "pcaps";
  for (const char* name : {"ws-SIP_CALL_RTP_G711.pcap", "sipnab-sip-over-tcp.pcap", "sngrep-ipip.pcap",
                           "packetnet-udp-ip-fragmented.pcap", "heplify-sip_tcp_websocket.pcap",
                           "sipnab-sip-488-codec-reject.pcapng"})
    if (std::filesystem::exists(corpus / name))
      captures.push_back((corpus / name).string());
  if (captures.size() == 2)
    WARN("../shared/corpus is absent: only generated captures are mirrored");

  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  uint32_t id = 40;
  for (const auto& capture : captures) {
    ++id;
    INFO(capture);
    const auto local = local_run(dir, capture, "local" + std::to_string(id) + ".jsonl");
    write_text(dir / ("m" + std::to_string(id) + ".conf"), mirror_conf(port, id));
    auto sender = test::run(VOXMON_BIN, {"-c", "m" + std::to_string(id) + ".conf", "-r", capture}, dir);
    INFO(sender.err);
    REQUIRE(sender.exit_code == 0);
    CHECK(sender.err.find("mirroring to 127.0.0.1:" + std::to_string(port) + " as sensor " +
                          std::to_string(id)) != std::string::npos);
    // Acknowledged end of stream: the receiver has written every CDR of this sensor.
    const auto mirrored = lines_of_sensor(dir / "server.jsonl", id);
    CHECK(mirrored.size() == local.size());
    CHECK(mirrored == local);
  }
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("mirror: three senders at once give three sets of CDRs with the right sensor ids", "[mirror]") {
  auto dir = test::temp_dir("mirror_three");
  const auto a = generate(dir, "a.pcap", {"--calls", "200", "--seed", "11"});
  const auto b = generate(dir, "b.pcap", {"--calls", "200", "--seed", "12"});
  const auto c = generate(dir, "c.pcap", {"--calls", "200", "--seed", "13"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  for (uint32_t id : {51, 52, 53})
    write_text(dir / ("m" + std::to_string(id) + ".conf"), mirror_conf(port, id));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  test::background_process s1(VOXMON_BIN, {"-c", "m51.conf", "-r", "a.pcap"}, dir, "s1");
  test::background_process s2(VOXMON_BIN, {"-c", "m52.conf", "-r", "b.pcap"}, dir, "s2");
  test::background_process s3(VOXMON_BIN, {"-c", "m53.conf", "-r", "c.pcap"}, dir, "s3");
  REQUIRE(s1.wait_for(120s) == 0);
  REQUIRE(s2.wait_for(120s) == 0);
  REQUIRE(s3.wait_for(120s) == 0);
  CHECK(cdrs_in_jsonl(dir / "server.jsonl") == expected({{&a, 51}, {&b, 52}, {&c, 53}}));
  // The server's table knows them as mirror senders, with every packet of their captures.
  auto status = test::run(VOXMON_BIN, {"-c", "server.conf", "status", "--server", "127.0.0.1:" + std::to_string(port)}, dir);
  INFO(status.out << status.err);
  REQUIRE(status.exit_code == 0);
  for (const auto& [id, capture] : {std::pair{51, "a.pcap"}, {52, "b.pcap"}, {53, "c.pcap"}}) {
    const std::string row_start = std::to_string(id) + "        sensor" + std::to_string(id);
    const size_t at = status.out.find(row_start);
    REQUIRE(at != std::string::npos);
    const std::string row = status.out.substr(at, status.out.find('\n', at) - at);
    CHECK(row.find(" mirror ") != std::string::npos);
    CHECK(row.find(" " + std::to_string(frames_in(dir / capture)) + " ") != std::string::npos);
    CHECK(row.substr(row.size() - 2) == " 0");  // nothing dropped
  }
  // Each sensor's CDRs are those of a local run of its capture.
  CHECK(lines_of_sensor(dir / "server.jsonl", 52) == local_run(dir, "b.pcap", "local_b.jsonl"));
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("mirror: a wrong password is refused and no packet is processed", "[mirror]") {
  auto dir = test::temp_dir("mirror_wrong_password");
  generate(dir, "a.pcap", {"--sample"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  std::string conf = mirror_conf(port, 61, "server_flush_timeout = 2\n");
  conf.replace(conf.find("correct horse"), 13, "battery staple");
  write_text(dir / "bad.conf", conf);
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  auto r = test::run(VOXMON_BIN, {"-c", "bad.conf", "-r", "a.pcap"}, dir);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("refused: wrong server_password") != std::string::npos);
  CHECK(r.err.find("frames not acknowledged by the receiver") != std::string::npos);
  CHECK(server->err().find("refused sensor 61 (sensor61): wrong server_password") != std::string::npos);
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
  CHECK(test::read_file(dir / "server.jsonl").empty());
}

TEST_CASE("mirror: with a tiny buffer and the receiver away the loss is counted and flagged", "[mirror]") {
  auto dir = test::temp_dir("mirror_tiny_buffer");
  // 40 s of traffic read at 20x real time: about 2 s of sending.
  generate(dir, "a.pcap", {"--calls", "80", "--cps", "2", "--seed", "5"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "m.conf", mirror_conf(port, 71, "max_buffer_mem = 1\nmirror_frame_kb = 64\n"));
  test::background_process sender(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap", "--replay-speed", "20"}, dir, "sender");
  // The receiver is away until the whole file has been read: the 1 MB buffer overflows and the
  // end of the file is among the dropped frames (the sender must still end its stream, and the
  // receiver learns of the last drops from the end message).
  std::this_thread::sleep_for(3500ms);
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  REQUIRE(sender.wait_for(120s) == 0);
  INFO(sender.err());
  const std::string err = sender.err();
  const auto lost_at = err.find("lost ");
  REQUIRE(lost_at != std::string::npos);
  CHECK(err.find("lost 0 frames") == std::string::npos);  // frames were dropped, and said so
  CHECK(server->err().find("mirror sensor 71 lost ") != std::string::npos);
  // Both sides count the same packets lost: the sender's last status line, the server's table.
  const size_t frames_at = err.rfind("| lost ");
  REQUIRE(frames_at != std::string::npos);
  const std::string tail = err.substr(frames_at);  // "| lost N frames M packets"
  const std::string lost_packets = tail.substr(tail.find("frames ") + 7, tail.find(" packets") - tail.find("frames ") - 7);
  auto status = test::run(VOXMON_BIN, {"-c", "server.conf", "status", "--server", "127.0.0.1:" + std::to_string(port)}, dir);
  INFO(status.out);
  const size_t row_at = status.out.find("71        sensor71");
  REQUIRE(row_at != std::string::npos);
  const std::string row = status.out.substr(row_at, status.out.find('\n', row_at) - row_at);
  CHECK(row.substr(row.rfind(' ') + 1) == lost_packets);
  size_t flagged = 0, rows = 0;
  for (const auto& row : test::read_jsonl(dir / "server.jsonl")) {
    ++rows;
    if (row.value("capture_loss", false))
      ++flagged;
  }
  CHECK(rows > 0);
  CHECK(flagged > 0);
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}

TEST_CASE("mirror: the receiver killed and restarted mid-stream ends with the same CDRs", "[mirror]") {
  auto dir = test::temp_dir("mirror_receiver_restart");
  // About 70 s of calls with RTP, read at 10x real time: the kill lands in the middle.
  const auto truth = generate(dir, "a.pcap", {"--calls", "150", "--cps", "2.5", "--seed", "21"});
  const auto local = local_run(dir, "a.pcap", "local.jsonl");
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port));
  write_text(dir / "m.conf", mirror_conf(port, 81));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  test::background_process sender(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap", "--replay-speed", "10"}, dir, "sender");
  std::this_thread::sleep_for(3500ms);
  server->signal(SIGKILL);
  REQUIRE(server->wait_for(10s) == -1);
  std::this_thread::sleep_for(1000ms);
  const size_t before_restart = test::read_file(dir / "server.jsonl").size();
  // The restarted node goes on in the same file (a line torn by the kill is cut off first).
  server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"}, "server2");
  REQUIRE(sender.wait_for(120s) == 0);
  INFO(sender.err());
  CHECK(sender.err().find("lost the receiver") != std::string::npos);
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);

  // Every CDR written before the kill is one a local run writes (calls rebuilt after the restart
  // are written again, identical); together the two runs hold exactly the local run's CDRs.
  CHECK(before_restart > 0);
  const auto lines = lines_without_sensor(dir / "server.jsonl");  // every line parses
  CHECK(lines.size() >= local.size());
  const std::set<std::string> both(lines.begin(), lines.end());
  const std::set<std::string> expected_lines(local.begin(), local.end());
  CHECK(both.size() == expected_lines.size());
  CHECK(both == expected_lines);
  std::set<std::string> ids;
  for (const auto& line : both)
    ids.insert(nlohmann::json::parse(line)["callid"].get<std::string>());
  CHECK(ids == truth);
}

TEST_CASE("mirror: a capturing node with server_bind is also the receiver", "[mirror]") {
  auto dir = test::temp_dir("mirror_capturing_receiver");
  generate(dir, "a.pcap", {"--sample", "--seed", "9"});
  const auto local = local_run(dir, "a.pcap", "local.jsonl");
  const uint16_t port = free_port();
  // A live daemon (here its source is a HEP listener that gets nothing) with the server keys.
  write_text(dir / "node.conf", server_conf(port, "hep = yes\nhep_bind = 127.0.0.1\nhep_bind_port = " +
                                                    std::to_string(free_port()) + "\nid_sensor = 1\n"));
  write_text(dir / "m.conf", mirror_conf(port, 91));
  test::background_process node(VOXMON_BIN, {"-c", "node.conf", "--db", "none", "--cdr-jsonl", "node.jsonl"}, dir, "node");
  REQUIRE(node.wait_for_stderr("central node listening", 20s));
  REQUIRE(node.wait_for_stderr("HEP listener on", 20s));
  auto sender = test::run(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap"}, dir);
  INFO(sender.err);
  REQUIRE(sender.exit_code == 0);
  CHECK(lines_of_sensor(dir / "node.jsonl", 91) == local);
  node.signal(SIGTERM);
  CHECK(node.wait_for(30s) == 0);
  CHECK(lines_of_sensor(dir / "node.jsonl", 1).empty());
}

TEST_CASE("mirror: a slow receiver slows a file sender down, nothing is dropped", "[mirror]") {
  auto dir = test::temp_dir("mirror_slow_receiver");
  generate(dir, "a.pcap", {"--calls", "60", "--seed", "17"});
  const auto local = local_run(dir, "a.pcap", "local.jsonl");
  const uint16_t port = free_port();
  // The receiver saves every call's packets on a disk that takes 3 ms per write: its pipeline
  // (at most 8 batches alive) holds the senders' acknowledgements back.
  write_text(dir / "server.conf", server_conf(port, "savesip = yes\nsavertp = yes\nspooldir = spool\n"));
  // A 1 MB buffer, far smaller than the capture: a sender that did not wait would drop.
  write_text(dir / "m.conf", mirror_conf(port, 97, "max_buffer_mem = 1\nmirror_frame_kb = 128\nmirror_window = 2\n"));
  auto server = std::make_unique<test::background_process>(
    "/usr/bin/env", std::vector<std::string>{"VOXMON_TEST_SPOOL_WRITE_DELAY_US=3000", VOXMON_BIN, "-c", "server.conf",
                                             "--db", "none", "--cdr-jsonl", "server.jsonl"},
    dir, "server");
  REQUIRE(server->wait_for_stderr("central node listening", 20s));
  auto sender = test::run(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap"}, dir);
  INFO(sender.err);
  REQUIRE(sender.exit_code == 0);
  CHECK(sender.err.find("lost 0 frames 0 packets") != std::string::npos);
  CHECK(lines_of_sensor(dir / "server.jsonl", 97) == local);
  server->signal(SIGTERM);
  CHECK(server->wait_for(30s) == 0);
  // Every packet reached the call files.
  uint64_t saved = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "spool"))
    if (e.is_regular_file() && e.path().extension() == ".pcap")
      saved += frames_in(e.path());
  CHECK(saved > 0);
}

TEST_CASE("mirror: frames sent without compression give the same CDRs", "[mirror]") {
  auto dir = test::temp_dir("mirror_uncompressed");
  generate(dir, "a.pcap", {"--sample", "--seed", "23"});
  const auto local = local_run(dir, "a.pcap", "local.jsonl");
  auto run = mirror_one(dir, 99, "packetbuffer_compress = no\n", {"-r", "a.pcap"});
  INFO(run.sender.err);
  REQUIRE(run.sender.exit_code == 0);
  CHECK(last_status_line(run.sender.err).find("compression 1.00 (0 frames)") != std::string::npos);
  CHECK(lines_of_sensor(dir / "server.jsonl", 99) == local);
  run.server->signal(SIGTERM);
  CHECK(run.server->wait_for(20s) == 0);
}

TEST_CASE("mirror: frames of speech-like payloads go as they are after a probe, and give the same CDRs",
          "[mirror]") {
  auto dir = test::temp_dir("mirror_noise");
  // Payloads Snappy cannot shrink by 20 %: the sender tries 1 frame in 16; the receiver gets
  // compressed and uncompressed frames mixed in one stream.
  const auto truth = generate(dir, "a.pcap", {"--calls", "40", "--seed", "29", "--payload", "noise"});
  const auto local = local_run(dir, "a.pcap", "local.jsonl");
  REQUIRE(local.size() == truth.size());
  auto run = mirror_one(dir, 98, "mirror_frame_kb = 64\n", {"-r", "a.pcap"});
  INFO(run.sender.err);
  REQUIRE(run.sender.exit_code == 0);
  // "... | N frames (acked N) P packets | compression R (C frames) | ...".
  const std::string line = last_status_line(run.sender.err);
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex(R"(\| (\d+) frames \(acked \d+\) (\d+) packets \| )"
                                                 R"(compression (\d\.\d\d) \((\d+) frames\))")));
  const uint64_t frames = std::stoull(m[1]), compressed = std::stoull(m[4]);
  CHECK(std::stoull(m[2]) == frames_in(dir / "a.pcap"));
  CHECK(frames > 64);
  CHECK(compressed >= 1);             // the first frame was tried and came out smaller
  CHECK(compressed * 8 <= frames);    // most frames were not even tried
  CHECK(std::stod(m[3]) > 0.95);      // so nearly every byte went as it is
  CHECK(lines_of_sensor(dir / "server.jsonl", 98) == local);
  run.server->signal(SIGTERM);
  CHECK(run.server->wait_for(20s) == 0);
}

TEST_CASE("mirror: the sender's last status line gives the wire rate averaged over the run", "[mirror]") {
  auto dir = test::temp_dir("mirror_final_rate");
  // Three calls with 3 s of talk, streamed in real time and uncompressed: the sender runs for
  // at least the capture's 3 s and sends exactly the file's records (its size less the 24-byte
  // file header; a mirror record header is as long as a pcap one). The last line once divided
  // that by 1 s, whatever the run's length.
  generate(dir, "a.pcap", {"--calls", "3", "--cps", "100", "--duration-min", "3", "--duration-max", "3",
                           "--outcomes", "answered=1", "--seed", "37"});
  const double wire_bits = (std::filesystem::file_size(dir / "a.pcap") - 24) * 8.0;
  const auto t0 = std::chrono::steady_clock::now();  // before the server starts: an upper bound
  auto run = mirror_one(dir, 72, "packetbuffer_compress = no\n", {"-r", "a.pcap", "--replay-speed", "1"});
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(run.sender.err);
  REQUIRE(run.sender.exit_code == 0);
  const std::string line = last_status_line(run.sender.err);
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex(R"(\| wire (\d+\.\d\d) Mbit/s \|)")));
  const double mbit = std::stod(m[1]);
  CHECK(mbit >= 0.98 * wire_bits / run_seconds / 1e6);  // averaged over no more than the run
  CHECK(mbit <= 1.02 * wire_bits / 3.0 / 1e6);          // ... and over no less than the capture
  run.server->signal(SIGTERM);
  CHECK(run.server->wait_for(20s) == 0);
}

TEST_CASE("mirror: a sender that disappears has its open calls timed out on the receiver", "[mirror]") {
  auto dir = test::temp_dir("mirror_sender_gone");
  // Three answered calls with 60 s of talk, begun within 0.1 s, streamed in real time; the
  // sender is killed after 4 s and never comes back. Without the silence rule the receiver kept
  // these calls open until it was stopped.
  const auto truth = generate(dir, "a.pcap", {"--calls", "3", "--cps", "100", "--duration-min", "60",
                                              "--duration-max", "60", "--outcomes", "answered=1",
                                              "--seed", "31"});
  const uint16_t port = free_port();
  write_text(dir / "server.conf", server_conf(port, "rtptimeout = 3\n"));
  write_text(dir / "m.conf", mirror_conf(port, 71));
  auto server = start_server(dir, {"-c", "server.conf", "--db", "none", "--cdr-jsonl", "server.jsonl"});
  test::background_process sender(VOXMON_BIN, {"-c", "m.conf", "-r", "a.pcap", "--replay-speed", "1"}, dir, "sender");
  std::this_thread::sleep_for(4500ms);
  sender.signal(SIGKILL);
  REQUIRE(sender.wait_for(10s) == -1);
  const auto killed = std::chrono::steady_clock::now();
  // 5 s of silence, then rtptimeout (3 s) on the receiver's clock, checked once a second.
  std::vector<nlohmann::json> rows;
  while (std::chrono::steady_clock::now() - killed < 30s) {
    if (std::filesystem::exists(dir / "server.jsonl"))
      rows = test::read_jsonl(dir / "server.jsonl");
    if (rows.size() >= 3)
      break;
    std::this_thread::sleep_for(250ms);
  }
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  INFO(server->err());
  REQUIRE(rows.size() == 3);
  CHECK(waited > 5.0);  // not before the sender had been silent for 5 s
  std::set<std::string> ids;
  for (const auto& row : rows) {
    ids.insert(row["callid"].get<std::string>());
    CHECK(row["id_sensor"] == 71);
    CHECK(row["bye"] == 104);  // closed by rtptimeout
    CHECK(row["connect_duration"].get<double>() < 10.0);
  }
  CHECK(ids == truth);
  CHECK(server->err().find("mirror sensor 71: no frame for") != std::string::npos);
  server->signal(SIGTERM);
  CHECK(server->wait_for(20s) == 0);
}
