// Scratch databases through libpqxx: CREATE/DROP DATABASE on the cluster's own database, and
// short read-only queries; the hosts under test never share these connections.
#include "pg_database.h"

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

namespace rct_multihost {
namespace {

void admin(const std::string& sql) {
  pqxx::connection conn(env("RCT_PG_URL"));
  pqxx::nontransaction txn(conn);  // CREATE/DROP DATABASE cannot run in a transaction
  txn.exec(sql);
}

// RCT_PG_URL is postgresql:///<db>?<params> (scripts/pg.sh): swap <db> for `name`.
std::string url_for(const std::string& name) {
  const std::string base = env("RCT_PG_URL");
  const auto scheme = base.find("://");
  if (scheme == std::string::npos) throw std::runtime_error("RCT_PG_URL is not a URL");
  const auto slash = base.find('/', scheme + 3);
  if (slash == std::string::npos) throw std::runtime_error("RCT_PG_URL names no database");
  const auto query = base.find('?', slash);
  return base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : base.substr(query));
}

}  // namespace

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string token_hash(const std::string& token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::string out(sodium_base64_encoded_len(digest.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), digest.data(), digest.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

PgDatabase::PgDatabase(const std::string& tag)
    : name_("rct_" + tag + "_" + std::to_string(::getpid())), url_(url_for(name_)) {
  admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  admin("CREATE DATABASE " + name_);
}

PgDatabase::~PgDatabase() {
  try {
    admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "could not drop %s: %s\n", name_.c_str(), e.what());
  }
}

std::int64_t PgDatabase::count(const std::string& sql) const {
  pqxx::connection conn(url_);
  pqxx::nontransaction txn(conn);
  return txn.exec(sql)[0][0].as<std::int64_t>();
}

std::vector<std::vector<std::string>> PgDatabase::rows(const std::string& sql) const {
  pqxx::connection conn(url_);
  pqxx::nontransaction txn(conn);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : txn.exec(sql)) {
    std::vector<std::string> values;
    for (const auto& field : row) values.emplace_back(field.is_null() ? "" : field.c_str());
    out.push_back(std::move(values));
  }
  return out;
}

std::set<std::string> PgDatabase::session_hashes(const std::string& user_id) const {
  pqxx::connection conn(url_);
  pqxx::nontransaction txn(conn);
  std::set<std::string> hashes;
  for (const auto& row : txn.exec_params(
           "SELECT token_hash FROM sessions WHERE workspace = 'default' AND user_id = $1",
           user_id)) {
    hashes.insert(row[0].as<std::string>());
  }
  return hashes;
}

}  // namespace rct_multihost
