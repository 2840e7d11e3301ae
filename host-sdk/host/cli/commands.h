// Options and entry points of every rchost subcommand; cli/app.cpp maps the command line
// onto these. Each returns the process exit code (see exit_codes.h).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
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
  std::size_t max_connections = 10'000;  // more get a 503 and are closed
  bool test_clock = false;
  std::string log_level = "info";
  std::string log_format = "text";  // text | json
  // Plugin routes' rate limit: "manifest" (what each route declares), "off", or
  // "<requests>/<window_seconds>" for every plugin route (cli/config.h parse_rate_limit).
  std::string rate_limit = "manifest";
  // Host settings (CREATE_TOKENS_FOR_USERS, Accounts_LoginExpiration, ...) from the config
  // file: exported to the environment unless set there, so they act as environment defaults.
  std::map<std::string, std::string> setting_defaults;
  std::string config_file;  // the config file these came from; empty: none (for the log)
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
// Replaces a user's roles.
int run_user_set_roles(const StorageOptions& storage, const std::string& username,
                       const std::vector<std::string>& roles);
struct UserSetPasswordOptions {
  StorageOptions storage;
  std::string username;
  std::optional<std::string> password;  // --password
  std::string password_file;            // --password-file; "-" or neither: standard input
};
// Stores a new Argon2id password hash (the hashing `user add` uses); sessions stay valid.
int run_user_set_password(const UserSetPasswordOptions& options);

// rchost token list | revoke: a user's sessions, shown by a prefix of their stored hash
// (never a token).
int run_token_list(const StorageOptions& storage, const std::string& username, bool json);
struct TokenRevokeOptions {
  StorageOptions storage;
  std::string username;
  std::string hash_prefix;  // or
  bool all = false;
};
int run_token_revoke(const TokenRevokeOptions& options);

int run_workspace_add(const StorageOptions& storage, const std::string& name,
                      const std::string& host);
int run_workspace_map_host(const StorageOptions& storage, const std::string& host,
                           const std::string& workspace);
int run_workspace_list(const StorageOptions& storage);

int run_setting_set(const StorageOptions& storage, const std::string& name,
                    const std::string& value);
int run_setting_unset(const StorageOptions& storage, const std::string& name);

int run_plugin_enable(const StorageOptions& storage, const std::string& plugin_id, bool enabled);
// Loads every plugin of the directory with serve's checks (and no request served) and prints
// id, version, loaded or refused (and why), and whether the workspace enables it.
int run_plugin_list(const StorageOptions& storage, const std::string& plugins_dir, bool json);
// serve's plugin directory: `flag` when given, else "plugins" next to the executable.
std::filesystem::path plugins_directory(const std::string& flag);

struct AuditListOptions {
  StorageOptions storage;  // workspace empty: every workspace
  bool json = false;
  std::size_t limit = 100;  // 0: no limit
  std::string caller;       // user id (or username with a workspace); empty: any
  std::string target;       // likewise
  std::string outcome;      // issued | refused | failed; empty: any
  std::string since;        // ISO-8601 or an age such as "1h" (cli/time_text.h); empty: all
};
int run_audit_list(const AuditListOptions& options);

}  // namespace host::cli
