// SQLite backend specifics: URL forms, file and directory modes, WAL mode, reopening,
// schema versioning and migration, SQLITE_BUSY reported as kUnavailable, and the session cap
// when another connection changes a user's sessions.
#include <sqlite3.h>
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "storage/commit_scope.h"
#include "storage/sqlite/schema.h"
#include "support/temp_dir.h"
#include "support/test_records.h"

using namespace rct_test;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// A second, raw connection, as another process would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  std::string text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("sqlite: URL forms") {
  TempDir dir;
  CHECK(host::open_storage("sqlite:" + dir.file("a.db")).ok());
  CHECK(host::open_storage(dir.file("b.db")).ok());
  CHECK(host::open_storage("sqlite://" + dir.file("c.db")).ok());
  CHECK(host::open_storage("sqlite:" + dir.file("d.db") + "?busy_timeout_ms=10").ok());
  CHECK(host::open_storage("sqlite:" + dir.file("e.db") + "?nonsense=1").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(host::open_storage("sqlite:").status().code() == StatusCode::kInvalidArgument);
  // Not taken for a file name: it goes to the PostgreSQL backend, which finds no server.
  CHECK(host::open_storage("postgresql://127.0.0.1:1/db").status().code() ==
        StatusCode::kUnavailable);
}

TEST_CASE("sqlite: a new file is 0600 in new directories 0700; existing modes are kept") {
  TempDir dir;
  std::string path = dir.file("x/y/host.db");
  auto opened = host::open_storage("sqlite:" + path);
  REQUIRE(opened.ok());
  REQUIRE(opened.value()->add_workspace("w").ok());
  CHECK(mode_of(dir.file("x")) == 0700);
  CHECK(mode_of(dir.file("x/y")) == 0700);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path + "-wal") == 0600);  // SQLite copies the database file's mode
  CHECK(mode_of(path + "-shm") == 0600);

  std::string existing = dir.file("existing.db");
  { std::ofstream touch(existing); }
  ::chmod(existing.c_str(), 0640);
  REQUIRE(host::open_storage(existing).ok());
  CHECK(mode_of(existing) == 0640);
}

TEST_CASE("sqlite: WAL mode, schema version, data survives reopening") {
  TempDir dir;
  std::string path = dir.file("host.db");
  {
    auto opened = host::open_storage(path);
    REQUIRE(opened.ok());
    REQUIRE(opened.value()->add_workspace("w").ok());
    REQUIRE(opened.value()->add_user(make_user("w", "id1", "alice")).ok());
  }
  {
    RawDb raw(path);
    CHECK(raw.text("PRAGMA journal_mode") == "wal");
    CHECK(raw.text("PRAGMA user_version") == std::to_string(host::sqlite::latest_schema_version()));
  }
  auto reopened = host::open_storage(path);
  REQUIRE(reopened.ok());
  CHECK(reopened.value()->find_user_by_username("w", "ALICE")->id == "id1");
}

TEST_CASE("sqlite: a database from a newer host is refused") {
  TempDir dir;
  std::string path = dir.file("host.db");
  REQUIRE(host::open_storage(path).ok());
  RawDb(path).exec("PRAGMA user_version=999");
  auto opened = host::open_storage(path);
  CHECK(opened.status().code() == StatusCode::kUnavailable);
  CHECK(opened.status().message().find("newer") != std::string::npos);
}

TEST_CASE("sqlite: a write lock held elsewhere past the busy timeout gives kUnavailable") {
  TempDir dir;
  std::string path = dir.file("host.db");
  auto opened = host::open_storage("sqlite:" + path + "?busy_timeout_ms=50");
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  REQUIRE(s.add_workspace("w").ok());

  RawDb other(path);
  REQUIRE(other.exec("BEGIN IMMEDIATE") == SQLITE_OK);
  CHECK(s.add_workspace("blocked").code() == StatusCode::kUnavailable);
  CHECK(s.list_workspaces().ok());  // WAL readers are not blocked by a writer
  REQUIRE(other.exec("COMMIT") == SQLITE_OK);
  CHECK(s.add_workspace("blocked").ok());
}

