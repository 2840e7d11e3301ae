// Prepared statements for the backend's hot paths: PostgreSQL parses a statement once per
// connection and, after a few runs, reuses a generic plan instead of planning every call.
#pragma once

#include <string>
#include <utility>

#include <pqxx/connection_base>
#include <pqxx/result>
#include <pqxx/transaction_base>

namespace host::pg {

// A statement and the name it is prepared under on every connection that runs it.
struct Prepared {
  const char* name;
  const char* sql;
};

// Runs `statement` with `args`. Defining it again is a map lookup in libpqxx 6.4 (the same
// definition is accepted); the server sees PREPARE once per connection, on its first use.
// A new connection (the pool's answer to a broken one) starts with none and prepares again.
template <typename... Args>
pqxx::result exec_prepared(pqxx::transaction_base& txn, const Prepared& statement, Args&&... args) {
  const std::string name = statement.name;
  txn.conn().prepare(name, statement.sql);
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace host::pg
