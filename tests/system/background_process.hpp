#pragma once
// A real process running beside a system test (a server, a sensor): started with fork/exec in
// its own working directory, stdout and stderr to files, stopped by signal, waited for with a
// deadline.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace voxmon::test {

class background_process {
 public:
  background_process(const std::string& binary, const std::vector<std::string>& args,
                     const std::filesystem::path& workdir, const std::string& name)
      : out_(workdir / (name + ".out")), err_(workdir / (name + ".err")) {
    std::filesystem::create_directories(workdir);
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(workdir.c_str()) != 0)
        ::_exit(127);
      std::freopen("/dev/null", "r", stdin);
      std::freopen(out_.c_str(), "w", stdout);
      std::freopen(err_.c_str(), "w", stderr);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(binary.c_str()));
      for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~background_process() {
    if (running()) {
      signal(SIGKILL);
      wait_for(std::chrono::seconds(10));
    }
  }
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exit_code_; }
  void signal(int sig) const {
    if (pid_ > 0)
      ::kill(pid_, sig);
  }
  // The exit code (-1 when killed by a signal), or nullopt when still running at the deadline.
  std::optional<int> wait_for(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!exit_code_) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (r < 0 || std::chrono::steady_clock::now() >= deadline)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
  }
  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }
  // Waits until stderr contains `text` (true) or the deadline passes / the process ends (false).
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (err().find(text) != std::string::npos)
        return true;
      if (wait_for(std::chrono::milliseconds(0)))
        return err().find(text) != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace voxmon::test
