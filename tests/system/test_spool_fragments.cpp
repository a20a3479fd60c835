// Per-call SIP files of IP-fragmented SIP: the file holds every fragment frame of each
// reassembled message (not only the frame that completed it), byte for byte as captured, and
// tshark reassembles the file into the same SIP messages it sees for that Call-ID in the
// original capture. Needs tshark (skipped without it).
#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include <set>
#include <sstream>

#include "core/spool_path.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> frames_of(const fs::path& p) {
  std::vector<std::string> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline(p.string().c_str(), err);
  REQUIRE(h != nullptr);
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(h, &hdr, &data) == 1)
    out.emplace_back(reinterpret_cast<const char*>(data), hdr->caplen);
  pcap_close(h);
  return out;
}

// tshark's lines for the SIP messages of `call_id` in `file`, with `fields`.
std::vector<std::string> tshark_sip(const fs::path& file, const std::string& call_id,
                                    const std::vector<std::string>& fields) {
  std::vector<std::string> args = {"-r", file.string(), "-Y", "sip.Call-ID == \"" + call_id + "\"",
                                   "-T", "fields", "-E", "separator=/s"};
  for (const auto& f : fields) {
    args.push_back("-e");
    args.push_back(f);
  }
  auto r = run("/usr/bin/tshark", args);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("a fragmented SIP message is saved with every fragment frame", "[system][spool]") {
  if (!fs::exists("/usr/bin/tshark")) {
    WARN("skipped: tshark is not installed");
    return;
  }
  const auto dir = temp_dir("spool-fragments");
  auto g = run(VOXMON_GEN_BIN, {"--sample", "--fragment-sip", "-o", (dir / "x.pcap").string()}, dir);
  REQUIRE(g.exit_code == 0);
  auto r = run(VOXMON_BIN, {"-r", "x.pcap", "--cdr-jsonl", "cdr.jsonl", "--db", "none",
                            "--no-progress", "--savesip", "yes"},
               dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto original = frames_of(dir / "x.pcap");
  const auto cdrs = read_jsonl(dir / "cdr.jsonl");
  REQUIRE(cdrs.size() == read_jsonl(dir / "x.pcap.truth.jsonl").size());

  size_t fragment_frames = 0;
  for (const auto& cdr : cdrs) {
    const std::string id = cdr["callid"].get<std::string>();
    INFO("call " << id);
    // The frames tshark attributes to the call: each SIP message's frame and, for a reassembled
    // one, the frames of its fragments (ip.fragment / ipv6.fragment list frame numbers).
    std::set<size_t> numbers;
    const auto lines = tshark_sip(dir / "x.pcap", id, {"frame.number", "ip.fragment", "ipv6.fragment"});
    for (std::string line : lines) {
      for (char& c : line)
        if (c == '/' || c == ',')
          c = ' ';
      std::istringstream in(line);
      for (size_t n; in >> n;)
        numbers.insert(n);
    }
    fragment_frames += numbers.size() - lines.size();
    REQUIRE_FALSE(numbers.empty());
    std::vector<std::string> want;
    for (size_t n : numbers)
      want.push_back(original.at(n - 1));

    const std::string minute = cdr["calldate"].get<std::string>();
    const fs::path sip = dir / "spool" / minute.substr(0, 10) / minute.substr(11, 2) /
                         minute.substr(14, 2) / "SIP" / (cdr["fbasename"].get<std::string>() + ".pcap");
    const auto saved = frames_of(sip);
    CHECK(saved.size() == want.size());
    CHECK(saved == want);

    // tshark reassembles the saved file into the same SIP messages.
    const std::vector<std::string> view = {"sip.Method", "sip.Status-Code", "sip.CSeq.seq", "sip.CSeq.method"};
    CHECK(tshark_sip(sip, id, view) == tshark_sip(dir / "x.pcap", id, view));
  }
  CHECK(fragment_frames > 0);  // the capture did hold fragmented SIP
}
