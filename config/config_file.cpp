// The voipmonitor.conf-style reader: sections, comments, `key = value` lines.
#include <cctype>
#include "core/text.hpp"
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "config/settings.hpp"

namespace voxmon::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

using core::text::lower_copy;

// Cuts a trailing comment: '#' or ';' that follows whitespace ("5060   # SIP").
// A '#' inside a value ("/data/a#b") stays.
std::string_view strip_trailing_comment(std::string_view v) {
  for (size_t i = 1; i < v.size(); ++i)
    if ((v[i] == '#' || v[i] == ';') && std::isspace(static_cast<unsigned char>(v[i - 1])))
      return trim(v.substr(0, i));
  return v;
}

std::string where(const std::string& file, int line) {
  return file + ":" + std::to_string(line) + ": ";
}

}  // namespace

std::string config_error::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0)
      out += ":" + std::to_string(line);
    out += ": ";
  }
  if (!key.empty())
    out += "key '" + key + "': ";
  out += reason;
  return out;
}

load_result load_config_text(const std::string& text, const std::string& file_name,
                             settings& s) {
  load_result result;
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF"))  // UTF-8 byte order mark
    rest.remove_prefix(3);
  int line_no = 0;
  bool in_skipped_section = false;
  bool sipport_seen = false;  // VoIPmonitor: repeated sipport lines add up
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view raw = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++line_no;
    const std::string_view line = trim(raw);  // also drops the '\r' of CRLF
    if (line.empty() || line.front() == '#' || line.front() == ';')
      continue;

    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        result.error = config_error{file_name, line_no, "",
                                    "section header " + std::string(line) + " has no ']'"};
        return result;
      }
      const std::string section(trim(line.substr(1, close - 1)));
      in_skipped_section = lower_copy(section) != "general";
      if (in_skipped_section)
        result.warnings.push_back(where(file_name, line_no) + "section [" + section +
                                  "] is not supported; its keys are skipped");
      continue;
    }
    if (in_skipped_section)
      continue;

    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      result.error = config_error{file_name, line_no, std::string(line),
                                  "expected 'key = value'"};
      return result;
    }
    const std::string key(trim(line.substr(0, eq)));
    const std::string value(strip_trailing_comment(trim(line.substr(eq + 1))));
    if (key.empty()) {
      result.error = config_error{file_name, line_no, "", "missing key before '='"};
      return result;
    }

    switch (classify_key(key)) {
      case key_kind::unknown:
        result.warnings.push_back(where(file_name, line_no) + "unknown key '" + key + "'");
        continue;
      case key_kind::ignored:
        result.warnings.push_back(where(file_name, line_no) + "key '" + key +
                                  "' is not supported yet and is ignored");
        continue;
      case key_kind::supported:
        break;
    }
    const bool is_sipport = lower_copy(key) == "sipport";
    auto previous_ports = s.sipport;
    bool known = false;
    if (auto reason = apply_setting(s, key, value, known)) {
      result.error = config_error{file_name, line_no, key, *reason};
      return result;
    }
    if (is_sipport) {
      if (sipport_seen)
        s.sipport.insert(s.sipport.begin(), previous_ports.begin(), previous_ports.end());
      sipport_seen = true;
    }
  }
  return result;
}

load_result load_config_file(const std::string& path, settings& s) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    load_result result;
    result.error = config_error{path, 0, "", "is a directory, not a config file"};
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    load_result result;
    result.error = config_error{path, 0, "", std::string("cannot open: ") + std::strerror(errno)};
    return result;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    load_result result;
    result.error = config_error{path, 0, "", std::string("cannot read: ") + std::strerror(errno)};
    return result;
  }
  return load_config_text(buf.str(), path, s);
}

}  // namespace voxmon::config
