// Remote pcaps, the logic both ends share: a sensor serving pieces of a call's files from its
// spool (read_pcap_piece), the central node checking and assembling them (remote_part_download),
// and the temporary directory the copies live in.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/remote_pcap.hpp"
#include "core/spool_path.hpp"
#include "core/temp_dir.hpp"

using namespace voxmon::core;
namespace fs = std::filesystem;

namespace {

constexpr timestamp_ns t2024 = timestamp_ns{1709622489} * ns_per_second;  // 2024-03-05 07:08:09
constexpr uint64_t mib = uint64_t{1} << 20;

fs::path fresh_dir(const std::string& name) {
  auto d = fs::path(VOXMON_TEST_TMP) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// n bytes that differ from position to position, so a piece out of place shows.
std::string pattern(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(seed + i * 7 + i / 251);
  return s;
}

void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

pcap_piece_request request(std::string fb, spool_kind part, uint32_t file, uint64_t offset,
                           uint32_t max_bytes = remote_pcap_piece_bytes) {
  return {std::move(fb), t2024, part, file, offset, max_bytes};
}

// The central node's loop against a sensor that answers with `serve`: the number of requests.
template <class Serve>
size_t run(remote_part_download& d, Serve serve) {
  size_t requests = 0;
  while (auto r = d.next()) {
    REQUIRE(++requests < 1000);  // never loops forever
    d.take(serve(*r));
  }
  return requests;
}

}  // namespace

TEST_CASE("byte sizes in words", "[remote_pcap]") {
  CHECK(byte_size_text(812) == "812 bytes");
  CHECK(byte_size_text(1536) == "1.5 KiB");
  CHECK(byte_size_text(256 * mib) == "256 MiB");
  CHECK(byte_size_text(300 * mib + mib / 5) == "300.2 MiB");
}

TEST_CASE("a sensor serves a call's files in pieces of at most 1 MiB", "[remote_pcap]") {
  const auto spool = fresh_dir("remote-pcap-serve");
  const std::string sip_plain = pattern(2 * mib + 123, 'a'), sip_gz = pattern(10, 'q'), rtp = pattern(700, 'r');
  write_file(spool_file_path(spool, t2024, "c@h", spool_kind::sip, ".pcap"), sip_plain);
  write_file(spool_file_path(spool, t2024, "c@h", spool_kind::sip, ".pcap.gz"), sip_gz);
  write_file(spool_file_path(spool, t2024, "c@h", spool_kind::rtp, ".pcap"), rtp);

  const auto first = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 0), 256 * mib);
  REQUIRE(first.outcome == remote_pcap_outcome::ok);
  REQUIRE(first.files.size() == 2);
  CHECK(first.files[0] == remote_file{"2024-03-05/07/08/SIP/c@h.pcap", sip_plain.size()});
  CHECK(first.files[1] == remote_file{"2024-03-05/07/08/SIP/c@h.pcap.gz", sip_gz.size()});
  CHECK(first.bytes == sip_plain.substr(0, mib));

  SECTION("the last piece of a file is the rest of it") {
    const auto last = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 2 * mib), 256 * mib);
    REQUIRE(last.outcome == remote_pcap_outcome::ok);
    CHECK(last.offset == 2 * mib);
    CHECK(last.bytes == sip_plain.substr(2 * mib));
    const auto second = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 1, 0), 256 * mib);
    CHECK(second.bytes == sip_gz);
  }
  SECTION("never more than 1 MiB, whatever the request says; a smaller request is honoured") {
    auto big = request("c@h", spool_kind::sip, 0, 5);
    big.max_bytes = 64 * mib;
    CHECK(read_pcap_piece(spool, "sensor 7", big, 256 * mib).bytes == sip_plain.substr(5, mib));
    CHECK(read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 5, 3), 256 * mib).bytes ==
          sip_plain.substr(5, 3));
  }
  SECTION("the listing only") {
    const auto list = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::rtp, 0, 0, 0), 256 * mib);
    REQUIRE(list.outcome == remote_pcap_outcome::ok);
    CHECK(list.files == std::vector<remote_file>{{"2024-03-05/07/08/RTP/c@h.pcap", rtp.size()}});
    CHECK(list.bytes.empty());
  }
  SECTION("without the calldate the spool index finds the minute") {
    auto r = request("c@h", spool_kind::rtp, 0, 0);
    r.calldate = 0;
    CHECK(read_pcap_piece(spool, "sensor 7", r, 256 * mib).bytes == rtp);
  }
  SECTION("refusals say why") {
    const auto none = read_pcap_piece(spool, "sensor 7", request("other@h", spool_kind::sip, 0, 0), 256 * mib);
    CHECK(none.outcome == remote_pcap_outcome::not_found);
    CHECK(none.error == "no SIP pcap for call 'other@h' in spool '" + spool.string() + "' of sensor 7");
    CHECK(none.files.empty());

    const auto big = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 0), mib);
    CHECK(big.outcome == remote_pcap_outcome::too_large);
    CHECK(big.error == "the SIP pcap of call 'c@h' in spool '" + spool.string() + "' of sensor 7 holds 2 MiB: "
                       "over the 1 MiB the sensor serves (remote_pcap_max_mb); read it there with voxmon pcap");
    CHECK(big.bytes.empty());
    // The limit is on the part's files together: 2 MiB + 133 bytes.
    CHECK(read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 0), 2 * mib + 133).outcome ==
          remote_pcap_outcome::ok);
    CHECK(read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 0, 0), 2 * mib + 132).outcome ==
          remote_pcap_outcome::too_large);

    for (const char* bad : {"../c@h", "a/b", "", "..", "x y"}) {
      const auto p = read_pcap_piece(spool, "sensor 7", request(bad, spool_kind::sip, 0, 0), 256 * mib);
      CHECK(p.outcome == remote_pcap_outcome::failed);
      CHECK(p.error.find("is not the file name of a call") != std::string::npos);
    }
    const auto no_file = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::sip, 2, 0), 256 * mib);
    CHECK(no_file.outcome == remote_pcap_outcome::failed);
    CHECK(no_file.error.find("has 2 SIP pcap files, not a file number 2") != std::string::npos);
    const auto beyond = read_pcap_piece(spool, "sensor 7", request("c@h", spool_kind::rtp, 0, 701), 256 * mib);
    CHECK(beyond.outcome == remote_pcap_outcome::failed);
    CHECK(beyond.error.find("beyond the end") != std::string::npos);
  }
}

