// SQLite connection, statement cache and result-code mapping.
// All SQLite C calls of the backend go through here.
#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <string>

namespace host::sqlite {

Status status_from_rc(int rc, std::string_view context, sqlite3* db) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_NOLFS:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::Conflict(std::move(message));
      }
      // A row that refers to a missing workspace or user.
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Status::NotFound(std::move(message));
      return Status::Invalid(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_), stmt_(other.stmt_), rc_(other.rc_) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::string_view text) noexcept {
  if (rc_ == SQLITE_OK) {
    rc_ =
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}

Statement& Statement::bind_view(int index, std::string_view text) noexcept {
  if (rc_ == SQLITE_OK) {
    rc_ = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) noexcept {
  if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

int Statement::step() noexcept {
  if (rc_ != SQLITE_OK && rc_ != SQLITE_ROW && rc_ != SQLITE_DONE) return rc_;
  rc_ = sqlite3_step(stmt_);
  return rc_;
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::column_int64(int column) const noexcept {
  return sqlite3_column_int64(stmt_, column);
}

Status Statement::error(std::string_view context) const {
  return status_from_rc(rc_, context, connection_->handle());
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int busy_timeout_ms,
                                                     bool read_only) {
  sqlite3* db = nullptr;
  // NOMUTEX: a pool hands each connection to one thread at a time.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = status_from_rc(rc, "open " + path, db);
    sqlite3_close_v2(db);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // synchronous=FULL: a commit is on disk before the caller answers.
  Status status = connection->exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  // query_only rather than SQLITE_OPEN_READONLY: a read-only open cannot always map the WAL
  // index, while this still refuses any write through a reader.
  if (status.ok() && read_only) status = connection->exec("PRAGMA query_only=ON;");
  if (!status.ok()) return status;
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = find_or_prepare(sql, &stmt);
  return Statement(*this, stmt, rc);
}

int Connection::find_or_prepare(std::string_view sql, sqlite3_stmt** out) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) {
    *out = found->second;
    return SQLITE_OK;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  statements_.emplace(std::string(sql), stmt);
  *out = stmt;
  return SQLITE_OK;
}

Statement Connection::prepare_static(const char* sql) {
  auto found = by_address_.find(sql);
  if (found != by_address_.end()) return Statement(*this, found->second, SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int rc = find_or_prepare(sql, &stmt);
  if (rc == SQLITE_OK) by_address_.emplace(sql, stmt);
  return Statement(*this, stmt, rc);
}

Status Connection::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return status_from_rc(rc, "exec", db_);
  return Status::Ok();
}

bool Connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t Connection::changes() const noexcept { return sqlite3_changes64(db_); }

}  // namespace host::sqlite
