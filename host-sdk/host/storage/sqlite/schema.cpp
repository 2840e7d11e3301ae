// SQLite schema migrations. Every table is keyed by workspace so nothing crosses workspaces;
// usernames and host names compare with NOCASE (ASCII case-insensitive).
#include "storage/sqlite/schema.h"

#include <sqlite3.h>

#include <iterator>
#include <string>

namespace host::sqlite {
namespace {

constexpr const char* kMigrations[] = {
    // 1: initial schema.
    R"sql(
CREATE TABLE workspaces (
  id TEXT NOT NULL PRIMARY KEY,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE workspace_hosts (
  host TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE users (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  username TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL,
  roles TEXT NOT NULL,  -- JSON array of role names
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (workspace, id),
  UNIQUE (workspace, username)
) WITHOUT ROWID;

CREATE TABLE sessions (
  seq INTEGER PRIMARY KEY,  -- insertion order breaks ties between equal created_ms
  workspace TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,  -- base64(SHA-256(token)); the token itself is never stored
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  UNIQUE (workspace, user_id, token_hash),
  FOREIGN KEY (workspace, user_id) REFERENCES users(workspace, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_age ON sessions(workspace, user_id, created_ms, seq);

CREATE TABLE permissions (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  roles TEXT NOT NULL,  -- JSON array of role names
  PRIMARY KEY (workspace, id)
) WITHOUT ROWID;

CREATE TABLE settings (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (workspace, name)
) WITHOUT ROWID;

CREATE TABLE plugin_enablement (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  plugin_id TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  PRIMARY KEY (workspace, plugin_id)
) WITHOUT ROWID;

-- No foreign key: the trail outlives whatever it mentions.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  workspace TEXT NOT NULL,
  action TEXT NOT NULL,
  caller_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  client_address TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX audit_by_workspace ON audit(workspace, id);
)sql",

    // 2: sessions keyed by (workspace, user, token hash) in one WITHOUT ROWID B-tree: a user's
    // sessions sit together, so an issue and the cap's delete change the same page or two,
    // and no index by age is kept (the writer knows each user's sessions in issue order:
    // session_index.h). Audit ids without AUTOINCREMENT: no sqlite_sequence row is rewritten
    // on every append (rows are never deleted, so ids still only grow).
    R"sql(
CREATE TABLE sessions_new (
  workspace TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,  -- base64(SHA-256(token)); the token itself is never stored
  created_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,  -- issue order among the user's sessions: breaks created_ms ties
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (workspace, user_id, token_hash),
  FOREIGN KEY (workspace, user_id) REFERENCES users(workspace, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO sessions_new(workspace, user_id, token_hash, created_ms, seq, expires_ms)
  SELECT workspace, user_id, token_hash, created_ms, seq, expires_ms FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;

CREATE TABLE audit_new (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  workspace TEXT NOT NULL,
  action TEXT NOT NULL,
  caller_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  client_address TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL
);
INSERT INTO audit_new(id, time_ms, workspace, action, caller_id, target_id, client_address,
                      outcome, reason)
  SELECT id, time_ms, workspace, action, caller_id, target_id, client_address, outcome, reason
  FROM audit;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
CREATE INDEX audit_by_workspace ON audit(workspace, id);
)sql",
};

constexpr int kLatest = static_cast<int>(std::size(kMigrations));

Result<int> user_version(Connection& connection) {
  auto query = connection.prepare("PRAGMA user_version");
  if (query.step() != SQLITE_ROW) return query.error("read schema version");
  return static_cast<int>(query.column_int64(0));
}

Status apply_missing_steps(Connection& connection) {
  auto version = user_version(connection);
  if (!version.ok()) return version.status();
  if (*version > kLatest) {
    return Status::Unavailable("database schema version " + std::to_string(*version) +
                               " is newer than this host supports (" + std::to_string(kLatest) +
                               "); upgrade the host");
  }
  for (int step = *version; step < kLatest; ++step) {
    Status status = connection.exec(kMigrations[step]);
    if (!status.ok()) return status;
    std::string set_version = "PRAGMA user_version=" + std::to_string(step + 1);
    status = connection.exec(set_version.c_str());
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace

int latest_schema_version() noexcept { return kLatest; }

Status migrate(Connection& connection) {
  Status status = connection.exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  status = apply_missing_steps(connection);
  if (status.ok()) status = connection.exec("COMMIT");
  if (!status.ok() && connection.in_transaction()) (void)connection.exec("ROLLBACK");
  return status;
}

}  // namespace host::sqlite