TEST_CASE("the central node assembles a part piece by piece into byte-identical copies", "[remote_pcap]") {
  const auto spool = fresh_dir("remote-pcap-spool");
  const auto local = fresh_dir("remote-pcap-local");
  const std::string a = pattern(3 * mib, 'a'), b = pattern(mib + 1, 'b');
  write_file(spool_file_path(spool, t2024, "call-1", spool_kind::rtp, ".pcap"), a);
  write_file(spool_file_path(spool, t2024, "call-1", spool_kind::rtp, ".pcap.gz"), b);
  auto sensor = [&](const pcap_piece_request& r) { return read_pcap_piece(spool, "sensor 9", r, 256 * mib); };

  SECTION("every piece in order") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 256 * mib);
    CHECK(run(d, sensor) == 3 + 2);  // 3 pieces of the first file, 2 of the second
    REQUIRE(d.complete());
    CHECK(d.bytes() == a.size() + b.size());
    REQUIRE(d.paths() == std::vector<fs::path>{local / "rtp-0.pcap", local / "rtp-1.pcap"});
    CHECK(read_file(d.paths()[0]) == a);
    CHECK(read_file(d.paths()[1]) == b);
    CHECK(d.listing().size() == 2);
  }
  SECTION("the sensor's refusal is passed on in its words") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::sip, 256 * mib);
    CHECK(run(d, sensor) == 1);
    CHECK(d.outcome() == remote_pcap_outcome::not_found);
    CHECK(d.error() == "no SIP pcap for call 'call-1' in spool '" + spool.string() + "' of sensor 9");
  }
  SECTION("more than this node fetches: refused after the first answer") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 3 * mib);
    CHECK(run(d, sensor) == 1);
    CHECK(d.outcome() == remote_pcap_outcome::too_large);
    CHECK(d.error() == "the RTP pcap of call 'call-1' on sensor 9 holds 4 MiB: over the 3 MiB this node "
                       "fetches (remote_pcap_max_mb)");
    CHECK_FALSE(fs::exists(local / "rtp-0.pcap"));
  }
  SECTION("a file that changes while it is fetched") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 256 * mib);
    size_t n = 0;
    run(d, [&](const pcap_piece_request& r) {
      if (++n == 2)
        write_file(spool_file_path(spool, t2024, "call-1", spool_kind::rtp, ".pcap"), a + "more");
      return sensor(r);
    });
    CHECK(d.outcome() == remote_pcap_outcome::failed);
    CHECK(d.error() == "the RTP pcap of call 'call-1' on sensor 9: its files changed while they were "
                       "fetched: try again");
  }
  SECTION("a piece that is not the one asked for") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 256 * mib);
    size_t n = 0;
    run(d, [&](pcap_piece_request r) {
      if (++n == 2)
        r.offset += 1;
      return sensor(r);
    });
    CHECK(d.outcome() == remote_pcap_outcome::failed);
    CHECK(d.error().find("answered with another piece (file 0 byte 1048577 instead of file 0 byte 1048576)") !=
          std::string::npos);
  }
  SECTION("an empty piece where bytes remain ends the download instead of asking forever") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 256 * mib);
    run(d, [&](const pcap_piece_request& r) {
      auto p = sensor(r);
      p.bytes.clear();
      return p;
    });
    CHECK(d.outcome() == remote_pcap_outcome::failed);
    CHECK(d.error().find("a piece of 0 bytes where 3145728 remain") != std::string::npos);
  }
  SECTION("no answer") {
    remote_part_download d(local, "sensor 9", "call-1", t2024, spool_kind::rtp, 256 * mib);
    d.fail(remote_pcap_outcome::no_answer, "sensor 9 did not answer within 5 s");
    CHECK_FALSE(d.next());
    CHECK_FALSE(d.complete());
    CHECK(d.outcome() == remote_pcap_outcome::no_answer);
  }
}

TEST_CASE("a temporary directory goes away with everything in it", "[remote_pcap]") {
  std::string error;
  fs::path where;
  {
    auto dir = temp_dir::make("voxmon-test-", error);
    REQUIRE(dir);
    where = dir->path();
    CHECK(fs::is_directory(where));
    CHECK(where.filename().string().rfind("voxmon-test-", 0) == 0);
    write_file(where / "sip-0.pcap", "x");
  }
  CHECK_FALSE(fs::exists(where));
}
