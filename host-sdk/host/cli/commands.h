// Options and entry points of every rchost subcommand; cli/app.cpp maps the command line
// onto these. Each returns the process exit code (see exit_codes.h).
#pragma once

#include <string>
#include <vector>

#include "cli/storage_options.h"

namespace host::cli {

struct ServeOptions {
  StorageOptions storage;
  std::string address = "127.0.0.1";
  unsigned port = 3000;
  std::string plugins_dir;  // empty: "plugins" next to the executable
  unsigned threads = 0;     // 0: one per core
  // Threads for handlers that may block (login); also bounds concurrent password hashes, of
  // 64 MiB each. 0: every handler on the io threads.
  unsigned workers = 2;
  unsigned cache_ttl_ms = 500;  // storage read cache; 0: off. Hosts sharing PostgreSQL see
                                // one another's changes within this (+ a request): < 1 s
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  unsigned idle_timeout_s = 30;
  unsigned read_timeout_s = 10;
  bool test_clock = false;
  std::string log_level = "info";
};
int run_serve(const ServeOptions& options);

struct UserAddOptions {
  StorageOptions storage;
  std::string username, password, name;
  std::vector<std::string> roles = {"user"};
};
int run_user_add(const UserAddOptions& options);
struct UserSeedOptions {
  StorageOptions storage;
  std::size_t count = 1000;
  std::string prefix = "user";
};
// Bulk-creates users <prefix>1..<prefix>N without passwords (benchmark data).
int run_user_seed(const UserSeedOptions& options);
// Sets a user (by username) active or inactive.
int run_user_set_active(const StorageOptions& storage, const std::string& username, bool active);
int run_user_list(const StorageOptions& storage, bool json);

int run_workspace_add(const StorageOptions& storage, const std::string& name,
                      const std::string& host);
int run_workspace_map_host(const StorageOptions& storage, const std::string& host,
                           const std::string& workspace);
int run_workspace_list(const StorageOptions& storage);

int run_setting_set(const StorageOptions& storage, const std::string& name,
                    const std::string& value);
int run_setting_unset(const StorageOptions& storage, const std::string& name);

int run_plugin_enable(const StorageOptions& storage, const std::string& plugin_id, bool enabled);

struct AuditListOptions {
  StorageOptions storage;  // workspace empty: every workspace
  bool json = false;
  std::size_t limit = 100;
};
int run_audit_list(const AuditListOptions& options);

}  // namespace host::cli
