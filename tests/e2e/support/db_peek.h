// Direct access to the host's SQLite file for e2e tests: what the sessions and audit tables
// hold, the raw bytes of host.db and its WAL, and a writer that can hold the database lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct sqlite3;

namespace rct {

// base64 (standard, padded) of SHA-256(token): what the host stores instead of a token.
std::string token_hash(const std::string& token);

struct SessionRow {
  std::int64_t seq = 0;
  std::string token_hash;
  std::int64_t created_ms = 0;
};

// A connection of its own to <data dir>/host.db; the host may be running meanwhile.
class DbPeek {
 public:
  explicit DbPeek(const std::filesystem::path& data_dir);
  ~DbPeek();
  DbPeek(const DbPeek&) = delete;
  DbPeek& operator=(const DbPeek&) = delete;

  // Rows of sessions for one user, oldest first (created_ms, seq).
  std::vector<SessionRow> sessions(const std::string& workspace, const std::string& user_id);
  std::int64_t count(const std::string& sql);
  // Every row of a query, each column as text ("" for NULL); throws std::runtime_error with
  // SQLite's message on failure.
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  // Runs statements; throws std::runtime_error with SQLite's message on failure.
  void exec(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// Concatenated bytes of host.db, host.db-wal and host.db-shm (those that exist).
std::string database_bytes(const std::filesystem::path& data_dir);

}  // namespace rct
