// name-addr / addr-spec parsing for From, To and similar headers (RFC 3261 20.10, 25.1).
#include "core/sip_message.hpp"
#include "core/text.hpp"

namespace voxmon::core {

namespace {

using text::iequals;
using text::trim;



// Position just after the closing quote of the quoted string starting at s[0] == '"', or npos
// when it is not terminated. Backslash escapes one character (quoted-pair).
size_t skip_quoted(std::string_view s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return std::string_view::npos;
}

// Finds the tag parameter in header parameters such as ";tag=abc;foo=bar".
std::string_view find_tag(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    if (semi == std::string_view::npos)
      break;
    params.remove_prefix(semi + 1);
    size_t end = params.find_first_of(";,");
    const std::string_view param = params.substr(0, end);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "tag"))
      return trim(param.substr(eq + 1));
    if (end != std::string_view::npos && params[end] == ',')
      break;  // a second header value starts; its parameters are not ours
  }
  return {};
}

// Fills user and host from a URI. sip/sips: user@host:port;params, IPv6 hosts in brackets.
// tel: the number is the user, there is no host. Other schemes: neither.
void split_uri(std::string_view uri, name_addr& out) {
  const size_t colon = uri.find(':');
  const std::string_view scheme = uri.substr(0, colon);
  std::string_view rest = uri.substr(colon + 1);
  if (iequals(scheme, "tel")) {
    out.user = trim(rest.substr(0, rest.find_first_of(";?")));
    return;
  }
  if (!iequals(scheme, "sip") && !iequals(scheme, "sips"))
    return;
  // The host part ends at the first ';' or '?' after the userinfo.
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    // The user part may carry ';' parameters of its own (RFC 3261 user = ... / ";" ...), e.g.
    // "92970;phone-context=cdp.udp": they belong to the user, as Wireshark shows it. Only a
    // ":password" is cut off.
    const std::string_view userinfo = rest.substr(0, at);
    out.user = userinfo.substr(0, userinfo.find(':'));
    rest.remove_prefix(at + 1);
  }
  const std::string_view hostport = rest.substr(0, rest.find_first_of(";?"));
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    out.host = close == std::string_view::npos ? hostport.substr(1)
                                               : hostport.substr(1, close - 1);
  } else {
    out.host = hostport.substr(0, hostport.find(':'));
  }
}

}  // namespace

std::optional<name_addr> parse_name_addr(std::string_view header_value) {
  std::string_view v = trim(header_value);
  if (v.empty())
    return std::nullopt;
  name_addr out;
  std::string_view params;
  if (v.front() == '"') {
    const size_t end = skip_quoted(v);
    if (end == std::string_view::npos)
      return std::nullopt;
    out.display_name = v.substr(1, end - 2);
    v = trim(v.substr(end));
    if (v.empty() || v.front() != '<')
      return std::nullopt;
  }
  const size_t lt = v.find('<');
  // An unquoted display name is tokens: it never holds ':' (which a bare URI always has).
  const bool bracketed = lt != std::string_view::npos &&
                         v.substr(0, lt).find_first_of(":;") == std::string_view::npos;
  if (bracketed) {
    if (out.display_name.empty())
      out.display_name = trim(v.substr(0, lt));
    const size_t gt = v.find('>', lt + 1);
    if (gt == std::string_view::npos)
      return std::nullopt;
    out.uri = trim(v.substr(lt + 1, gt - lt - 1));
    params = v.substr(gt + 1);
  } else {
    // addr-spec without brackets: ;parameters after it belong to the header (RFC 3261 20.10).
    const size_t semi = v.find(';');
    out.uri = trim(v.substr(0, semi));
    if (semi != std::string_view::npos)
      params = v.substr(semi);
  }
  if (out.uri.empty() || out.uri.find(':') == std::string_view::npos)
    return std::nullopt;
  split_uri(out.uri, out);
  out.tag = find_tag(params);
  return out;
}

}  // namespace voxmon::core
