// Implements DbPeek with the SQLite C API and token_hash with libsodium, the same
// primitives the host uses, so a test compares against an independent computation.
#include "db_peek.h"

#include <sodium.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rct {

std::string token_hash(const std::string& token) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof(out), digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

DbPeek::DbPeek(const std::filesystem::path& data_dir) {
  std::string path = (data_dir / "host.db").string();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
  // The host writes concurrently; wait for its short transactions instead of failing.
  sqlite3_busy_timeout(db_, 5000);
}

DbPeek::~DbPeek() { sqlite3_close_v2(db_); }

std::vector<SessionRow> DbPeek::sessions(const std::string& workspace, const std::string& user_id) {
  sqlite3_stmt* stmt = nullptr;
  const char* sql =
      "SELECT seq, token_hash, created_ms FROM sessions WHERE workspace = ?1 AND user_id = ?2 "
      "ORDER BY created_ms, seq";
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db_));
  }
  sqlite3_bind_text(stmt, 1, workspace.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, user_id.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<SessionRow> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    SessionRow row;
    row.seq = sqlite3_column_int64(stmt, 0);
    row.token_hash = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    row.created_ms = sqlite3_column_int64(stmt, 2);
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::int64_t DbPeek::count(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db_));
  }
  std::int64_t n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return n;
}

std::vector<std::vector<std::string>> DbPeek::rows(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + ": " + sql);
  }
  std::vector<std::vector<std::string>> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + ": " + sql);
  return out;
}

void DbPeek::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(message);
  }
}

std::string database_bytes(const std::filesystem::path& data_dir) {
  std::string all;
  for (const char* name : {"host.db", "host.db-wal", "host.db-shm"}) {
    std::ifstream in(data_dir / name, std::ios::binary);
    if (!in) continue;
    std::ostringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  return all;
}

}  // namespace rct