TEST_CASE("sqlite: a path that cannot be a database gives kUnavailable") {
  TempDir dir;
  CHECK(host::open_storage(dir.path().string()).status().code() == StatusCode::kUnavailable);
  std::string junk = dir.file("junk.db");
  {
    std::ofstream out(junk);
    out << std::string(4096, 'x');
  }
  CHECK(host::open_storage(junk).status().code() == StatusCode::kUnavailable);
}

namespace {

// Schema version 1 as released (schema.cpp step 1), to test the upgrade from it.
constexpr const char* kSchemaVersion1 = R"sql(
CREATE TABLE workspaces (id TEXT NOT NULL PRIMARY KEY, created_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE workspace_hosts (
  host TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE users (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL, username TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL,
  password_hash TEXT NOT NULL, active INTEGER NOT NULL, roles TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (workspace, id), UNIQUE (workspace, username)
) WITHOUT ROWID;
CREATE TABLE sessions (
  seq INTEGER PRIMARY KEY, workspace TEXT NOT NULL, user_id TEXT NOT NULL,
  token_hash TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  UNIQUE (workspace, user_id, token_hash),
  FOREIGN KEY (workspace, user_id) REFERENCES users(workspace, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_age ON sessions(workspace, user_id, created_ms, seq);
CREATE TABLE permissions (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL, roles TEXT NOT NULL, PRIMARY KEY (workspace, id)
) WITHOUT ROWID;
CREATE TABLE settings (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (workspace, name)
) WITHOUT ROWID;
CREATE TABLE plugin_enablement (
  workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  plugin_id TEXT NOT NULL, enabled INTEGER NOT NULL, PRIMARY KEY (workspace, plugin_id)
) WITHOUT ROWID;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, workspace TEXT NOT NULL,
  action TEXT NOT NULL, caller_id TEXT NOT NULL, target_id TEXT NOT NULL,
  client_address TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE INDEX audit_by_workspace ON audit(workspace, id);
INSERT INTO workspaces VALUES('w', 1);
INSERT INTO users VALUES('w', 'u1', 'alice', 'alice', '', 1, '["user"]', 1);
-- seq is the global insertion order: t3 was issued after t2 in the same millisecond.
INSERT INTO sessions VALUES(7, 'w', 'u1', 't1', 100, 9999999999999);
INSERT INTO sessions VALUES(9, 'w', 'u1', 't2', 200, 9999999999999);
INSERT INTO sessions VALUES(12, 'w', 'u1', 't3', 200, 9999999999999);
INSERT INTO audit VALUES(41, 5, 'w', 'users.createToken', 'u1', 'u1', '127.0.0.1', 'issued', '');
INSERT INTO audit VALUES(42, 6, 'w', 'users.createToken', 'u1', 'u1', '127.0.0.1', 'refused', 'x');
PRAGMA user_version=1;
)sql";

std::vector<std::string> hashes_newest_first(host::Storage& s, const std::string& user) {
  auto listed = s.list_sessions("w", user);
  REQUIRE(listed.ok());
  std::vector<std::string> out;
  for (const auto& session : *listed) out.push_back(session.token_hash);
  return out;
}

}  // namespace

TEST_CASE("sqlite: a version 1 database is upgraded, keeping sessions, their order and audit") {
  TempDir dir;
  std::string path = dir.file("host.db");
  { std::ofstream create(path); }
  REQUIRE(RawDb(path).exec(kSchemaVersion1) == SQLITE_OK);

  auto opened = host::open_storage(path);
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  CHECK(RawDb(path).text("PRAGMA user_version") ==
        std::to_string(host::sqlite::latest_schema_version()));
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"t3", "t2", "t1"});
  auto found = s.find_session("w", "u1", "t2");
  REQUIRE(found.ok());
  CHECK(found->created_ms == 200);
  CHECK(s.add_session(make_session("w", "u1", "t2", 300), 50).code() == StatusCode::kConflict);
  // A session issued now, in the same millisecond as the newest, counts as newer; the cap
  // keeps the newest three.
  REQUIRE(s.add_session(make_session("w", "u1", "t4", 200), 3).ok());
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"t4", "t3", "t2"});

  host::AuditFilter all;
  all.limit = 0;
  auto audit = s.list_audit(all);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 2);
  CHECK(audit->front().id == 42);
  CHECK(audit->back().reason == "");
  host::AuditRecord record;
  record.time_ms = 7;
  record.workspace = "w";
  record.action = "users.createToken";
  REQUIRE(s.append_audit(record).ok());
  CHECK(s.list_audit(all)->front().id == 43);
  CHECK(RawDb(path)
            .text("SELECT sql FROM sqlite_master WHERE name = 'audit'")
            .find("AUTOINCREMENT") == std::string::npos);
}

