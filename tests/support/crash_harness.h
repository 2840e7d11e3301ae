// Crash durability, shared by its SQLite and PostgreSQL tests (tests/e2e/e2e_crash_durability_test
// and tests/multihost/multihost_crash_durability_test): clients mint tokens over keep-alive
// connections, the host is killed with SIGKILL mid-traffic and started again on the same
// storage. Every token a client got a complete 200 for must authenticate afterwards, and
// nothing may be half-written: every session has its "issued" audit row and its user, and the
// session cap holds. A backend says how its database is queried and its CLI run; the SQL the
// harness sends is portable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host_process.h"
#include "workspace_fixture.h"

namespace rct::crash {

using Rows = std::vector<std::vector<std::string>>;

// What differs between storage backends.
struct Backend {
  // Every row of a read-only query on the host's database, each column as text ("" for NULL).
  std::function<Rows(const std::string& sql)> query;
  // An rchost CLI command against the host's storage; throws with its stderr on failure.
  std::function<void(const std::vector<std::string>& args)> cli;
  // base64(SHA-256(token)): what the host stores in sessions.token_hash.
  std::function<std::string(const std::string& token)> token_hash;
  // The backend's own checks of what a killed host left (run before the portable ones); may
  // be empty.
  std::function<void()> storage_checks;
};

struct Cycle {
  int clients = 1;  // minting clients, of which the first `capped` in the capped workspace
  int capped = 0;
};

// The rest, as both backends' tests run it, is the default.
struct Plan {
  std::vector<Cycle> cycles;  // one start, mint and SIGKILL each
  int targets = 200;          // users t1..t200 of workspace default (no cap to speak of)
  int capped_targets = 4;     // users c1..c4 of workspace capped, at most `cap` sessions
  std::size_t cap = 5;
  std::chrono::milliseconds mint_window{1500};  // traffic before the kill
};

struct Workspace {
  std::string name, host;  // Host header
  Credentials admin;
  std::string prefix;  // of the target usernames
  int targets = 0;
};

struct Minted {
  const Workspace* ws = nullptr;
  std::string user_id, token;
  std::int64_t sent_ms = 0;  // the session's created_ms is at least this
};

// A SQL string literal of `value` (quotes doubled): the same in SQLite and PostgreSQL.
std::string sql_quote(const std::string& value);

class CrashHarness {
 public:
  // Seeds workspaces default and capped (admin, the targets, CREATE_TOKENS_FOR_USERS and the
  // session caps) through the backend's CLI; `host` is not running and serves that storage.
  CrashHarness(HostProcess& host, Backend backend, Plan plan);

  // Every cycle of the plan: mint_and_kill, check_nothing_half_written, start,
  // check_nothing_lost and one more mint; then every default-workspace token of every cycle
  // is still stored, and nothing is half-written after the last, orderly stop.
  void run();

  // Starts the host and logs both admins in.
  void start();
  // Starts the host, runs the cycle's clients for the mint window, kills the host with
  // SIGKILL; what the clients were given (also added to all()).
  std::vector<Minted> mint_and_kill(const Cycle& cycle);
  // What the stopped or killed host left in its storage.
  void check_nothing_half_written();
  // Every token of `minted` answers GET /api/v1/me on the running host, but for a capped
  // user's token that `cap` newer sessions have since pushed out (legitimately).
  void check_nothing_lost(const std::vector<Minted>& minted);
  // Every token minted in workspace default, over every cycle, is in its sessions table.
  void check_default_tokens_stored();

  const std::vector<Minted>& all() const { return all_; }

 private:
  HostProcess& host_;
  Backend backend_;
  Plan plan_;
  Workspace open_ws_;
  Workspace capped_ws_;
  std::vector<Minted> all_;  // every token minted so far, over every cycle
};

}  // namespace rct::crash
