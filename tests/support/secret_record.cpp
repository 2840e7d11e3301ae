// Appends to per-process files in $RCT_SECRET_SCAN_DIR, under one lock: several client
// threads of one test may record at once.
#include "secret_record.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace rct {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMinLength = 8;

std::mutex& file_mutex() {
  static std::mutex m;
  return m;
}

const char* scan_dir() {
  const char* dir = std::getenv("RCT_SECRET_SCAN_DIR");
  return dir != nullptr && *dir != '\0' ? dir : nullptr;
}

void append_line(const char* file_prefix, std::string_view line) {
  const char* dir = scan_dir();
  if (dir == nullptr || line.find('\n') != std::string_view::npos) return;
  std::lock_guard lock(file_mutex());
  fs::create_directories(dir);
  std::ofstream out(fs::path(dir) / (file_prefix + std::to_string(getpid()) + ".txt"),
                    std::ios::app);
  out << line << '\n';
}

const char* kind_name(SecretKind kind) {
  switch (kind) {
    case SecretKind::kToken:
      return "token";
    case SecretKind::kPassword:
      return "password";
    case SecretKind::kSharedSecret:
      return "secret";
  }
  return "unknown";
}

}  // namespace

void record_secret(SecretKind kind, std::string_view value) {
  if (value.size() < kMinLength || value.find('\t') != std::string_view::npos) return;
  append_line("secrets-", std::string(kind_name(kind)) + "\t" + std::string(value));
}

void record_request_body(std::string_view body) {
  if (scan_dir() == nullptr) return;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return;
  if (auto p = j.find("password"); p != j.end() && p->is_string()) {
    record_secret(SecretKind::kPassword, p->get<std::string>());
  }
  if (auto s = j.find("secret"); s != j.end() && s->is_string()) {
    record_secret(SecretKind::kSharedSecret, s->get<std::string>());
  }
}

void record_response(int status, std::string_view body) {
  if (scan_dir() == nullptr) return;
  if (status >= 400) append_line("error-bodies-", body);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return;
  if (auto d = j.find("data"); d != j.end() && d->is_object()) {
    if (auto t = d->find("authToken"); t != d->end() && t->is_string()) {
      record_secret(SecretKind::kToken, t->get<std::string>());
    }
  }
}

void record_command(const std::vector<std::string>& args) {
  if (scan_dir() == nullptr) return;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--password") record_secret(SecretKind::kPassword, args[i + 1]);
    if (args[i] == "CREATE_TOKENS_FOR_USERS_SECRET") {
      record_secret(SecretKind::kSharedSecret, args[i + 1]);
    }
  }
}

void keep_artifacts(const fs::path& dir) {
  const char* scan = scan_dir();
  if (scan == nullptr) return;
  static std::atomic<int> counter{0};
  fs::path target =
      fs::path(scan) / "artifacts" / (std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::error_code ec;
  fs::create_directories(target, ec);
  for (const char* name : {"host.log", "host.db", "host.db-wal", "host.db-shm", "out", "err"}) {
    if (fs::is_regular_file(dir / name, ec)) {
      fs::copy_file(dir / name, target / name, fs::copy_options::overwrite_existing, ec);
    }
  }
}

}  // namespace rct