TEST_CASE("sqlite: the cap counts sessions another connection added or deleted meanwhile") {
  TempDir dir;
  std::string path = dir.file("host.db");
  auto opened = host::open_storage(path);
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  REQUIRE(s.add_workspace("w").ok());
  REQUIRE(s.add_user(make_user("w", "u1", "alice")).ok());
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(s.add_session(make_session("w", "u1", "h" + std::to_string(i), 100 * i), 3).ok());
  }
  // Another process revokes h2: the next issue must not prune h1 as if there were four.
  RawDb other(path);
  REQUIRE(other.exec("DELETE FROM sessions WHERE token_hash = 'h2'") == SQLITE_OK);
  REQUIRE(s.add_session(make_session("w", "u1", "h4", 400), 3).ok());
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"h4", "h3", "h1"});
  // Another process issues h5: the next issue prunes the oldest, h1, and keeps three.
  REQUIRE(other.exec("INSERT INTO sessions(workspace, user_id, token_hash, created_ms, seq, "
                     "expires_ms) VALUES('w', 'u1', 'h5', 500, 99, 9999999999999)") == SQLITE_OK);
  REQUIRE(s.add_session(make_session("w", "u1", "h6", 600), 3).ok());
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"h6", "h5", "h4"});
  // A refused issue (duplicate hash) changes nothing, and the cap stays exact after it.
  CHECK(s.add_session(make_session("w", "u1", "h6", 700), 3).code() == StatusCode::kConflict);
  REQUIRE(s.delete_session("w", "u1", "h5").ok());
  REQUIRE(s.add_session(make_session("w", "u1", "h7", 700), 3).ok());
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"h7", "h6", "h4"});
  REQUIRE(s.add_session(make_session("w", "u1", "h8", 800), 2).ok());  // a lower cap
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"h8", "h7"});
}

TEST_CASE("sqlite: writes tried and rolled back inside a request leave the cap exact") {
  TempDir dir;
  auto opened = host::open_storage(dir.file("host.db"));
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  REQUIRE(s.add_workspace("w").ok());
  REQUIRE(s.add_user(make_user("w", "u1", "alice")).ok());
  // A request alone in flight: each write is tried (run, then rolled back) as it is made, and
  // committed with the request's other writes afterwards.
  for (int i = 1; i <= 5; ++i) {
    host::RequestWrites writes;
    writes.set_mode(host::RequestWrites::Mode::kImmediate);
    {
      host::CommitScope scope(writes);
      REQUIRE(s.add_session(make_session("w", "u1", "r" + std::to_string(i), 100 * i), 3).ok());
    }
    REQUIRE(writes.wait().ok());
  }
  CHECK(hashes_newest_first(s, "u1") == std::vector<std::string>{"r5", "r4", "r3"});
}
