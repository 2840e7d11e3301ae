// host::Storage on SQLite: WAL, synchronous=FULL, readers from a pool, writes through the
// group-commit queue. Each method is one short statement or one write operation.
#include "storage/sqlite/sqlite_storage.h"

#include <sqlite3.h>

#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>

#include "storage/commit_scope.h"
#include "storage/sqlite/checkpointer.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/connection_pool.h"
#include "storage/sqlite/file_setup.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/session_index.h"
#include "storage/sqlite/write_queue.h"

namespace host::sqlite {
namespace {

std::string roles_to_json(const std::vector<std::string>& roles) {
  return nlohmann::json(roles).dump();
}

std::vector<std::string> roles_from_json(const std::string& text) {
  std::vector<std::string> roles;
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return roles;
  for (const auto& role : parsed) {
    if (role.is_string()) roles.push_back(role.get<std::string>());
  }
  return roles;
}

std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Catches what the standard library may throw (allocation, JSON) so no method throws.
template <typename T, typename F>
T guarded(F&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return T(Status::Internal(std::string("storage: ") + e.what()));
  } catch (...) {
    return T(Status::Internal("storage: unknown exception"));
  }
}

// Whole statements (columns as read_user expects them), so the statement cache finds them by
// address instead of building and comparing their text on every lookup.
constexpr const char* kUserById =
    "SELECT workspace, id, username, name, password_hash, active, roles, created_ms FROM users "
    "WHERE workspace = ?1 AND id = ?2";
// The column's NOCASE collation makes this match ignore ASCII case, using the index.
constexpr const char* kUserByUsername =
    "SELECT workspace, id, username, name, password_hash, active, roles, created_ms FROM users "
    "WHERE workspace = ?1 AND username = ?2";
constexpr const char* kUsersOfWorkspace =
    "SELECT workspace, id, username, name, password_hash, active, roles, created_ms FROM users "
    "WHERE workspace = ?1 ORDER BY username";

UserRecord read_user(const Statement& row) {
  UserRecord user;
  user.workspace = row.column_text(0);
  user.id = row.column_text(1);
  user.username = row.column_text(2);
  user.name = row.column_text(3);
  user.password_hash = row.column_text(4);
  user.active = row.column_int64(5) != 0;
  user.roles = roles_from_json(row.column_text(6));
  user.created_ms = row.column_int64(7);
  return user;
}

SessionRecord read_session(const Statement& row) {
  SessionRecord session;
  session.workspace = row.column_text(0);
  session.user_id = row.column_text(1);
  session.token_hash = row.column_text(2);
  session.created_ms = row.column_int64(3);
  session.expires_ms = row.column_int64(4);
  return session;
}

AuditRecord read_audit(const Statement& row) {
  AuditRecord record;
  record.id = row.column_int64(0);
  record.time_ms = row.column_int64(1);
  record.workspace = row.column_text(2);
  record.action = row.column_text(3);
  record.caller_id = row.column_text(4);
  record.target_id = row.column_text(5);
  record.client_address = row.column_text(6);
  record.outcome = row.column_text(7);
  record.reason = row.column_text(8);
  return record;
}

// Runs a single-row-changing statement; kNotFound when it matched no row.
Status expect_one_change(Statement& statement, Connection& db, std::string_view what) {
  if (statement.step() != SQLITE_DONE) return statement.error(what);
  if (db.changes() == 0) return Status::NotFound(std::string(what) + ": no such row");
  return Status::Ok();
}

Status expect_done(Statement& statement, std::string_view what) {
  if (statement.step() != SQLITE_DONE) return statement.error(what);
  return Status::Ok();
}

constexpr const char* kWriterCachePragma = "PRAGMA cache_size=-16384";  // KiB: 16 MiB

// add_users lists longer than this get a larger page cache for the insert.
constexpr std::size_t kBulkCacheThreshold = 1000;
constexpr const char* kBulkCachePragma = "PRAGMA cache_size=-131072";  // KiB: 128 MiB

// The cap without SessionIndex: walks the user's sessions newest first and deletes those past
// the cap (the rows of a user are adjacent in the table; the ordering sorts at most them).
Status trim_by_counting(Connection& db, std::string_view ws, std::string_view user_id,
                        std::size_t cap) {
  auto trim = db.prepare_static(
      "DELETE FROM sessions WHERE workspace = ?1 AND user_id = ?2 AND token_hash IN ("
      "SELECT token_hash FROM sessions WHERE workspace = ?1 AND user_id = ?2 "
      "ORDER BY created_ms DESC, seq DESC LIMIT -1 OFFSET ?3)");
  trim.bind_view(1, ws).bind_view(2, user_id).bind(3, static_cast<std::int64_t>(cap));
  return expect_done(trim, "trim sessions");
}

bool valid_new_user(const UserRecord& user) {
  return !user.workspace.empty() && !user.id.empty() && !user.username.empty();
}

Status insert_user(Connection& db, const UserRecord& user) {
  auto insert = db.prepare(
      "INSERT INTO users(workspace, id, username, name, password_hash, active, roles, "
      "created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.bind(1, user.workspace)
      .bind(2, user.id)
      .bind(3, user.username)
      .bind(4, user.name)
      .bind(5, user.password_hash)
      .bind(6, std::int64_t{user.active ? 1 : 0})
      .bind(7, roles_to_json(user.roles))
      .bind(8, user.created_ms);
  return expect_done(insert, "add user");
}

// Stores `session` and deletes all but the `cap` newest sessions of its user (created_ms, then
// issue order), on the writer. The user's sessions are known from `index`, so this is one
// insert and, at the cap, one delete by key; nothing counts or orders the user's rows.
Status insert_and_trim(Connection& db, SessionIndex& index, const SessionRecord& session,
                       std::size_t cap) {
  auto known = index.user(db, session.workspace, session.user_id);
  if (!known.ok()) return known.status();
  SessionIndex::User& user = *known.value();
  std::int64_t seq = user.next_seq();
  auto insert = db.prepare_static(
      "INSERT INTO sessions(workspace, user_id, token_hash, created_ms, seq, expires_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind_view(1, session.workspace)
      .bind_view(2, session.user_id)
      .bind_view(3, session.token_hash)
      .bind(4, session.created_ms)
      .bind(5, seq)
      .bind(6, session.expires_ms);
  // A duplicate hash is a primary key conflict (kConflict); an unknown user, a foreign key
  // failure (kNotFound).
  if (Status status = expect_done(insert, "add session"); !status.ok()) return status;
  index.add(user, {session.created_ms, seq, session.token_hash});
  while (user.size() > cap) {
    {
      auto erase = db.prepare_static(
          "DELETE FROM sessions WHERE workspace = ?1 AND user_id = ?2 AND token_hash = ?3");
      erase.bind_view(1, session.workspace)
          .bind_view(2, session.user_id)
          .bind_view(3, user.oldest().token_hash);
      if (erase.step() != SQLITE_DONE) return erase.error("trim sessions");
    }
    if (db.changes() != 1) {
      // The copy was wrong after all: trim by counting in SQL, and read the user again later.
      index.forget(session.workspace, session.user_id);
      return trim_by_counting(db, session.workspace, session.user_id, cap);
    }
    index.remove_oldest(user);
  }
  return Status::Ok();
}

// The writes one request deferred, run as one operation: one savepoint, so they commit or
// roll back together.
class DeferredOps final : public DeferredWrites {
 public:
  explicit DeferredOps(WriteQueue& writer) : writer_(writer) {}

  void add(WriteQueue::Operation op) { ops_.push_back(std::move(op)); }
  bool empty() const noexcept { return ops_.empty(); }

  // Runs what is queued now and waits; a failure also fails the request's commit.
  Status run_now() {
    Status status = writer_.run(take());
    if (!status.ok() && failed_.ok()) failed_ = status;
    return status;
  }

  void commit(std::function<void(Status)> done) noexcept override {
    if (!failed_.ok()) return done(failed_);
    if (ops_.empty()) return done(Status::Ok());
    try {
      writer_.submit(take(), done);
    } catch (const std::exception& e) {
      done(Status::Internal(std::string("storage: ") + e.what()));
    }
  }

 private:
  WriteQueue::Operation take() {
    std::vector<WriteQueue::Operation> ops;
    ops.swap(ops_);
    return [ops = std::move(ops)](Connection& db) {
      for (const auto& op : ops) {
        Status status = op(db);
        if (!status.ok()) return status;
      }
      return Status::Ok();
    };
  }

  WriteQueue& writer_;
  std::vector<WriteQueue::Operation> ops_;
  Status failed_;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(std::unique_ptr<Checkpointer> checkpointer,
                std::unique_ptr<SessionIndex> session_index, std::unique_ptr<WriteQueue> writer,
                std::unique_ptr<ConnectionPool> readers)
      : checkpointer_(std::move(checkpointer)),
        session_index_(std::move(session_index)),
        writer_(std::move(writer)),
        readers_(std::move(readers)) {}

  Status add_workspace(std::string_view id) override {
    if (id.empty()) return Status::Invalid("workspace id is empty");
    std::int64_t now = wall_clock_ms();
    return write([&](Connection& db) {
      auto insert = db.prepare("INSERT INTO workspaces(id, created_ms) VALUES(?1, ?2)");
      insert.bind(1, id).bind(2, now);
      return expect_done(insert, "add workspace");
    });
  }

  Result<std::vector<std::string>> list_workspaces() override {
    return read<std::vector<std::string>>([&](Connection& db) -> Result<std::vector<std::string>> {
      auto query = db.prepare("SELECT id FROM workspaces ORDER BY id");
      std::vector<std::string> ids;
      int rc;
      while ((rc = query.step()) == SQLITE_ROW) ids.push_back(query.column_text(0));
      if (rc != SQLITE_DONE) return query.error("list workspaces");
      return ids;
    });
  }

  Status map_host(std::string_view host, std::string_view workspace) override {
    if (host.empty()) return Status::Invalid("host is empty");
    return write([&](Connection& db) {
      auto upsert = db.prepare(
          "INSERT INTO workspace_hosts(host, workspace) VALUES(lower(?1), ?2) "
          "ON CONFLICT(host) DO UPDATE SET workspace = excluded.workspace");
      upsert.bind(1, host).bind(2, workspace);
      return expect_done(upsert, "map host");
    });
  }

  Result<std::string> workspace_for_host(std::string_view host) override {
    return read<std::string>([&](Connection& db) -> Result<std::string> {
      auto query = db.prepare("SELECT workspace FROM workspace_hosts WHERE host = ?1");
      query.bind(1, host);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("host is not mapped");
      if (rc != SQLITE_ROW) return query.error("workspace for host");
      return query.column_text(0);
    });
  }

  Status add_user(const UserRecord& user) override {
    if (!valid_new_user(user)) {
      return Status::Invalid("user needs a workspace, an id and a username");
    }
    return write([&](Connection& db) { return insert_user(db, user); });
  }

  Status add_users(const std::vector<UserRecord>& users) override {
    for (const auto& user : users) {
      if (!valid_new_user(user)) {
        return Status::Invalid("user needs a workspace, an id and a username");
      }
    }
    // One operation: its savepoint makes the whole list commit or roll back together.
    return write([&](Connection& db) {
      // A large list touches more B-tree pages than the default cache holds; spilling them
      // to the WAL and reading them back would dominate. The cache shrinks back afterwards.
      std::int64_t cache_pages = 0;
      bool grow = users.size() > kBulkCacheThreshold;
      if (grow) {
        auto query = db.prepare("PRAGMA cache_size");
        if (query.step() == SQLITE_ROW) cache_pages = query.column_int64(0);
        grow = cache_pages != 0 && db.exec(kBulkCachePragma).ok();
      }
      Status status = Status::Ok();
      for (const auto& user : users) {
        status = insert_user(db, user);
        if (!status.ok()) break;
      }
      if (grow) {
        std::string restore = "PRAGMA cache_size=" + std::to_string(cache_pages);
        (void)db.exec(restore.c_str());
      }
      return status;
    });
  }

  Result<UserRecord> find_user_by_id(std::string_view ws, std::string_view id) override {
    return find_user(kUserById, ws, id);
  }

  Result<UserRecord> find_user_by_username(std::string_view ws,
                                           std::string_view username) override {
    return find_user(kUserByUsername, ws, username);
  }

  Result<std::vector<UserRecord>> list_users(std::string_view ws) override {
    return read<std::vector<UserRecord>>([&](Connection& db) -> Result<std::vector<UserRecord>> {
      auto query = db.prepare_static(kUsersOfWorkspace);
      query.bind(1, ws);
      std::vector<UserRecord> users;
      int rc;
      while ((rc = query.step()) == SQLITE_ROW) users.push_back(read_user(query));
      if (rc != SQLITE_DONE) return query.error("list users");
      return users;
    });
  }

  Status set_user_active(std::string_view ws, std::string_view id, bool active) override {
    SessionIndex* index = session_index_.get();
    return write([&](Connection& db) {
      auto update = db.prepare("UPDATE users SET active = ?3 WHERE workspace = ?1 AND id = ?2");
      update.bind(1, ws).bind(2, id).bind(3, std::int64_t{active ? 1 : 0});
      Status status = expect_one_change(update, db, "set user active");
      if (!status.ok() || active) return status;
      // Deactivation ends every login, in the same transaction: activating the user again
      // must not bring old tokens back.
      auto erase = db.prepare("DELETE FROM sessions WHERE workspace = ?1 AND user_id = ?2");
      erase.bind(1, ws).bind(2, id);
      if (erase.step() != SQLITE_DONE) status = erase.error("delete sessions of user");
      index->forget(ws, id);
      return status;
    });
  }

  Status set_user_roles(std::string_view ws, std::string_view id,
                        const std::vector<std::string>& roles) override {
    std::string json = roles_to_json(roles);
    return write([&](Connection& db) {
      auto update = db.prepare("UPDATE users SET roles = ?3 WHERE workspace = ?1 AND id = ?2");
      update.bind(1, ws).bind(2, id).bind(3, json);
      return expect_one_change(update, db, "set user roles");
    });
  }

  Status set_user_password_hash(std::string_view ws, std::string_view id,
                                std::string_view hash) override {
    return write([&](Connection& db) {
      auto update =
          db.prepare("UPDATE users SET password_hash = ?3 WHERE workspace = ?1 AND id = ?2");
      update.bind(1, ws).bind(2, id).bind(3, hash);
      return expect_one_change(update, db, "set user password");
    });
  }

  Status add_session(const SessionRecord& session, std::size_t cap) override {
    if (cap == 0) return Status::Invalid("session cap must be at least 1");
    if (session.token_hash.empty()) return Status::Invalid("session without token hash");
    // Insert and trim run in the same transaction (the writer's BEGIN IMMEDIATE batch), so
    // no concurrent issue can observe or leave more than `cap` sessions. Within a request
    // this may be deferred to the request's commit, so it owns copies of what it writes.
    SessionIndex* index = session_index_.get();
    return write_deferrable([session, cap, index](Connection& db) {
      return insert_and_trim(db, *index, session, cap);
    });
  }

  Result<SessionRecord> find_session(std::string_view ws, std::string_view user_id,
                                     std::string_view token_hash) override {
    return read<SessionRecord>([&](Connection& db) -> Result<SessionRecord> {
      auto query = db.prepare_static(
          "SELECT workspace, user_id, token_hash, created_ms, expires_ms FROM sessions "
          "WHERE workspace = ?1 AND user_id = ?2 AND token_hash = ?3");
      query.bind_view(1, ws).bind_view(2, user_id).bind_view(3, token_hash);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("no such session");
      if (rc != SQLITE_ROW) return query.error("find session");
      return read_session(query);
    });
  }

  Status delete_session(std::string_view ws, std::string_view user_id,
                        std::string_view token_hash) override {
    SessionIndex* index = session_index_.get();
    return write([&](Connection& db) {
      auto erase = db.prepare_static(
          "DELETE FROM sessions WHERE workspace = ?1 AND user_id = ?2 AND token_hash = ?3");
      erase.bind_view(1, ws).bind_view(2, user_id).bind_view(3, token_hash);
      Status status = expect_one_change(erase, db, "delete session");
      // Whatever happened, the writer's copy of the user's sessions is read again.
      index->forget(ws, user_id);
      return status;
    });
  }

  Result<std::vector<SessionRecord>> list_sessions(std::string_view ws,
                                                   std::string_view user_id) override {
    return read<std::vector<SessionRecord>>(
        [&](Connection& db) -> Result<std::vector<SessionRecord>> {
          auto query = db.prepare(
              "SELECT workspace, user_id, token_hash, created_ms, expires_ms FROM sessions "
              "WHERE workspace = ?1 AND user_id = ?2 ORDER BY created_ms DESC, seq DESC");
          query.bind(1, ws).bind(2, user_id);
          std::vector<SessionRecord> sessions;
          int rc;
          while ((rc = query.step()) == SQLITE_ROW) sessions.push_back(read_session(query));
          if (rc != SQLITE_DONE) return query.error("list sessions");
          return sessions;
        });
  }

  Status ensure_permission(std::string_view ws, std::string_view permission,
                           const std::vector<std::string>& default_roles) override {
    if (permission.empty()) return Status::Invalid("permission id is empty");
    std::string roles = roles_to_json(default_roles);
    return write([&](Connection& db) {
      // DO NOTHING: roles an administrator changed are never reset by a later start.
      auto insert = db.prepare(
          "INSERT INTO permissions(workspace, id, roles) VALUES(?1, ?2, ?3) "
          "ON CONFLICT(workspace, id) DO NOTHING");
      insert.bind(1, ws).bind(2, permission).bind(3, roles);
      return expect_done(insert, "ensure permission");
    });
  }

  Result<std::vector<std::string>> permission_roles(std::string_view ws,
                                                    std::string_view permission) override {
    return read<std::vector<std::string>>([&](Connection& db) -> Result<std::vector<std::string>> {
      auto query = db.prepare("SELECT roles FROM permissions WHERE workspace = ?1 AND id = ?2");
      query.bind(1, ws).bind(2, permission);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("no such permission");
      if (rc != SQLITE_ROW) return query.error("permission roles");
      return roles_from_json(query.column_text(0));
    });
  }

  Status set_setting(std::string_view ws, std::string_view name, std::string_view value) override {
    if (name.empty()) return Status::Invalid("setting name is empty");
    return write([&](Connection& db) {
      auto upsert = db.prepare(
          "INSERT INTO settings(workspace, name, value) VALUES(?1, ?2, ?3) "
          "ON CONFLICT(workspace, name) DO UPDATE SET value = excluded.value");
      upsert.bind(1, ws).bind(2, name).bind(3, value);
      return expect_done(upsert, "set setting");
    });
  }

  Status unset_setting(std::string_view ws, std::string_view name) override {
    return write([&](Connection& db) {
      auto erase = db.prepare("DELETE FROM settings WHERE workspace = ?1 AND name = ?2");
      erase.bind(1, ws).bind(2, name);
      return expect_one_change(erase, db, "unset setting");
    });
  }

  Result<std::string> get_setting(std::string_view ws, std::string_view name) override {
    return read<std::string>([&](Connection& db) -> Result<std::string> {
      auto query = db.prepare("SELECT value FROM settings WHERE workspace = ?1 AND name = ?2");
      query.bind(1, ws).bind(2, name);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("setting not set in workspace");
      if (rc != SQLITE_ROW) return query.error("get setting");
      return query.column_text(0);
    });
  }

  Status set_plugin_enabled(std::string_view ws, std::string_view plugin_id,
                            bool enabled) override {
    if (plugin_id.empty()) return Status::Invalid("plugin id is empty");
    return write([&](Connection& db) {
      auto upsert = db.prepare(
          "INSERT INTO plugin_enablement(workspace, plugin_id, enabled) VALUES(?1, ?2, ?3) "
          "ON CONFLICT(workspace, plugin_id) DO UPDATE SET enabled = excluded.enabled");
      upsert.bind(1, ws).bind(2, plugin_id).bind(3, std::int64_t{enabled ? 1 : 0});
      return expect_done(upsert, "set plugin enabled");
    });
  }

  Result<bool> plugin_enabled(std::string_view ws, std::string_view plugin_id) override {
    return read<bool>([&](Connection& db) -> Result<bool> {
      auto query = db.prepare(
          "SELECT enabled FROM plugin_enablement WHERE workspace = ?1 AND plugin_id = ?2");
      query.bind(1, ws).bind(2, plugin_id);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("plugin enablement not set");
      if (rc != SQLITE_ROW) return query.error("plugin enabled");
      return query.column_int64(0) != 0;
    });
  }

  Status append_audit(const AuditRecord& record) override {
    return write_deferrable([record](Connection& db) {
      auto insert = db.prepare_static(
          "INSERT INTO audit(time_ms, workspace, action, caller_id, target_id, client_address, "
          "outcome, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      insert.bind(1, record.time_ms)
          .bind_view(2, record.workspace)
          .bind_view(3, record.action)
          .bind_view(4, record.caller_id)
          .bind_view(5, record.target_id)
          .bind_view(6, record.client_address)
          .bind_view(7, record.outcome)
          .bind_view(8, record.reason);
      return expect_done(insert, "append audit");
    });
  }

  Result<std::vector<AuditRecord>> list_audit(const AuditFilter& filter) override {
    return read<std::vector<AuditRecord>>([&](Connection& db) -> Result<std::vector<AuditRecord>> {
      // One statement text per combination of filters, so each can use an index and
      // stays in the statement cache (at most 16 shapes).
      std::string sql =
          "SELECT id, time_ms, workspace, action, caller_id, target_id, client_address, "
          "outcome, reason FROM audit WHERE time_ms >= ?1";
      if (!filter.workspace.empty()) sql += " AND workspace = ?2";
      if (!filter.caller_id.empty()) sql += " AND caller_id = ?3";
      if (!filter.target_id.empty()) sql += " AND target_id = ?4";
      if (!filter.outcome.empty()) sql += " AND outcome = ?5";
      sql += " ORDER BY id DESC LIMIT ?6";
      auto query = db.prepare(sql);
      query.bind(1, filter.since_ms);
      if (!filter.workspace.empty()) query.bind(2, filter.workspace);
      if (!filter.caller_id.empty()) query.bind(3, filter.caller_id);
      if (!filter.target_id.empty()) query.bind(4, filter.target_id);
      if (!filter.outcome.empty()) query.bind(5, filter.outcome);
      // limit 0 means no limit (SQLite reads a negative LIMIT as none).
      query.bind(6, filter.limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(filter.limit));
      std::vector<AuditRecord> records;
      int rc;
      while ((rc = query.step()) == SQLITE_ROW) records.push_back(read_audit(query));
      if (rc != SQLITE_DONE) return query.error("list audit");
      return records;
    });
  }

 private:
  template <typename T, typename F>
  Result<T> read(F&& body) noexcept {
    return guarded<Result<T>>([&]() -> Result<T> {
      auto lease = readers_->acquire();
      if (!lease.ok()) return lease.status();
      return body(*lease.value());
    });
  }

  template <typename F>
  Status write(F&& body) noexcept {
    return guarded<Status>([&] {
      // A write that must answer now, in a request that deferred earlier ones: those go
      // first, so the order of the request's writes is kept.
      if (RequestWrites* request = CommitScope::current(); request != nullptr) {
        auto* mine = static_cast<DeferredOps*>(request->deferred(this));
        if (mine != nullptr && !mine->empty()) {
          Status flushed = mine->run_now();
          if (!flushed.ok()) return flushed;
        }
      }
      return writer_->run(std::forward<F>(body));
    });
  }

  // The request's session and audit writes. Outside a request: durable on return. In one,
  // they are queued and committed together, atomically, before the request is answered, so
  // a crash never keeps one without the other (a session without its audit row). When the
  // request is alone (immediate mode), each is also tried at once, so that a failure still
  // reaches the handler as it happens.
  Status write_deferrable(WriteQueue::Operation op) noexcept {
    return guarded<Status>([&]() -> Status {
      RequestWrites* request = CommitScope::current();
      if (request == nullptr) return writer_->run(std::move(op));
      if (request->mode() == RequestWrites::Mode::kUndecided) {
        request->set_mode(writer_->idle() ? RequestWrites::Mode::kImmediate
                                          : RequestWrites::Mode::kDeferred);
      }
      if (request->mode() == RequestWrites::Mode::kImmediate) {
        Status tried = try_write(op);
        if (!tried.ok()) return tried;
      }
      auto* mine = static_cast<DeferredOps*>(request->deferred(this));
      if (mine == nullptr) {
        auto created = std::make_unique<DeferredOps>(*writer_);
        mine = created.get();
        request->add_deferred(this, std::move(created));
      }
      mine->add(std::move(op));
      return Status::Ok();
    });
  }

  // Runs `op` in the writer's transaction and rolls it back (no fsync: nothing is written):
  // whether it would fail now. The request's commit then writes it for real.
  Status try_write(const WriteQueue::Operation& op) {
    static constexpr std::string_view kRolledBack = "tried, rolled back";
    bool ran = false;
    Status outcome;
    Status queued = writer_->run([&](Connection& db) {
      ran = true;
      outcome = op(db);
      // Failing the operation rolls back its savepoint; the others of the batch commit.
      return outcome.ok() ? Status::Internal(std::string(kRolledBack)) : outcome;
    });
    if (!ran) return queued;  // no transaction (the database is locked, closing)
    if (!outcome.ok()) return outcome;
    if (queued.code() == hostsdk::StatusCode::kInternal && queued.message() == kRolledBack) {
      return Status::Ok();
    }
    return queued;  // it threw, or the database aborted the transaction
  }

  Result<UserRecord> find_user(const char* sql, std::string_view ws, std::string_view key) {
    return read<UserRecord>([&](Connection& db) -> Result<UserRecord> {
      auto query = db.prepare_static(sql);
      query.bind_view(1, ws).bind_view(2, key);
      int rc = query.step();
      if (rc == SQLITE_DONE) return Status::NotFound("no such user");
      if (rc != SQLITE_ROW) return query.error("find user");
      return read_user(query);
    });
  }

  // Declared first, destroyed last: its hook runs on the writer's commits until the writer
  // (and its connection) are gone.
  std::unique_ptr<Checkpointer> checkpointer_;
  // Used by the writer thread only; outlives it.
  std::unique_ptr<SessionIndex> session_index_;
  std::unique_ptr<WriteQueue> writer_;
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace

Result<std::unique_ptr<Storage>> open_sqlite_storage(const SqliteOptions& options) {
  // No memory statistics: SQLite would otherwise take one process-wide mutex on every
  // allocation, shared by the writer, the checkpointer and every reader. Only possible before
  // SQLite initialises, i.e. before the first connection of the process; later it is a no-op.
  static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memstatus;
  return guarded<Result<std::unique_ptr<Storage>>>([&]() -> Result<std::unique_ptr<Storage>> {
    if (options.path.empty()) return Status::Invalid("sqlite storage needs a file path");
    Status status = prepare_database_file(options.path);
    if (!status.ok()) return status;
    auto writer = Connection::open(options.path, options.busy_timeout_ms, false);
    if (!writer.ok()) return writer.status();
    Connection& db = *writer.value();
    {
      // WAL: readers never block the writer; the mode is stored in the file. Scoped so
      // the statement is reset before the writer thread owns the connection.
      auto mode = db.prepare("PRAGMA journal_mode=WAL");
      if (mode.step() != SQLITE_ROW || mode.column_text(0) != "wal") {
        return Status::Unavailable("cannot switch " + options.path + " to WAL mode");
      }
    }
    status = migrate(db);
    if (!status.ok()) return status;
    // The writer touches the session indexes at random (one user per insert); a page cache
    // that holds them spares a read system call per miss. Bounded, as it counts in RSS.
    status = db.exec(kWriterCachePragma);
    if (!status.ok()) return status;
    auto checkpointer = Checkpointer::start(options.path, options.busy_timeout_ms, db);
    if (!checkpointer.ok()) return checkpointer.status();
    auto index = std::make_unique<SessionIndex>();
    WriteQueue::Hooks hooks;
    hooks.began = [i = index.get()](Connection& c) { i->transaction_began(c); };
    hooks.operation_began = [i = index.get()] { i->operation_began(); };
    hooks.operation_rolled_back = [i = index.get()] { i->operation_rolled_back(); };
    hooks.transaction_lost = [i = index.get()] { i->clear(); };
    auto queue = std::make_unique<WriteQueue>(std::move(writer).value(), options.max_batch,
                                              std::move(hooks));
    auto readers = std::make_unique<ConnectionPool>(options.path, options.busy_timeout_ms,
                                                    options.max_idle_readers);
    return std::unique_ptr<Storage>(new SqliteStorage(
        std::move(checkpointer).value(), std::move(index), std::move(queue), std::move(readers)));
  });
}

}  // namespace host::sqlite
