// Runs the built rchost for tests: CLI commands to seed data, and `rchost serve` on a free
// loopback port with a temporary data directory, killed when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace rct {

struct CommandResult {
  int exit_code = -1;  // -1: did not finish in time (killed)
  std::string out;
  std::string err;
};

using Environment = std::vector<std::pair<std::string, std::string>>;

// Every rchost a test starts inherits the test's environment less CREATE_TOKENS_FOR_USERS,
// CREATE_TOKENS_FOR_USERS_SECRET and RCHOST_* (a developer's shell must not change a test).
struct RunOptions {
  Environment environment;  // added to that
  std::string input;        // written to its standard input, which is then closed
  std::chrono::seconds timeout{60};
};

// rchost with `args`, to completion (killed after the timeout).
CommandResult run_rchost(const std::vector<std::string>& args, const RunOptions& options = {});

// `rchost <args>` in the background, stdout and stderr appended to `log`.
pid_t start_rchost(const std::vector<std::string>& args, const Environment& environment,
                   const std::filesystem::path& log);
// The exit code of child `pid` (128 + signal when a signal ended it) once it exits within
// `timeout`; -1 while it still runs.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);
// A loopback port nobody listens on right now.
unsigned short free_port();

// A fresh directory under the system temp directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct HostOptions {
  std::filesystem::path plugins_dir;  // empty: the build's plugins directory
  bool test_clock = false;
  unsigned threads = 2;
  // Appended to `rchost serve ...`; "{data}" in an argument stands for the data directory.
  std::vector<std::string> extra_args;
  // Set in serve's environment, after CREATE_TOKENS_FOR_USERS(_SECRET) were removed from it.
  std::vector<std::pair<std::string, std::string>> environment;
  // RLIMIT_NOFILE of serve (hard, and soft when open_files_soft is 0); 0: inherited.
  unsigned max_open_files = 0;
  unsigned open_files_soft = 0;
};

class HostProcess {
 public:
  explicit HostProcess(HostOptions options = {});
  ~HostProcess();  // kills a running host (SIGKILL after a grace period)
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  const std::filesystem::path& data_dir() const { return data_.path(); }
  // `rchost <args...> --data <data dir>`.
  CommandResult cli(std::vector<std::string> args) const;

  // Starts serving; returns once GET /api/info answers. Throws std::runtime_error with the
  // host's log when it does not come up.
  void start();
  // SIGTERM, then waits; the exit code, or -1 when it had to be killed.
  int stop(std::chrono::seconds timeout = std::chrono::seconds(15));
  // Waits for the host to exit by itself; the exit code, or -1 (then killed) on timeout.
  int wait_exit(std::chrono::seconds timeout);
  // Sends `signal` (SIGKILL: a crash) and waits for the exit; 128 + signal when it died of
  // it, -1 when not running. start() may then serve the same data directory again.
  int kill(int signal, std::chrono::seconds timeout = std::chrono::seconds(15));
  bool running();
  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Everything the host wrote to stdout and stderr so far.
  std::string log() const;

 private:
  HostOptions options_;
  TempDir data_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace rct
