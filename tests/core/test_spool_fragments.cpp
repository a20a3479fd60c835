// The batch keeps the earlier IP fragments of a reassembled datagram (for the per-call pcap
// files): byte for byte, with their timestamps and wire lengths, also when the first fragments
// arrived in an earlier batch; their bytes count against the reassembly memory bound.
#include <catch2/catch.hpp>

#include "core/batch_builder.hpp"
#include "core/fragment_reassembler.hpp"
#include "decoder_test_frames.hpp"

using namespace voxmon;
using namespace voxmon::test;

namespace {

std::vector<bytes> sip_fragments(size_t payload_size, size_t chunk, uint16_t id) {
  std::string sip = "INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: frag@test\r\n";
  while (sip.size() < payload_size)
    sip += "X-Pad: 0123456789abcdefghijklmnopqrstuvwxyz\r\n";
  const bytes l4 = udp(5060, 5060, text(sip));
  std::vector<bytes> out;
  for (size_t off = 0; off < l4.size(); off += chunk) {
    const size_t n = std::min(chunk, l4.size() - off);
    bytes part(l4.begin() + static_cast<long>(off), l4.begin() + static_cast<long>(off + n));
    out.push_back(eth(0x0800, ipv4("10.1.1.1", "10.2.2.2", 17, part,
                                   {.id = id, .more_fragments = off + n < l4.size(),
                                    .fragment_offset = static_cast<uint32_t>(off)})));
  }
  return out;
}

std::string as_string(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }
std::string as_string(const bytes& b) { return {b.begin(), b.end()}; }

}  // namespace

TEST_CASE("earlier fragments travel with the packet across batches", "[spool][fragments]") {
  const auto frags = sip_fragments(3000, 1480, 0x1234);
  REQUIRE(frags.size() == 3);
  core::batch_builder b(core::link_ethernet, 0, {{5060, 5060}}, 1000);
  // First fragment in batch 1, the other two in batch 2; wire lengths larger than captured.
  b.add(1'000, frags[0].data(), static_cast<uint32_t>(frags[0].size()), 1600);
  auto first = b.take();
  CHECK(first->packets.empty());
  CHECK(first->fragment_lists.empty());
  b.add(2'000, frags[1].data(), static_cast<uint32_t>(frags[1].size()), 1601);
  b.add(3'000, frags[2].data(), static_cast<uint32_t>(frags[2].size()), 0);
  auto second = b.take();
  REQUIRE(second->packets.size() == 1);
  const auto& p = second->packets[0];
  CHECK(p.payload_in_arena);
  CHECK(p.frame_index == 1);  // the third frame completed it
  const auto earlier = second->earlier_fragments(0);
  REQUIRE(earlier.size() == 2);
  CHECK(as_string(second->fragment_frame(earlier[0])) == as_string(frags[0]));
  CHECK(as_string(second->fragment_frame(earlier[1])) == as_string(frags[1]));
  CHECK(earlier[0].ts == 1'000);
  CHECK(earlier[1].ts == 2'000);
  CHECK(earlier[0].wirelen == 1600);
  CHECK(earlier[1].wirelen == 1601);
  CHECK(as_string(second->frame(p.frame_index)) == as_string(frags[2]));
  CHECK(second->earlier_fragments(1).empty());  // no such packet
}

TEST_CASE("a packet that was not fragmented has no earlier fragments", "[spool][fragments]") {
  const auto whole = eth(0x0800, ipv4("10.1.1.1", "10.2.2.2", 17, udp(5060, 5060, text("OPTIONS sip:x SIP/2.0\r\n\r\n"))));
  const auto frags = sip_fragments(2000, 1480, 7);
  core::batch_builder b(core::link_ethernet, 0, {{5060, 5060}}, 1000);
  b.add(1, whole.data(), static_cast<uint32_t>(whole.size()), 0);
  for (const auto& f : frags)
    b.add(2, f.data(), static_cast<uint32_t>(f.size()), 0);
  b.add(3, whole.data(), static_cast<uint32_t>(whole.size()), 0);
  auto batch = b.take();
  REQUIRE(batch->packets.size() == 3);
  CHECK(batch->earlier_fragments(0).empty());
  CHECK(batch->earlier_fragments(1).size() == 1);
  CHECK(batch->earlier_fragments(2).empty());
  CHECK(batch->fragment_frames[0].wirelen == frags[0].size());  // 0 = the captured length
}

TEST_CASE("kept fragment frames count against the reassembly memory bound", "[spool][fragments]") {
  core::decoder_limits limits;
  core::fragment_reassembler r(limits);
  const bytes data(1000, 'x'), frame(1500, 'f');
  std::vector<uint8_t> arena;
  uint32_t at = 0, len = 0;
  const core::fragment_key k{};
  CHECK(r.add(k, 0, true, data, 0, arena, at, len, frame, 1500) == core::fragment_result::stored);
  CHECK(r.bytes_held() == 1000 + 1500);
  CHECK(r.add(k, 1000, false, data, 1, arena, at, len, frame, 1500) == core::fragment_result::complete);
  CHECK(r.bytes_held() == 0);
  REQUIRE(r.completed_frames().frames.size() == 1);
  CHECK(r.completed_frames().bytes.size() == 1500);

  limits.max_fragment_bytes = 2000;  // room for the payload, not for the payload and the frame
  core::fragment_reassembler small(limits);
  CHECK(small.add(k, 0, true, data, 0, arena, at, len, frame, 1500) == core::fragment_result::overflow);
  CHECK(small.bytes_held() == 0);
}
