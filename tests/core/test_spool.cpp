// Per-call pcap storage, the pure parts: file names, paths, the pcap writer/reader, the
// retention index and the merge used by `voxmon pcap`.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/pcap_writer.hpp"
#include "core/spool_index.hpp"
#include "core/spool_lookup.hpp"
#include "core/spool_path.hpp"

using namespace voxmon::core;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  auto d = fs::path(VOXMON_TEST_TMP) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_bytes(const fs::path& p, size_t n) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << std::string(n, 'x');
}

size_t count_records(const fs::path& p, int* link = nullptr) {
  size_t n = 0;
  std::string error;
  REQUIRE(read_pcap_file(p.string(), [&](int lt) { if (link) *link = lt; },
                         [&](const pcap_record&) { ++n; }, error));
  return n;
}

constexpr timestamp_ns t2024 = timestamp_ns{1709622489} * ns_per_second;  // 2024-03-05 07:08:09

}  // namespace

TEST_CASE("fbasename keeps safe characters and replaces the rest", "[spool]") {
  auto hash = [](std::string_view id) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(id)));
    return std::string("_") + hex;
  };
  CHECK(make_fbasename("abc-1.2@host:5060") == "abc-1.2@host:5060");
  CHECK(make_fbasename("abc_1") == "abc_1");  // '_' is kept as it is
  CHECK(make_fbasename("a b/c;d\\e") == "a_b_c_d_e" + hash("a b/c;d\\e"));
  CHECK(make_fbasename("x\xff\x01y") == "x__y" + hash("x\xff\x01y"));
  CHECK(make_fbasename("") == "_" + hash(""));
  CHECK(make_fbasename(".") == "_" + hash("."));
  CHECK(make_fbasename("..") == "__" + hash(".."));
  CHECK(make_fbasename("../../etc/passwd") == ".._.._etc_passwd" + hash("../../etc/passwd"));
  CHECK(fnv1a64("") == 0xcbf29ce484222325ull);  // FNV-1a 64 offset basis
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull); // published FNV-1a 64 test vector
}

TEST_CASE("Call-IDs that differ only in replaced bytes get different fbasenames", "[spool]") {
  // Before the hash suffix all four were "call_1@h": one file and one cdr_next key for four calls.
  const std::vector<std::string> ids = {"call 1@h", "call;1@h", "call/1@h", "call_1@h"};
  std::set<std::string> names;
  for (const auto& id : ids)
    names.insert(make_fbasename(id));
  CHECK(names.size() == ids.size());
  CHECK(make_fbasename("call_1@h") == "call_1@h");
  // The same minute, the same kind: different files.
  CHECK(spool_file_path("/s", t2024, make_fbasename(ids[0]), spool_kind::sip, ".pcap") !=
        spool_file_path("/s", t2024, make_fbasename(ids[1]), spool_kind::sip, ".pcap"));
}

TEST_CASE("a too long Call-ID is cut and gets a hash suffix", "[spool]") {
  const std::string a = std::string(300, 'a') + "1";
  const std::string b = std::string(300, 'a') + "2";
  const auto fa = make_fbasename(a), fb = make_fbasename(b);
  CHECK(fa.size() == max_fbasename);
  CHECK(fa != fb);
  CHECK(fa.substr(0, max_fbasename - 17) == fb.substr(0, max_fbasename - 17));
  CHECK(fa[max_fbasename - 17] == '_');
  CHECK(fa == make_fbasename(a));  // stable
  CHECK(make_fbasename(std::string(max_fbasename, 'z')) == std::string(max_fbasename, 'z'));
}

TEST_CASE("spool paths follow VoIPmonitor's minute layout in UTC", "[spool]") {
  CHECK(spool_minute(t2024) == "2024-03-05/07/08");
  CHECK(spool_minute(t2024 + 51 * ns_per_second) == "2024-03-05/07/09");
  CHECK(spool_file_path("/var/spool/voxmon", t2024, "abc@h", spool_kind::sip, ".pcap") ==
        fs::path("/var/spool/voxmon/2024-03-05/07/08/SIP/abc@h.pcap"));
  CHECK(spool_file_path("sp", t2024, "abc@h", spool_kind::rtp, ".pcap.gz") ==
        fs::path("sp/2024-03-05/07/08/RTP/abc@h.pcap.gz"));
}

