#include "core/fragment_reassembler.hpp"

#include <algorithm>

namespace voxmon::core {

namespace {
constexpr uint32_t max_datagram = 65535;  // no reassembled IP payload may exceed this
}

size_t fragment_key_hash::operator()(const fragment_key& k) const noexcept {
  endpoint_hash h;
  size_t a = h(endpoint{k.src, static_cast<uint16_t>(k.id)});
  size_t b = h(endpoint{k.dst, static_cast<uint16_t>(k.id >> 16)});
  return a ^ (b * 0x9E3779B97F4A7C15ull) ^ (size_t{k.proto} << 7);
}

void fragment_reassembler::copy_gaps(datagram& d, uint32_t begin, uint32_t end,
                                     const uint8_t* src) {
  uint32_t cur = begin;
  for (const auto& [s, e] : d.have) {
    if (s >= end)
      break;
    if (e <= cur)
      continue;
    if (s > cur)
      std::copy(src + (cur - begin), src + (s - begin), d.data.begin() + cur);
    cur = std::max(cur, e);
    if (cur >= end)
      return;
  }
  if (cur < end)
    std::copy(src + (cur - begin), src + (end - begin), d.data.begin() + cur);
}

void fragment_reassembler::mark(datagram& d, uint32_t begin, uint32_t end) {
  auto& v = d.have;
  auto it = std::lower_bound(v.begin(), v.end(), std::pair{begin, end});
  it = v.insert(it, {begin, end});
  if (it != v.begin())
    --it;  // the previous range may touch the new one
  auto out = it;
  for (auto next = std::next(it); next != v.end(); ++next) {
    if (next->first <= out->second) {
      out->second = std::max(out->second, next->second);
    } else {
      ++out;
      *out = *next;
    }
  }
  v.erase(std::next(out), v.end());
}

fragment_result fragment_reassembler::add(const fragment_key& key, uint32_t offset, bool more,
                                          std::span<const uint8_t> data, timestamp_ns ts,
                                          std::vector<uint8_t>& arena, uint32_t& arena_offset,
                                          uint32_t& length, std::span<const uint8_t> frame,
                                          uint32_t wirelen) {
  if (offset > max_datagram || data.size() > max_datagram - offset)
    return fragment_result::invalid;
  const auto begin = offset;
  const auto end = static_cast<uint32_t>(offset + data.size());

  auto it = datagrams_.find(key);
  if (it == datagrams_.end()) {
    if (datagrams_.size() >= limits_.max_fragment_datagrams)
      return fragment_result::overflow;
    it = datagrams_.try_emplace(key).first;
    it->second.first_ts = ts;
  }
  datagram& d = it->second;

  // A fragment must agree with the datagram's end once the last fragment is known.
  if (d.have_last && (end > d.total || (!more && end != d.total)))
    return fragment_result::invalid;
  if (!more && !d.have_last && !d.have.empty() && d.have.back().second > end)
    return fragment_result::invalid;

  if (end > d.data.size() || !frame.empty()) {
    const size_t growth = (end > d.data.size() ? end - d.data.size() : 0) + frame.size();
    if (bytes_held_ + growth > limits_.max_fragment_bytes) {
      if (d.fragments == 0)
        datagrams_.erase(it);
      return fragment_result::overflow;
    }
    if (end > d.data.size()) {
      d.data.reserve(end);  // exact: what is held is what is counted
      d.data.resize(end);
    }
    bytes_held_ += growth;
  }
  if (!more) {
    d.have_last = true;
    d.total = end;
  }
  ++d.fragments;
  if (begin < end) {
    copy_gaps(d, begin, end, data.data());
    mark(d, begin, end);
  }

  const bool done = d.have_last && (d.total == 0 || (d.have.size() == 1 &&
                                    d.have[0].first == 0 && d.have[0].second == d.total));
  if (!done) {
    if (!frame.empty()) {
      const auto at = static_cast<uint32_t>(d.frames.bytes.size());
      d.frames.bytes.insert(d.frames.bytes.end(), frame.begin(), frame.end());
      d.frames.frames.push_back({ts, at, static_cast<uint32_t>(frame.size()),
                                 std::max<uint32_t>(wirelen, static_cast<uint32_t>(frame.size()))});
    }
    return fragment_result::stored;
  }
  arena_offset = static_cast<uint32_t>(arena.size());
  length = d.total;
  arena.insert(arena.end(), d.data.begin(), d.data.begin() + d.total);
  bytes_held_ -= d.data.size() + d.frames.bytes.size() + frame.size();
  completed_ = std::move(d.frames);
  datagrams_.erase(it);
  return fragment_result::complete;
}

uint64_t fragment_reassembler::expire(timestamp_ns now, timestamp_ns timeout) {
  uint64_t dropped = 0;
  for (auto it = datagrams_.begin(); it != datagrams_.end();) {
    if (now - it->second.first_ts > timeout) {
      dropped += it->second.fragments;
      bytes_held_ -= it->second.data.size() + it->second.frames.bytes.size();
      it = datagrams_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace voxmon::core
