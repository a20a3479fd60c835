// SIP message parsing (RFC 3261 section 7): start line, header section, body framing.
// Views point into the input; only folded header values are copied (into sip_message::unfolded).
#include <array>

#include "core/sip_message.hpp"
#include "core/text.hpp"

namespace voxmon::core {

namespace {

using text::lower;
using text::iequals;
using text::istarts_with;
using text::is_digit;
using text::trim;

constexpr size_t max_headers = 256;
constexpr uint32_t max_cseq = 2147483647u;  // 2^31 - 1 (RFC 3261 8.1.1.5)

bool is_ws(char c) { return c == ' ' || c == '\t'; }

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
    return true;
  switch (c) {
    case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`':
    case '\'': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!is_token_char(c))
      return false;
  return true;
}


using text::parse_decimal;

// Repeated headers: the first non-empty value wins.
void set_first(std::string_view& field, std::string_view value) {
  if (field.empty())
    field = value;
}

struct line_view {
  std::string_view text;  // without CR LF / LF
  size_t next = 0;        // offset of the next line
  bool terminated = false;
};

line_view read_line(std::string_view data, size_t pos) {
  line_view l;
  const size_t nl = data.find('\n', pos);
  if (nl == std::string_view::npos) {
    l.text = data.substr(pos);
    l.next = data.size();
  } else {
    l.text = data.substr(pos, nl - pos);
    l.next = nl + 1;
    l.terminated = true;
  }
  if (!l.text.empty() && l.text.back() == '\r')
    l.text.remove_suffix(1);
  return l;
}

enum class header_kind : uint8_t {
  other, call_id, from, to, cseq, user_agent, server, content_type, content_length
};

header_kind classify(std::string_view name) {
  if (name.size() == 1) {
    switch (lower(name[0])) {
      case 'i': return header_kind::call_id;
      case 'f': return header_kind::from;
      case 't': return header_kind::to;
      case 'l': return header_kind::content_length;
      case 'c': return header_kind::content_type;
      default: return header_kind::other;  // m v k s and unknown compact forms
    }
  }
  struct entry { std::string_view name; header_kind kind; };
  static constexpr std::array<entry, 8> names{{
      {"Call-ID", header_kind::call_id}, {"From", header_kind::from},
      {"To", header_kind::to}, {"CSeq", header_kind::cseq},
      {"User-Agent", header_kind::user_agent}, {"Server", header_kind::server},
      {"Content-Type", header_kind::content_type},
      {"Content-Length", header_kind::content_length}}};
  for (const auto& e : names)
    if (iequals(name, e.name))
      return e.kind;
  return header_kind::other;
}

std::optional<sip_parse_error> parse_start_line(std::string_view line, sip_message& m) {
  while (!line.empty() && is_ws(line.back()))
    line.remove_suffix(1);
  if (istarts_with(line, "SIP/")) {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || !iequals(line.substr(0, sp), "SIP/2.0"))
      return sip_parse_error::bad_start_line;
    std::string_view rest = line.substr(sp + 1);
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
    if (rest.size() < 3 || (rest.size() > 3 && !is_ws(rest[3])))
      return sip_parse_error::bad_status_code;
    const auto code = parse_decimal(rest.substr(0, 3), 699);
    if (!code || *code < 100)
      return sip_parse_error::bad_status_code;
    m.is_request = false;
    m.status_code = static_cast<int>(*code);
    m.reason_phrase = trim(rest.substr(3));
    return std::nullopt;
  }
  // Request-Line: Method SP Request-URI SP SIP-Version
  const size_t first_sp = line.find(' ');
  if (first_sp == std::string_view::npos || !is_token(line.substr(0, first_sp)))
    return sip_parse_error::not_sip;
  const size_t last_sp = line.rfind(' ');
  const std::string_view version = line.substr(last_sp + 1);
  if (!istarts_with(version, "SIP/"))
    return sip_parse_error::not_sip;
  if (!iequals(version, "SIP/2.0") || last_sp == first_sp)
    return sip_parse_error::bad_start_line;
  const std::string_view uri = trim(line.substr(first_sp + 1, last_sp - first_sp - 1));
  if (uri.empty())
    return sip_parse_error::bad_start_line;
  m.is_request = true;
  m.method_token = line.substr(0, first_sp);
  m.method = sip_method_from(m.method_token);
  m.request_uri = uri;
  return std::nullopt;
}

bool parse_cseq(std::string_view value, sip_message& m) {
  size_t i = 0;
  while (i < value.size() && is_digit(value[i]))
    ++i;
  const auto number = parse_decimal(value.substr(0, i), max_cseq);
  if (!number || i == value.size() || !is_ws(value[i]))
    return false;
  const std::string_view method = trim(value.substr(i));
  if (!is_token(method))
    return false;
  m.cseq_number = *number;
  m.cseq_method_token = method;
  m.cseq_method = sip_method_from(method);
  return true;
}

// Joins a folded header value into m.unfolded: the first line's value, then each continuation
// line's text, separated by single spaces. The first time, the string is reserved to the size
// of the data from this header on; every unfolded value is at most as long as its raw lines, so
// it never reallocates and earlier views stay valid.
std::string_view unfold(sip_message& m, std::string_view data, size_t header_start,
                        std::string_view first_value, size_t continuation_start,
                        size_t continuation_end) {
  if (!m.unfolded) {
    m.unfolded = std::make_unique<std::string>();
    m.unfolded->reserve(data.size() - header_start);
  }
  std::string& out = *m.unfolded;
  const size_t start = out.size();
  out.append(trim(first_value));
  size_t pos = continuation_start;
  while (pos < continuation_end) {
    const line_view l = read_line(data, pos);
    const std::string_view t = trim(l.text);
    if (!t.empty()) {
      if (out.size() > start)
        out.push_back(' ');
      out.append(t);
    }
    pos = l.next;
  }
  return std::string_view(out.data() + start, out.size() - start);
}

}  // namespace

const char* to_string(sip_method m) {
  static constexpr std::array<const char*, 15> names{
      "INVITE", "ACK",    "BYE",  "CANCEL", "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY",
      "MESSAGE", "INFO", "PRACK", "UPDATE", "REFER",    "PUBLISH", "OTHER"};
  const auto i = static_cast<size_t>(m);
  return i < names.size() ? names[i] : "OTHER";
}

sip_method sip_method_from(std::string_view token) {
  // Method names are case-sensitive (RFC 3261 7.1).
  struct entry { std::string_view name; sip_method method; };
  static constexpr std::array<entry, 14> methods{{
      {"INVITE", sip_method::invite}, {"ACK", sip_method::ack}, {"BYE", sip_method::bye},
      {"CANCEL", sip_method::cancel}, {"REGISTER", sip_method::register_},
      {"OPTIONS", sip_method::options}, {"SUBSCRIBE", sip_method::subscribe},
      {"NOTIFY", sip_method::notify}, {"MESSAGE", sip_method::message},
      {"INFO", sip_method::info}, {"PRACK", sip_method::prack},
      {"UPDATE", sip_method::update}, {"REFER", sip_method::refer},
      {"PUBLISH", sip_method::publish}}};
  for (const auto& e : methods)
    if (token == e.name)
      return e.method;
  return sip_method::other;
}

const char* to_string(sip_parse_error e) {
  switch (e) {
    case sip_parse_error::empty: return "empty SIP payload";
    case sip_parse_error::not_sip: return "payload is not a SIP message";
    case sip_parse_error::bad_start_line: return "malformed SIP request or status line";
    case sip_parse_error::bad_status_code: return "SIP status code is not a number in 100..699";
    case sip_parse_error::header_without_colon: return "SIP header line without a colon";
    case sip_parse_error::missing_call_id: return "SIP message has no Call-ID header";
    case sip_parse_error::missing_cseq: return "SIP message has no CSeq header";
    case sip_parse_error::bad_cseq: return "malformed CSeq header (want 'number METHOD')";
    case sip_parse_error::bad_content_length:
      return "Content-Length is not a number or is given twice with different values";
    case sip_parse_error::truncated_body: return "SIP body shorter than its Content-Length";
    case sip_parse_error::too_many_headers: return "SIP message has too many header lines";
  }
  return "unknown SIP parse error";
}

bool looks_like_sip(std::string_view payload) {
  if (istarts_with(payload, "SIP/2.0 "))
    return true;
  size_t i = 0;
  while (i < payload.size() && i < 32 && payload[i] >= 'A' && payload[i] <= 'Z')
    ++i;
  if (i == 0 || i >= payload.size() || payload[i] != ' ')
    return false;
  const std::string_view uri = payload.substr(i + 1);
  return istarts_with(uri, "sip:") || istarts_with(uri, "sips:") || istarts_with(uri, "tel:");
}

sip_parse_result parse_sip(std::string_view data) {
  sip_parse_result r;
  size_t pos = 0;
  // RFC 3261 7.5: CRLFs before the start line are ignored (stream keep-alives).
  while (pos < data.size() && (data[pos] == '\r' || data[pos] == '\n'))
    ++pos;
  if (pos == data.size()) {
    r.error = sip_parse_error::empty;
    return r;
  }
  sip_message m;
  const line_view start = read_line(data, pos);
  if (auto err = parse_start_line(start.text, m)) {
    r.error = *err;
    return r;
  }
  pos = start.next;

  size_t header_count = 0;
  bool have_cseq = false;
  bool headers_done = false;
  size_t body_start = data.size();
  while (pos < data.size()) {
    const line_view line = read_line(data, pos);
    if (line.text.empty()) {
      if (line.terminated) {
        headers_done = true;
        body_start = line.next;
      }
      break;
    }
    if (is_ws(line.text.front())) {  // continuation with no header before it
      r.error = sip_parse_error::header_without_colon;
      return r;
    }
    const size_t colon = line.text.find(':');
    if (colon == std::string_view::npos) {
      r.error = sip_parse_error::header_without_colon;
      return r;
    }
    const std::string_view name = trim(line.text.substr(0, colon));
    if (name.empty()) {
      r.error = sip_parse_error::header_without_colon;
      return r;
    }
    if (++header_count > max_headers) {
      r.error = sip_parse_error::too_many_headers;
      return r;
    }
    // Continuation lines (folding) start with SP or HT.
    size_t next = line.next;
    while (next < data.size() && is_ws(data[next]))
      next = read_line(data, next).next;

    const header_kind kind = classify(name);
    if (kind == header_kind::other) {
      pos = next;
      continue;
    }
    const std::string_view raw_value = line.text.substr(colon + 1);
    const std::string_view value = next == line.next
                                       ? trim(raw_value)
                                       : unfold(m, data, pos, raw_value, line.next, next);
    pos = next;
    switch (kind) {
      case header_kind::call_id:
        set_first(m.call_id, value);
        break;
      case header_kind::from:
        set_first(m.from, value);
        break;
      case header_kind::to:
        set_first(m.to, value);
        break;
      case header_kind::cseq:
        if (!have_cseq) {
          have_cseq = true;
          if (!parse_cseq(value, m)) {
            r.error = sip_parse_error::bad_cseq;
            return r;
          }
        }
        break;
      case header_kind::user_agent:
        set_first(m.user_agent, value);
        break;
      case header_kind::server:
        set_first(m.server, value);
        break;
      case header_kind::content_type:
        set_first(m.content_type, value);
        break;
      case header_kind::content_length: {
        const auto n = parse_decimal(value, UINT32_MAX);
        if (!n || (m.content_length && *m.content_length != *n)) {
          r.error = sip_parse_error::bad_content_length;
          return r;
        }
        m.content_length = n;
        break;
      }
      case header_kind::other:
        break;
    }
  }
  if (m.call_id.empty()) {
    r.error = sip_parse_error::missing_call_id;
    return r;
  }
  if (!have_cseq) {
    r.error = sip_parse_error::missing_cseq;
    return r;
  }

  if (!headers_done) {
    m.headers_truncated = true;
    m.message_length = data.size();
  } else {
    const size_t available = data.size() - body_start;
    size_t body_len = available;
    if (m.content_length) {
      if (*m.content_length <= available)
        body_len = *m.content_length;
      else
        m.body_truncated = true;
    }
    m.body = data.substr(body_start, body_len);
    m.message_length = body_start + body_len;
  }
  r.message.emplace(std::move(m));
  return r;
}

}  // namespace voxmon::core
