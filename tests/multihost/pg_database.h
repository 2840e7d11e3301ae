// A scratch PostgreSQL database per test on the cluster of scripts/pg.sh (RCT_PG_URL): its URL
// for `rchost --storage`, read-only queries on what the hosts stored, and the token hash.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace rct_multihost {

// The environment variable, or "" when unset.
std::string env(const char* name);

// base64(SHA-256(token)): what the hosts store in sessions.token_hash.
std::string token_hash(const std::string& token);

class PgDatabase {
 public:
  // Creates database "rct_<tag>_<pid>" (dropping a leftover of that name first).
  explicit PgDatabase(const std::string& tag);
  ~PgDatabase();  // drops it, disconnecting whoever is still connected
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  // postgresql:///<name>?host=...: RCT_PG_URL with the database name replaced.
  const std::string& url() const { return url_; }

  std::int64_t count(const std::string& sql) const;
  // Every row of a query, each column as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) const;
  // The token hashes of one user's sessions in the default workspace.
  std::set<std::string> session_hashes(const std::string& user_id) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace rct_multihost
