// Finds the SDP in a SIP body: application/sdp directly, or the application/sdp part of a
// multipart body (RFC 2046 5.1; multipart/mixed, /alternative, /related ...), nested at most
// max_depth levels deep.
#include "core/sip_message.hpp"
#include "core/text.hpp"

namespace voxmon::core {

namespace {

using text::iequals;
using text::istarts_with;
using text::trim;

constexpr int max_depth = 4;
constexpr size_t max_boundary = 200;  // RFC 2046 allows 70; be lenient but bounded



struct line_view {
  std::string_view text;  // without CR LF / LF
  size_t next = 0;
};

line_view read_line(std::string_view data, size_t pos) {
  const size_t nl = data.find('\n', pos);
  line_view l;
  l.text = nl == std::string_view::npos ? data.substr(pos) : data.substr(pos, nl - pos);
  l.next = nl == std::string_view::npos ? data.size() : nl + 1;
  if (!l.text.empty() && l.text.back() == '\r')
    l.text.remove_suffix(1);
  return l;
}

// "type/subtype" of a Content-Type value, without parameters.
std::string_view media_type(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

// The boundary parameter of a multipart Content-Type, quoted or not; empty when absent.
std::string_view boundary_of(std::string_view content_type) {
  const size_t first = content_type.find(';');
  if (first == std::string_view::npos)
    return {};
  std::string_view rest = content_type.substr(first + 1);
  while (!rest.empty()) {
    const size_t eq = rest.find('=');
    const size_t semi = rest.find(';');
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      if (semi == std::string_view::npos)
        return {};
      rest.remove_prefix(semi + 1);  // a parameter without a value
      continue;
    }
    const std::string_view name = trim(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    while (!rest.empty() && text::is_space(rest.front()))
      rest.remove_prefix(1);
    std::string_view value;
    if (!rest.empty() && rest.front() == '"') {
      const size_t close = rest.find('"', 1);
      if (close == std::string_view::npos)
        return {};
      value = rest.substr(1, close - 1);
      rest.remove_prefix(close + 1);
    } else {
      const size_t end = rest.find(';');
      value = trim(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    if (iequals(name, "boundary"))
      return value;
    const size_t next = rest.find(';');
    if (next == std::string_view::npos)
      return {};
    rest.remove_prefix(next + 1);
  }
  return {};
}

// A delimiter line is "--boundary" (optionally followed by "--" for the last one, and
// transport padding whitespace).
enum class delimiter { none, part, close };

delimiter classify_line(std::string_view line, std::string_view boundary) {
  if (line.size() < boundary.size() + 2 || line[0] != '-' || line[1] != '-' ||
      line.substr(2, boundary.size()) != boundary)
    return delimiter::none;
  const std::string_view tail = line.substr(2 + boundary.size());
  if (tail.size() >= 2 && tail[0] == '-' && tail[1] == '-')
    return delimiter::close;
  return trim(tail).empty() ? delimiter::part : delimiter::none;
}

std::optional<std::string_view> find_sdp(std::string_view content_type, std::string_view body,
                                         int depth);

// Looks at one body part: headers up to an empty line, then the content.
std::optional<std::string_view> sdp_in_part(std::string_view part, int depth) {
  std::string_view part_type;
  size_t pos = 0;
  bool has_headers = true;
  // A part may start directly with content (no headers): then the first line has no colon or
  // the part starts with an empty line.
  while (pos < part.size()) {
    const line_view l = read_line(part, pos);
    pos = l.next;
    if (l.text.empty())
      break;
    const size_t colon = l.text.find(':');
    if (colon == std::string_view::npos) {
      has_headers = false;
      break;
    }
    if (iequals(trim(l.text.substr(0, colon)), "Content-Type") && part_type.empty())
      part_type = trim(l.text.substr(colon + 1));
  }
  if (!has_headers)  // a broken sender put the content right after the delimiter
    return part.size() >= 2 && part[0] == 'v' && part[1] == '=' ? std::optional(part)
                                                                : std::nullopt;
  return find_sdp(part_type, part.substr(pos), depth);
}

std::optional<std::string_view> sdp_in_multipart(std::string_view boundary,
                                                 std::string_view body, int depth) {
  size_t pos = 0;
  size_t part_start = std::string_view::npos;  // content after the current delimiter
  while (pos < body.size()) {
    const size_t line_start = pos;
    const line_view l = read_line(body, pos);
    pos = l.next;
    const delimiter d = classify_line(l.text, boundary);
    if (d == delimiter::none)
      continue;
    if (part_start != std::string_view::npos) {
      // The line break before the delimiter belongs to the delimiter.
      size_t end = line_start;
      if (end > part_start && body[end - 1] == '\n')
        --end;
      if (end > part_start && body[end - 1] == '\r')
        --end;
      if (auto sdp = sdp_in_part(body.substr(part_start, end - part_start), depth))
        return sdp;
    }
    if (d == delimiter::close)
      return std::nullopt;
    part_start = pos;
  }
  // No close delimiter (truncated capture): the last part runs to the end.
  if (part_start != std::string_view::npos && part_start < body.size())
    return sdp_in_part(body.substr(part_start), depth);
  return std::nullopt;
}

std::optional<std::string_view> find_sdp(std::string_view content_type, std::string_view body,
                                         int depth) {
  const std::string_view type = media_type(content_type);
  if (iequals(type, "application/sdp"))
    return body.empty() ? std::nullopt : std::optional<std::string_view>(body);
  if (istarts_with(type, "multipart/")) {
    if (depth >= max_depth)
      return std::nullopt;
    const std::string_view boundary = boundary_of(content_type);
    if (boundary.empty() || boundary.size() > max_boundary)
      return std::nullopt;
    return sdp_in_multipart(boundary, body, depth + 1);
  }
  // No Content-Type at all, but the body plainly is SDP.
  if (type.empty() && body.size() >= 2 && body[0] == 'v' && body[1] == '=')
    return body;
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> sdp_body(const sip_message& m) {
  if (m.body.empty())
    return std::nullopt;
  return find_sdp(m.content_type, m.body, 0);
}

}  // namespace voxmon::core
