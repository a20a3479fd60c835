#pragma once
// A parsed SIP message. Every string_view points into the packet payload it was parsed from
// (or, only for header values that were folded over several lines, into `unfolded`), so
// parsing allocates nothing in the common case.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace voxmon::core {

enum class sip_method : uint8_t {
  invite, ack, bye, cancel, register_, options, subscribe, notify, message, info, prack,
  update, refer, publish, other
};
const char* to_string(sip_method m);
sip_method sip_method_from(std::string_view token);

struct sip_message {
  bool is_request = false;
  sip_method method = sip_method::other;  // request method (requests only)
  std::string_view method_token;          // as written, e.g. "INVITE"
  std::string_view request_uri;
  int status_code = 0;                     // responses only, 100..699
  std::string_view reason_phrase;

  std::string_view call_id;
  std::string_view from;                   // full header value
  std::string_view to;
  std::string_view cseq_method_token;
  sip_method cseq_method = sip_method::other;
  uint32_t cseq_number = 0;
  std::string_view user_agent;
  std::string_view server;
  std::string_view content_type;
  std::optional<uint32_t> content_length;
  std::string_view body;                   // exactly Content-Length bytes when given

  // The data ended before the message did. body_truncated: Content-Length announced more bytes
  // than were present (body holds what is there). headers_truncated: no empty line ended the
  // header section (body is empty). A TCP reassembler should wait for more data when either is
  // set; for UDP the headers are still usable.
  bool body_truncated = false;
  bool headers_truncated = false;
  bool complete() const { return !body_truncated && !headers_truncated; }

  size_t message_length = 0;               // bytes consumed (leading CRLFs, start line .. end of
                                           // body); the next message in a stream starts here

  // Storage for header values that were folded over several lines (rare).
  std::unique_ptr<std::string> unfolded;
};

// A name-addr or addr-spec as in From/To: "Alice" <sip:alice@example.com;user=phone>;tag=1
struct name_addr {
  std::string_view display_name;  // without quotes
  std::string_view uri;           // inside <...> or the bare addr-spec
  std::string_view user;          // user part of the URI (may be empty)
  std::string_view host;          // host part of the URI, without port
  std::string_view tag;           // the ;tag= parameter of the header
};

enum class sip_parse_error : uint8_t {
  empty, not_sip, bad_start_line, bad_status_code, header_without_colon, missing_call_id,
  missing_cseq, bad_cseq, bad_content_length, truncated_body, too_many_headers
};
const char* to_string(sip_parse_error e);

struct sip_parse_result {
  std::optional<sip_message> message;
  sip_parse_error error = sip_parse_error::empty;  // meaningful when !message
};

// True when the payload starts like a SIP request or response (cheap; used to find SIP on
// ports that are not configured as SIP ports).
bool looks_like_sip(std::string_view payload);

// Parses one SIP message from the start of `data`. Header names are case-insensitive and the
// compact forms (i f t m v l c k s) are understood; folded lines are unfolded.
sip_parse_result parse_sip(std::string_view data);

std::optional<name_addr> parse_name_addr(std::string_view header_value);

// The SDP in a message body: the body itself for application/sdp, or the application/sdp part
// of a multipart body. nullopt when there is none.
std::optional<std::string_view> sdp_body(const sip_message& m);

}  // namespace voxmon::core
