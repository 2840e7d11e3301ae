// Shared helpers of the PostgreSQL smoke test: the server from scripts/pg.sh (RCT_PG_URL,
// RCT_PG_DIR), scratch databases, and stopping/starting the server for the outage case.
#pragma once

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "storage/postgres/pg_conninfo.h"
#include "storage/postgres/postgres_storage.h"

namespace rct_pg_test {

inline std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

inline bool no_server() { return env("RCT_PG_URL").empty(); }

// A database of its own per test case, dropped afterwards, so cases never see each other's
// rows and the schema is created from scratch each time.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& tag)
      : name_("rct_smoke_" + tag + "_" + std::to_string(::getpid())) {
    admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    admin("CREATE DATABASE " + name_);
    auto params = host::pg::parse_conninfo(env("RCT_PG_URL"));
    REQUIRE(params.ok());
    host::pg::ConnParams p = params.value();
    host::pg::set_param(p, "dbname", name_);
    url_ = host::pg::format_conninfo(p);
  }
  ~ScratchDatabase() {
    try {
      admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "could not drop %s: %s\n", name_.c_str(), e.what());
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& url() const { return url_; }

  // The backend on this database, with workspaces "ws1" and "ws2" (created once).
  std::unique_ptr<host::Storage> open(const host::PostgresOptions& options = {}) const {
    auto opened = host::open_postgres_storage(url_, options);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    auto storage = std::move(opened).value();
    for (const char* ws : {"ws1", "ws2"}) {
      auto status = storage->add_workspace(ws);
      REQUIRE((status.ok() || status.code() == hostsdk::StatusCode::kConflict));
    }
    return storage;
  }

  // A plain connection to the scratch database, for checking what the backend wrote.
  std::string query_one(const std::string& sql) const {
    pqxx::connection conn(url_);
    pqxx::nontransaction txn(conn);
    return txn.exec(sql)[0][0].c_str();
  }

 private:
  static void admin(const std::string& sql) {
    pqxx::connection conn(env("RCT_PG_URL"));
    pqxx::nontransaction txn(conn);  // CREATE/DROP DATABASE cannot run in a transaction
    txn.exec(sql);
  }

  std::string name_;
  std::string url_;
};

// Runs `scripts/pg.sh halt|resume RCT_PG_DIR`; true on success.
inline bool pg_script(const std::string& verb) {
  const std::string command =
      std::string("bash '") + RCT_PG_SCRIPT + "' " + verb + " '" + env("RCT_PG_DIR") + "'";
  return std::system(command.c_str()) == 0;
}

}  // namespace rct_pg_test
