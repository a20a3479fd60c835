#pragma once
// Runs a real voxmon process for the system tests and captures what it printed.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace voxmon::test {

struct process_result {
  int exit_code = -1;
  std::string out;   // stdout
  std::string err;   // stderr
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::path(VOXMON_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `binary args...` (arguments are quoted), stdout and stderr captured separately.
inline process_result run(const std::string& binary, const std::vector<std::string>& args,
                          const std::filesystem::path& workdir = VOXMON_TEST_TMP) {
  std::filesystem::create_directories(workdir);
  static int counter = 0;
  const auto err_path = workdir / ("stderr." + std::to_string(::getpid()) + "." + std::to_string(counter++));
  std::string cmd = "cd " + shell_quote(workdir.string()) + " && " + shell_quote(binary);
  for (const auto& a : args)
    cmd += " " + shell_quote(a);
  cmd += " 2>" + shell_quote(err_path.string()) + " </dev/null";
  process_result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe)
    return r;
  std::array<char, 65536> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_path);
  std::filesystem::remove(err_path);
  return r;
}

inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& p) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      rows.push_back(nlohmann::json::parse(line));
  return rows;
}

}  // namespace voxmon::test
