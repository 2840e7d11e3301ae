// Runs the backend's statements on a pooled connection: one transaction per write, autocommit
// reads, exceptions turned into Status, and a transparent retry after a stale connection.
#pragma once

#include <functional>

#include <pqxx/nontransaction>
#include <pqxx/result>  // iterating a result needs result_iterator.hxx in 6.4
#include <pqxx/transaction>

#include "storage/postgres/pg_pool.h"

namespace host::pg {

class Executor {
 public:
  using WriteFn = std::function<Status(pqxx::work&)>;
  using ReadFn = std::function<Status(pqxx::transaction_base&)>;

  explicit Executor(ConnectionPool& pool) noexcept : pool_(pool) {}

  // Runs `fn` in one transaction, committed (durably: synchronous_commit=on) only when it
  // returns ok. `fn` may run more than once (retry), so it must only touch the transaction
  // and its own outputs.
  //
  // Group commit goes here: every write of the backend passes through this one function, so
  // it can queue `fn`, let one committer run the queued calls in a single transaction (each
  // inside a pqxx::subtransaction so one conflict rolls back alone) and complete every
  // caller after the single COMMIT.
  Status write(const WriteFn& fn);

  // Runs `fn` without a transaction block (each statement commits on its own).
  Status read(const ReadFn& fn);

 private:
  Status run(const WriteFn* write, const ReadFn* read);

  ConnectionPool& pool_;
};

}  // namespace host::pg
