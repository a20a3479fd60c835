#pragma once
// Pieces of the Prometheus text exposition format (0.0.4) shared by every metrics renderer:
// one HELP and TYPE header per metric, then its samples; names get the `voxmon_` prefix.
#include <cstdio>
#include <string>

namespace voxmon::core::prometheus {

inline std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline void head(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP voxmon_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE voxmon_";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `labels` is empty or "{key=\"value\",...}".
inline void sample(std::string& out, const char* name, const std::string& labels,
                   const std::string& value) {
  out += "voxmon_";
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

// A label value with backslash, double quote and newline escaped.
inline std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace voxmon::core::prometheus
