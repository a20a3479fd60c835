#pragma once
// HEP messages as the listener receives them. Over UDP a datagram is one message (HEP3, or a
// HEP v1/v2 header followed by the payload); over TCP HEP3 messages follow each other on the
// stream, framed by their 16-bit total length, several per read or split across reads.
// `hep_stream` cuts one client's stream into messages with a bounded buffer; a client whose
// bytes are not HEP3, or whose message is larger than allowed, is to be dropped.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace voxmon::core {

// True when `data` is one plausible HEP message for the decoder: "HEP3" with a total length
// of at least 6 that fits, or a HEP v1/v2 header (version 1/2, family AF_INET/AF_INET6) that fits.
bool is_hep_datagram(const uint8_t* data, size_t n);

class hep_stream {
 public:
  enum class result : uint8_t {
    ok,         // zero or more messages were cut
    garbage,    // the bytes at a message start are not HEP3 (or a length < 6)
    too_large,  // a message announces more than max_message bytes
  };

  explicit hep_stream(size_t max_message = 65535) : max_message_(max_message) {}

  // Appends `n` received bytes and cuts every complete message into `out` (cleared first).
  // The spans point into the stream's buffer and stay valid until the next feed. On an error
  // `out` still holds the whole messages before the bad bytes; the stream is then unusable
  // (drop the client). Holds at most one incomplete message.
  result feed(const uint8_t* data, size_t n, std::vector<std::span<const uint8_t>>& out);

  size_t buffered() const { return buffer_.size() - start_; }

 private:
  size_t max_message_;
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;  // first byte not yet handed out
};

}  // namespace voxmon::core