TEST_CASE("rtp_header_length covers CSRCs and the extension", "[spool]") {
  std::vector<uint8_t> p(40, 0);
  p[0] = 0x80;
  CHECK(rtp_header_length(p) == 12);
  p[0] = 0x82;  // two CSRCs
  CHECK(rtp_header_length(p) == 20);
  p[0] = 0x90;  // extension of 2 words
  p[15] = 2;
  CHECK(rtp_header_length(p) == 24);
  p[0] = 0x40;  // not RTP version 2: kept whole
  CHECK(rtp_header_length(p) == 40);
  CHECK(rtp_header_length(std::span<const uint8_t>(p.data(), 5)) == 5);
}

TEST_CASE("pcap_file writes and appends after a reopen and reads back (plain and gzip)", "[spool]") {
  const auto dir = fresh_dir("spool-pcap");
  for (auto c : {pcap_compression::none, pcap_compression::gzip}) {
    const auto path = (dir / "a" / (std::string("f") + pcap_extension(c))).string();
    const std::vector<uint8_t> frame(60, 0xab);
    std::string error;
    for (int round = 0; round < 2; ++round) {
      auto f = pcap_file::open(path, 113, c, error);
      REQUIRE(f);
      f->flush_threshold = 100;  // several writes
      for (int i = 0; i < 5; ++i)
        REQUIRE(f->append(t2024 + i * 1000 + round * 10'000, frame, 1500, error));
      REQUIRE(f->close(error));
      CHECK(f->disk_growth() > 0);
    }
    int link = 0;
    std::vector<timestamp_ns> ts;
    REQUIRE(read_pcap_file(path, [&](int lt) { link = lt; },
                           [&](const pcap_record& r) {
                             ts.push_back(r.ts);
                             CHECK(r.wirelen == 1500);
                             CHECK(r.data.size() == 60);
                           },
                           error));
    CHECK(link == 113);
    REQUIRE(ts.size() == 10);
    CHECK(ts[0] == t2024);
    CHECK(ts[9] == t2024 + 4000 + 10'000);
  }
}

TEST_CASE("pcap_file's buffer holds blocks for what is pending, up to the threshold and one record",
          "[spool]") {
  const auto dir = fresh_dir("spool-buffer");
  std::string error;
  auto pool = std::make_shared<chunk_pool>(4);
  auto f = pcap_file::open((dir / "b.pcap").string(), 1, pcap_compression::none, error, pool);
  REQUIRE(f);
  constexpr size_t block = chunk_pool::chunk_bytes;
  CHECK(f->buffer_capacity() == block);  // the global header
  const std::vector<uint8_t> sip(1000, 0x53);  // a call's SIP: a few small records
  for (int i = 0; i < 5; ++i)
    REQUIRE(f->append(t2024 + i, sip, 1000, error));
  CHECK(f->pending() == 24 + 5 * 1016);
  CHECK(f->buffer_capacity() == block);  // no room held that it never uses
  CHECK(pool->in_use() == 1);
  const std::vector<uint8_t> rtp(200, 0x80);
  size_t most = 0;
  uint64_t records = 5;
  while (f->bytes_written() == 0) {  // up to the first write at the threshold
    REQUIRE(f->append(t2024 + 10 + static_cast<timestamp_ns>(records), rtp, 200, error));
    ++records;
    most = std::max(most, f->buffer_capacity());
  }
  // 5,104 bytes + 280 records of 216 = 65,584 bytes, the first past 65,536, which is written at
  // once; before it, 65,368 bytes in 8 blocks.
  CHECK(records == 5 + 280);
  CHECK(most == 8 * block);
  CHECK(f->bytes_written() == 65'584);
  CHECK(f->pending() == 0);
  CHECK(f->buffer_capacity() == 0);  // written blocks go back to the pool
  CHECK(pool->in_use() == 0);
  CHECK(pool->free_count() == 4);  // 9 blocks given back, 4 kept for reuse, 5 freed
  // A jumbo record past the threshold still fits (it takes as many blocks as it needs).
  const std::vector<uint8_t> jumbo(f->flush_threshold + 9000, 0x11);
  REQUIRE(f->append(t2024 + 100'000, jumbo, static_cast<uint32_t>(jumbo.size()), error));
  ++records;
  REQUIRE(f->close(error));
  CHECK(pool->in_use() == 0);
  CHECK(pool->free_count() == 4);
  uint64_t read = 0;
  REQUIRE(read_pcap_file((dir / "b.pcap").string(), [](int) {},
                         [&](const pcap_record& r) {
                           if (read == records - 1)
                             CHECK(std::vector<uint8_t>(r.data.begin(), r.data.end()) == jumbo);
                           ++read;
                         },
                         error));
  CHECK(read == records);
}

TEST_CASE("pcap_files sharing a pool keep records across block boundaries byte for byte",
          "[spool]") {
  const auto dir = fresh_dir("spool-blocks");
  std::string error;
  auto pool = std::make_shared<chunk_pool>(64);
  for (auto c : {pcap_compression::none, pcap_compression::gzip}) {
    const std::string ext = pcap_extension(c);
    auto a = pcap_file::open((dir / ("a" + ext)).string(), 1, c, error, pool);
    auto b = pcap_file::open((dir / ("b" + ext)).string(), 1, c, error, pool);
    REQUIRE(a);
    REQUIRE(b);
    a->flush_threshold = b->flush_threshold = 1 << 20;  // nothing written before the flush
    std::vector<std::vector<uint8_t>> sent[2];
    for (int i = 0; i < 300; ++i) {  // sizes 37..1,536: records start anywhere in a block
      std::vector<uint8_t> data(37 + (i * 131) % 1500);
      for (size_t j = 0; j < data.size(); ++j)
        data[j] = static_cast<uint8_t>(i * 7 + j);
      REQUIRE((i % 2 ? *b : *a).append(t2024 + i, data, static_cast<uint32_t>(data.size()), error));
      sent[i % 2].push_back(std::move(data));
    }
    auto blocks = [](const pcap_file& f) {
      return (f.pending() + chunk_pool::chunk_bytes - 1) / chunk_pool::chunk_bytes;
    };
    CHECK(a->pending() > 10 * chunk_pool::chunk_bytes);
    CHECK(pool->in_use() == blocks(*a) + blocks(*b));
    const size_t b_blocks = blocks(*b);
    REQUIRE(a->flush(error));
    CHECK(pool->in_use() == b_blocks);
    REQUIRE(a->close(error));
    REQUIRE(b->close(error));
    CHECK(pool->in_use() == 0);
    for (int k = 0; k < 2; ++k) {
      std::vector<std::vector<uint8_t>> got;
      REQUIRE(read_pcap_file((dir / ((k ? "b" : "a") + ext)).string(), [](int) {},
                             [&](const pcap_record& r) { got.emplace_back(r.data.begin(), r.data.end()); },
                             error));
      CHECK(got == sent[k]);
    }
  }
}

TEST_CASE("pcap_file reports an unwritable path", "[spool]") {
  const auto dir = fresh_dir("spool-pcap-bad");
  write_bytes(dir / "blocker", 1);
  std::string error;
  CHECK_FALSE(pcap_file::open((dir / "blocker" / "x.pcap").string(), 1, pcap_compression::none, error));
  CHECK(error.find("blocker") != std::string::npos);
}

TEST_CASE("the spool index is rebuilt once and then kept in its file", "[spool]") {
  const auto dir = fresh_dir("spool-index");
  write_bytes(dir / "2024-03-05/07/08/SIP/a.pcap", 100);
  write_bytes(dir / "2024-03-05/07/08/RTP/a.pcap", 900);
  write_bytes(dir / "2024-03-05/07/09/SIP/b.pcap", 50);
  write_bytes(dir / "notes/readme.txt", 10);  // not a minute: ignored
  spool_index idx(dir);
  std::string error;
  REQUIRE(idx.load(error));
  CHECK(idx.total_bytes() == 1050);
  CHECK(idx.snapshot().size() == 2);
  idx.add_bytes("2024-03-06/00/00", 5);
  REQUIRE(idx.save(error));
  spool_index again(dir);
  REQUIRE(again.load(error));
  CHECK(again.total_bytes() == 1055);  // read from the file (the new minute has no directory)
  CHECK(spool_index::minute_start("2024-03-05/07/08") == 1709622480);
  CHECK(spool_index::minute_start("2024-13-05/07/08") == -1);
  CHECK(spool_index::minute_start("junk") == -1);
}

TEST_CASE("retention deletes the oldest minutes first and never an open one", "[spool]") {
  const auto dir = fresh_dir("spool-retention");
  const char* minutes[] = {"2024-03-05/07/08", "2024-03-05/07/09", "2024-03-05/08/00",
                           "2024-03-06/00/00"};
  for (auto m : minutes)
    write_bytes(dir / m / "SIP" / "x.pcap", 1000);
  spool_index idx(dir);
  std::string error;
  REQUIRE(idx.load(error));
  const std::time_t now = spool_index::minute_start("2024-03-06/00/30");

  SECTION("by size") {
    idx.file_opened("2024-03-05/07/08");  // being written: skipped
    CHECK(idx.plan(2000, 0, now) == std::vector<std::string>{"2024-03-05/07/09", "2024-03-05/08/00"});
    idx.file_closed("2024-03-05/07/08");
    std::vector<std::string> errors;
    CHECK(idx.enforce(2500, 0, now, errors) ==
          std::vector<std::string>{"2024-03-05/07/08", "2024-03-05/07/09"});
    CHECK(errors.empty());
    CHECK_FALSE(fs::exists(dir / "2024-03-05/07"));  // empty hour removed
    CHECK(fs::exists(dir / "2024-03-05/08/00/SIP/x.pcap"));
    CHECK(idx.total_bytes() == 2000);
  }
  SECTION("by age") {
    CHECK(idx.plan(0, 1, now) == std::vector<std::string>{});
    const std::time_t later = now + 86400;  // 2024-03-07 00:30: everything before 03-06 00:30 goes
    std::vector<std::string> errors;
    CHECK(idx.enforce(0, 1, later, errors).size() == 4);
    CHECK_FALSE(fs::exists(dir / "2024-03-05"));
    CHECK(idx.total_bytes() == 0);
  }
  SECTION("no limits: nothing") { CHECK(idx.plan(0, 0, now).empty()); }
}

TEST_CASE("find_call_files and merge_call_pcap give one pcap in time order", "[spool]") {
  const auto dir = fresh_dir("spool-merge");
  std::string error;
  const std::vector<uint8_t> frame(42, 1);
  {
    auto sip = pcap_file::open(spool_file_path(dir, t2024, "c@h", spool_kind::sip, ".pcap"), 1,
                               pcap_compression::none, error);
    auto rtp = pcap_file::open(spool_file_path(dir, t2024, "c@h", spool_kind::rtp, ".pcap.gz"), 1,
                               pcap_compression::gzip, error);
    REQUIRE(sip);
    REQUIRE(rtp);
    for (int i = 0; i < 3; ++i)
      REQUIRE(sip->append(t2024 + i * 100, frame, 42, error));
    for (int i = 0; i < 4; ++i)
      REQUIRE(rtp->append(t2024 + 50 + i * 100, frame, 42, error));
  }
  auto files = find_call_files(dir, "c@h");  // via the index (rebuilt: no index file yet)
  REQUIRE(files.sip.size() == 1);
  REQUIRE(files.rtp.size() == 1);
  CHECK(find_call_files(dir, "c@h", t2024).sip.size() == 1);
  CHECK(find_call_files(dir, "other@h").empty());

  const auto out_path = dir / "merged.pcap";
  std::FILE* out = std::fopen(out_path.string().c_str(), "wb");
  REQUIRE(out);
  auto all = files.sip;
  all.insert(all.end(), files.rtp.begin(), files.rtp.end());
  size_t n = 0;
  REQUIRE(merge_call_pcap(all, out, error, &n));
  std::fclose(out);
  CHECK(n == 7);
  std::vector<timestamp_ns> ts;
  REQUIRE(read_pcap_file(out_path.string(), [](int) {}, [&](const pcap_record& r) { ts.push_back(r.ts); },
                         error));
  CHECK(ts == std::vector<timestamp_ns>{t2024, t2024 + 50, t2024 + 100, t2024 + 150, t2024 + 200,
                                        t2024 + 250, t2024 + 350});
  CHECK(count_records(out_path) == 7);
}
