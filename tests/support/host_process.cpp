// fork/exec of rchost with output to files; PR_SET_PDEATHSIG makes the kernel kill a
// child whose test process died, so a crashed test never leaves a host behind.
#include "host_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.h"
#include "secret_record.h"

extern char** environ;

namespace rct {
namespace fs = std::filesystem;
namespace {

std::string rchost_path() { return RCT_RCHOST_PATH; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool inherited(std::string_view variable) {
  return variable.rfind("CREATE_TOKENS_FOR_USERS=", 0) != 0 &&
         variable.rfind("CREATE_TOKENS_FOR_USERS_SECRET=", 0) != 0 &&
         variable.rfind("RCHOST_", 0) != 0;
}

struct SpawnOptions {
  const Environment* environment = nullptr;
  unsigned max_open_files = 0;  // RLIMIT_NOFILE (hard, and soft unless open_files_soft)
  unsigned open_files_soft = 0;
  int* stdin_write = nullptr;  // when set: a pipe to its standard input, else /dev/null
};

// Starts `argv` with stdout and stderr appended to the given files.
pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err,
            const SpawnOptions& options = {}) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (inherited(*e)) env_strings.emplace_back(*e);
  }
  if (options.environment != nullptr) {
    for (const auto& [name, value] : *options.environment)
      env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int pipe_fds[2] = {-1, -1};
  if (options.stdin_write != nullptr && pipe(pipe_fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int i = pipe_fds[0] >= 0 ? pipe_fds[0] : open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || i < 0) _exit(126);
    if (options.max_open_files != 0) {
      rlimit limit{options.open_files_soft != 0 ? options.open_files_soft : options.max_open_files,
                   options.max_open_files};
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(125);
    }
    dup2(i, STDIN_FILENO);
    dup2(o, STDOUT_FILENO);
    dup2(e, STDERR_FILENO);
    if (pipe_fds[1] >= 0) close(pipe_fds[1]);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (options.stdin_write != nullptr) {
    close(pipe_fds[0]);
    *options.stdin_write = pipe_fds[1];
  }
  return pid;
}

}  // namespace

int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -2;
    }
    if (r < 0) return -2;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// The host may still lose a race for it; HostProcess::start() retries.
unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

CommandResult run_rchost(const std::vector<std::string>& args, const RunOptions& options) {
  TempDir scratch;
  record_command(args);
  std::vector<std::string> argv = {rchost_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  int stdin_write = -1;
  pid_t pid = spawn(argv, scratch.path() / "out", scratch.path() / "err",
                    {.environment = &options.environment, .stdin_write = &stdin_write});
  // The command may exit before reading its input: its exit code then says why.
  signal(SIGPIPE, SIG_IGN);
  for (std::size_t at = 0; at < options.input.size();) {
    ssize_t n = write(stdin_write, options.input.data() + at, options.input.size() - at);
    if (n <= 0) break;
    at += static_cast<std::size_t>(n);
  }
  close(stdin_write);
  CommandResult result;
  result.exit_code = wait_for_exit(pid, options.timeout);
  if (result.exit_code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.out = read_file(scratch.path() / "out");
  result.err = read_file(scratch.path() / "err");
  keep_artifacts(scratch.path());
  return result;
}

pid_t start_rchost(const std::vector<std::string>& args, const Environment& environment,
                   const fs::path& log) {
  record_command(args);
  std::vector<std::string> argv = {rchost_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn(argv, log, log, {.environment = &environment});
}

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = fs::temp_directory_path() / ("rct-" + std::to_string(rd()));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

HostProcess::HostProcess(HostOptions options) : options_(std::move(options)) {
  if (options_.plugins_dir.empty()) options_.plugins_dir = RCT_PLUGINS_DIR;
}

HostProcess::~HostProcess() {
  if (pid_ > 0) stop(std::chrono::seconds(5));
  keep_artifacts(data_dir());
}

CommandResult HostProcess::cli(std::vector<std::string> args) const {
  args.push_back("--data");
  args.push_back(data_dir().string());
  return run_rchost(args);
}

void HostProcess::start() {
  for (const auto& [name, value] : options_.environment) {
    if (name == "CREATE_TOKENS_FOR_USERS_SECRET") record_secret(SecretKind::kSharedSecret, value);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    std::vector<std::string> args = {rchost_path(), "serve",
                                     "--data",      data_dir().string(),
                                     "--plugins",   options_.plugins_dir.string(),
                                     "--port",      std::to_string(port_),
                                     "--threads",   std::to_string(options_.threads)};
    if (options_.test_clock) args.push_back("--test-clock");
    for (std::string arg : options_.extra_args) {
      if (auto at = arg.find("{data}"); at != std::string::npos) {
        arg.replace(at, 6, data_dir().string());
      }
      args.push_back(std::move(arg));
    }
    fs::path log = data_dir() / "host.log";
    pid_ = spawn(args, log, log,
                 {.environment = &options_.environment,
                  .max_open_files = options_.max_open_files,
                  .open_files_soft = options_.open_files_soft});

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (wait_for_exit(pid_, std::chrono::milliseconds(0)) != -1) {
        pid_ = -1;
        break;  // exited: maybe the port was taken meanwhile; try another
      }
      HttpResult info = http_request(port_, "GET", "/api/info");
      if (info.status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  throw std::runtime_error("rchost did not start; its log:\n" + log());
}

int HostProcess::stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int code = wait_for_exit(pid_, timeout);
  if (code == -1) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return code;
}

int HostProcess::wait_exit(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  int code = wait_for_exit(pid_, timeout);
  if (code == -1) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return code;
}

int HostProcess::kill(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int code = wait_for_exit(pid_, timeout);
  if (code == -1) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return code;
}

bool HostProcess::running() {
  if (pid_ <= 0) return false;
  if (wait_for_exit(pid_, std::chrono::milliseconds(0)) == -1) return true;
  pid_ = -1;
  return false;
}

std::string HostProcess::log() const { return read_file(data_dir() / "host.log"); }

}  // namespace rct
