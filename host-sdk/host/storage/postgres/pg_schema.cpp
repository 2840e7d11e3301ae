// Schema creation and migration: ordered steps recorded in schema_version, applied under an
// advisory lock so several hosts starting at once do not race.
#include "storage/postgres/pg_schema.h"

#include <string>

namespace host::pg {
namespace {

// Append only: a released step never changes, a new one comes after it. A step that cannot
// run inside a transaction (CREATE INDEX CONCURRENTLY) would need its own path.
constexpr const char* kSteps[] = {
    // 1: the whole contract. Everything but the audit trail belongs to a workspace row.
    R"sql(
CREATE TABLE workspaces (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Host names are stored folded to lower case: DNS names ignore ASCII case.
CREATE TABLE host_workspaces (
  host text PRIMARY KEY,
  workspace text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE TABLE users (
  workspace text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id text NOT NULL,
  username text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  active boolean NOT NULL,
  roles text[] NOT NULL,
  created_ms bigint NOT NULL,
  PRIMARY KEY (workspace, id)
);
-- COLLATE "C" makes lower() fold ASCII only, as the contract says, whatever the locale.
CREATE UNIQUE INDEX users_username_ci ON users (workspace, lower(username COLLATE "C"));
CREATE TABLE sessions (
  workspace text NOT NULL,
  user_id text NOT NULL,
  token_hash text NOT NULL,  -- base64(SHA-256(token)); the token itself is never stored
  created_ms bigint NOT NULL,
  expires_ms bigint NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,  -- insertion order breaks created_ms ties
  PRIMARY KEY (workspace, user_id, token_hash),
  FOREIGN KEY (workspace, user_id) REFERENCES users (workspace, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_age ON sessions (workspace, user_id, created_ms DESC, seq DESC);
CREATE TABLE permissions (
  workspace text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  permission text NOT NULL,
  roles text[] NOT NULL,
  PRIMARY KEY (workspace, permission)
);
CREATE TABLE settings (
  workspace text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (workspace, name)
);
CREATE TABLE plugin_enablement (
  workspace text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  plugin_id text NOT NULL,
  enabled boolean NOT NULL,
  PRIMARY KEY (workspace, plugin_id)
);
-- No foreign key: the trail outlives whatever it mentions.
CREATE TABLE audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time_ms bigint NOT NULL,
  workspace text NOT NULL,
  action text NOT NULL,
  caller_id text NOT NULL,
  target_id text NOT NULL,
  client_address text NOT NULL,
  outcome text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX audit_by_workspace ON audit (workspace, id);
)sql",
};

constexpr int kStepCount = static_cast<int>(sizeof(kSteps) / sizeof(kSteps[0]));

}  // namespace

int latest_schema_version() noexcept { return kStepCount; }

Status migrate(Executor& executor) {
  for (;;) {
    bool done = false;
    Status status = executor.write([&](pqxx::transaction_base& txn) -> Status {
      done = false;
      // A long migration by another host must not trip the short statement timeout.
      txn.exec("SET LOCAL statement_timeout = '300s'");
      txn.exec_params("SELECT pg_advisory_xact_lock($1, $2)", kLockClass, kMigrationLock);
      txn.exec(
          "CREATE TABLE IF NOT EXISTS schema_version ("
          " version integer PRIMARY KEY,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
      const int current =
          txn.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0].as<int>();
      if (current > kStepCount) {
        return Status::Unavailable("database schema version " + std::to_string(current) +
                                   " is newer than this host supports (" +
                                   std::to_string(kStepCount) + "); upgrade the host");
      }
      if (current == kStepCount) {
        done = true;
        return Status::Ok();
      }
      txn.exec(kSteps[current]);
      txn.exec_params("INSERT INTO schema_version (version) VALUES ($1)", current + 1);
      return Status::Ok();
    });
    if (!status.ok()) return status;
    if (done) return Status::Ok();
  }
}

}  // namespace host::pg
