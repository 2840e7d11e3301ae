// One SQLite connection with its cache of prepared statements, and the mapping of SQLite
// result codes to Status. A connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/storage.h"

struct sqlite3;
struct sqlite3_stmt;

namespace host::sqlite {

// Busy/IO → kUnavailable, UNIQUE → kConflict, foreign key → kNotFound, else kInternal.
Status status_from_rc(int rc, std::string_view context, sqlite3* db = nullptr);

class Connection;

// A cached prepared statement borrowed for one execution. It resets on destruction so that
// a read snapshot is never held longer than the call that took it.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt, int rc) noexcept
      : connection_(&connection), stmt_(stmt), rc_(rc) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::string_view text) noexcept;  // copies `text`
  // Binds without a copy: `text` must outlive this Statement (which clears its bindings).
  Statement& bind_view(int index, std::string_view text) noexcept;
  Statement& bind(int index, std::int64_t value) noexcept;
  // SQLITE_ROW, SQLITE_DONE, or the first error (including a failed prepare or bind).
  int step() noexcept;
  std::string column_text(int column) const;
  std::int64_t column_int64(int column) const noexcept;
  // Status for the last error of this statement, prefixed with `context`.
  Status error(std::string_view context) const;

 private:
  Connection* connection_;
  sqlite3_stmt* stmt_;
  int rc_;
};

class Connection {
 public:
  // Opens `path` (which must exist) with foreign keys on, synchronous=FULL and a busy timeout.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int busy_timeout_ms,
                                                  bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepared once per connection and reused afterwards.
  Statement prepare(std::string_view sql);
  // The same for SQL text with static storage (a string literal), found by its address
  // rather than by comparing the text: for the statements of the hot paths.
  Statement prepare_static(const char* sql);
  // Runs SQL text that returns no rows needed by the caller (BEGIN, COMMIT, DDL, PRAGMA).
  Status exec(const char* sql);
  bool in_transaction() const noexcept;
  std::int64_t changes() const noexcept;
  sqlite3* handle() const noexcept { return db_; }

 private:
  explicit Connection(sqlite3* db) noexcept : db_(db) {}
  // The cached statement for `sql`, prepared on first use; SQLITE_OK or the prepare error.
  int find_or_prepare(std::string_view sql, sqlite3_stmt** out);

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;  // owns the statements
  std::unordered_map<const char*, sqlite3_stmt*> by_address_;     // static texts, borrowed
};

}  // namespace host::sqlite
