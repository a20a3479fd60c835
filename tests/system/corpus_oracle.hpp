#pragma once
// Reads ../shared/corpus: MANIFEST.tsv and tshark's view of each capture (oracle/).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace voxmon::test {

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    out.push_back(cur);
  if (!s.empty() && s.back() == sep)
    out.emplace_back();
  return out;
}

// A TSV file with a header line, as maps from column name to value.
inline std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& p) {
  std::vector<std::map<std::string, std::string>> rows;
  std::ifstream in(p);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    auto cells = split(line, '\t');
    if (header.empty()) {
      header = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i)
      row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

struct oracle_stream {
  std::string src, dst;
  int sport = 0, dport = 0;
  uint32_t ssrc = 0;
  std::string payload;
  long packets = 0;
  long lost = 0;
  double mean_jitter = 0;
  double max_jitter = 0;
};

// Rows of `tshark -q -z rtp,streams`.
inline std::vector<oracle_stream> read_rtp_streams(const std::filesystem::path& p) {
  std::vector<oracle_stream> out;
  std::ifstream in(p);
  std::string line;
  auto is_int = [](const std::string& t) {
    if (t.empty())
      return false;
    size_t i = t[0] == '-' ? 1 : 0;
    if (i == t.size())
      return false;
    for (; i < t.size(); ++i)
      if (t[i] < '0' || t[i] > '9')
        return false;
    return true;
  };
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> t;
    std::string tok;
    while (ls >> tok)
      t.push_back(tok);
    if (t.size() < 16 || t[6].rfind("0x", 0) != 0)
      continue;
    oracle_stream s;
    s.src = t[2];
    s.sport = std::stoi(t[3]);
    s.dst = t[4];
    s.dport = std::stoi(t[5]);
    s.ssrc = static_cast<uint32_t>(std::stoul(t[6], nullptr, 16));
    size_t k = 8;
    while (k + 8 < t.size() && !(is_int(t[k]) && is_int(t[k + 1]) && t[k + 2][0] == '('))
      ++k;
    if (k + 8 >= t.size())
      continue;
    for (size_t i = 7; i < k; ++i)
      s.payload += (i > 7 ? " " : "") + t[i];
    s.packets = std::stol(t[k]);
    s.lost = std::stol(t[k + 1]);
    s.mean_jitter = std::stod(t[k + 7]);
    s.max_jitter = std::stod(t[k + 8]);
    out.push_back(s);
  }
  return out;
}

}  // namespace voxmon::test
