// The spool on a bad disk, through the real binary:
// - a slow disk (every write delayed by VOXMON_TEST_SPOOL_WRITE_DELAY_US): the capture waits for
//   the writers (batches are released only once written out of), so peak memory stays bounded
//   and every packet is saved;
// - a full disk (a 2 MB tmpfs mounted as spooldir, root only): a clear error naming the
//   reason, the packets that did not fit counted as dropped (saved + dropped = all), every CDR
//   written, exit code 0, and every file left in the spool a readable pcap.
#include <catch2/catch.hpp>

#include <pcap/pcap.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <regex>

#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;

namespace {

// Packets of a file read with libpcap; -1 when it cannot be opened or ends in an error.
long pcap_packets(const fs::path& p) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline(p.string().c_str(), err);
  if (!h)
    return -1;
  pcap_pkthdr* hdr;
  const u_char* data;
  long n = 0;
  int rc;
  while ((rc = pcap_next_ex(h, &hdr, &data)) == 1)
    ++n;
  pcap_close(h);
  return rc == -2 ? n : -1;
}

// SIP messages (by Call-ID header) plus RTP packets received, per the generator's truth: what
// savesip + savertp must save.
uint64_t packets_to_save(const fs::path& dir) {
  uint64_t n = 0;
  for (auto& t : read_jsonl(dir / "x.pcap.truth.jsonl"))
    for (const auto& s : t["rtp"])
      n += s["received"].get<uint64_t>();
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline((dir / "x.pcap").string().c_str(), err);
  REQUIRE(h != nullptr);
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(h, &hdr, &data) == 1) {
    const std::string_view f(reinterpret_cast<const char*>(data), hdr->caplen);
    n += f.find("\r\nCall-ID: ") != std::string_view::npos;
  }
  pcap_close(h);
  return n;
}

struct spool_summary {
  uint64_t files = 0, saved = 0, dropped = 0;
};

spool_summary summary_of(const std::string& err) {
  static const std::regex re(R"(voxmon: spool .*: (\d+) files, (\d+) packets saved, (\d+) dropped)");
  std::smatch m;
  REQUIRE(std::regex_search(err, m, re));
  return {std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
}

void generate(const fs::path& dir, const std::string& calls, const std::string& duration) {
  auto g = run(VOXMON_GEN_BIN, {"-q", "--seed", "5", "--calls", calls, "--concurrency", "20",
                                "--duration-min", duration, "--duration-max", duration,
                                "--outcomes", "answered=1", "-o", (dir / "x.pcap").string()},
               dir);
  REQUIRE(g.exit_code == 0);
}

struct timed_run {
  process_result r;
  long max_rss_kib = 0;
  double seconds = 0;
};

timed_run run_saving(const fs::path& dir, const std::string& spooldir, const std::string& delay_us) {
  timed_run t;
  const auto start = std::chrono::steady_clock::now();
  t.r = run("/usr/bin/env", {"VOXMON_TEST_SPOOL_WRITE_DELAY_US=" + delay_us, "/usr/bin/time", "-f",
                             "%M", "-o", "rss.txt", VOXMON_BIN, "-r", "x.pcap", "--db", "none",
                             "--cdr-jsonl", "cdr.jsonl", "--no-progress", "--table-rows", "0",
                             "--batch-packets", "1024", "--savesip", "yes", "--savertp", "yes",
                             "--spooldir", spooldir},
            dir);
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.max_rss_kib = std::stol(read_file(dir / "rss.txt"));
  return t;
}

}  // namespace

TEST_CASE("a slow spool disk slows the capture down with bounded memory and nothing lost", "[system][spool]") {
  if (!fs::exists("/usr/bin/time")) {
    WARN("skipped: /usr/bin/time is not installed");
    return;
  }
  const auto dir = temp_dir("spool-slow");
  generate(dir, "120", "30");  // ~720k packets, ~66 MB: far more than the batches in flight
  const uint64_t want = packets_to_save(dir);
  const auto capture_kib = static_cast<long>(fs::file_size(dir / "x.pcap") / 1024);

  auto fast = run_saving(dir, "spool-fast", "0");
  INFO(fast.r.err);
  REQUIRE(fast.r.exit_code == 0);
  // 4 ms per write of a 64 KB buffer: a ~16 MB/s disk, far slower than the analysis.
  auto slow = run_saving(dir, "spool-slow", "4000");
  INFO(slow.r.err);
  REQUIRE(slow.r.exit_code == 0);
  const auto f = summary_of(fast.r.err), s = summary_of(slow.r.err);
  INFO("fast: " << fast.seconds << " s, " << fast.max_rss_kib << " KiB; slow: " << slow.seconds
                << " s, " << slow.max_rss_kib << " KiB; capture " << capture_kib << " KiB");
  CHECK(f.saved == want);
  CHECK(s.saved == want);  // every packet saved
  CHECK(s.dropped == 0);
  CHECK(read_jsonl(dir / "cdr.jsonl").size() == 120);
  CHECK(slow.seconds > fast.seconds + 0.5);  // the delay did apply: the writers were the bottleneck
  // Bounded: the slow run holds at most a few MB more than the fast one (capture batches in
  // flight, writers' buffers), far from the capture's size that a queue without back-pressure
  // would accumulate (the writer holding no batches reached fast + 63 MB here).
  CHECK(slow.max_rss_kib < fast.max_rss_kib + 24 * 1024);
  CHECK(24 * 1024 < capture_kib / 2);  // so the bound above is well below the capture's size
}

TEST_CASE("a full spool disk is a clear error and counted drops and every CDR is written", "[system][spool]") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a small tmpfs needs root");
    return;
  }
  const auto dir = temp_dir("spool-full");
  const auto mnt = dir / "spool";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=2m") != 0) {
    WARN("skipped: cannot mount a tmpfs here: " << std::strerror(errno));
    return;
  }
  struct unmount_guard {
    fs::path p;
    ~unmount_guard() { ::umount2(p.c_str(), MNT_DETACH); }
  } guard{mnt};

  generate(dir, "20", "20");  // ~80k packets, ~17 MB: far more than 2 MB
  const uint64_t want = packets_to_save(dir);
  auto t = run_saving(dir, mnt.string(), "0");
  INFO(t.r.err);
  CHECK(t.r.exit_code == 0);  // spool errors never fail the analysis
  CHECK(t.r.err.find("voxmon: spool: write ") != std::string::npos);
  CHECK(t.r.err.find("No space left on device") != std::string::npos);
  const auto sum = summary_of(t.r.err);
  CHECK(sum.saved > 0);
  CHECK(sum.dropped > 0);
  CHECK(sum.saved + sum.dropped == want);  // each packet either saved or counted
  CHECK(read_jsonl(dir / "cdr.jsonl").size() == 20);

  // Whatever is in the spool is whole records: every file opens and reads to its end, and the
  // packets in the files are the packets counted as saved.
  uint64_t in_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(mnt))
    if (e.path().extension() == ".pcap") {
      const long n = pcap_packets(e.path());
      INFO(e.path());
      CHECK(n > 0);
      in_files += n > 0 ? static_cast<uint64_t>(n) : 0;
    }
  CHECK(in_files == sum.saved);
}
