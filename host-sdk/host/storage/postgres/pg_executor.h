// Runs the backend's statements on pooled connections: writes through group commit, autocommit
// reads, exceptions turned into Status, and a transparent retry after a stale connection.
#pragma once

#include <functional>
#include <string_view>

#include <pqxx/nontransaction>
#include <pqxx/result>  // iterating a result needs result_iterator.hxx in 6.4
#include <pqxx/transaction>

#include "storage/postgres/pg_pool.h"
#include "storage/postgres/pg_write_batcher.h"

namespace host::pg {

class Executor {
 public:
  using WriteFn = WriteBatcher::WriteFn;
  using ReadFn = std::function<Status(pqxx::transaction_base&)>;

  Executor(ConnectionPool& pool, const PostgresOptions& options)
      : pool_(pool), batcher_(pool, options.max_batch, options.committers) {}

  // Runs `fn` in a transaction shared with other concurrent writes (group commit), under a
  // savepoint of its own so that its failure rolls back only its own changes; returns once
  // that transaction has committed durably (synchronous_commit=on). `fn` may run more than
  // once (retry), so it must only touch the transaction and its own outputs, and it must not
  // call the executor. A write that locks a user's row passes that user as `lock_key`
  // (see WriteBatcher::run).
  Status write(const WriteFn& fn, std::string_view lock_key = {}) {
    return batcher_.run(fn, lock_key);
  }

  // Runs `fn` without a transaction block (each statement commits on its own).
  Status read(const ReadFn& fn);

 private:
  ConnectionPool& pool_;
  WriteBatcher batcher_;
};

// The lock_key of writes that lock the row of `user_id` in `workspace`.
std::string user_lock_key(std::string_view workspace, std::string_view user_id);

}  // namespace host::pg
