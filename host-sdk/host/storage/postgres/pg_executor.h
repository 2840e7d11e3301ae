// Runs the backend's statements on pooled connections: writes through group commit (a request's
// own writes as one unit), autocommit reads, exceptions turned into Status, and a transparent
// retry after a stale connection.
#pragma once

#include <functional>
#include <string_view>

#include <pqxx/nontransaction>
#include <pqxx/result>  // iterating a result needs result_iterator.hxx in 6.4
#include <pqxx/transaction>

#include "storage/postgres/pg_pool.h"
#include "storage/postgres/pg_request_writes.h"
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
  // (see WriteBatcher::run). In a request that deferred writes, those commit first.
  Status write(const WriteFn& fn, std::string_view lock_key = {});

  // A request's session, audit or revocation write. Outside a request (no CommitScope): as
  // write(), calling write.if_in_doubt when it ends kUnavailable. In one, it joins the
  // request's unit, which commits atomically, before the answer leaves, when the host
  // commits the request (RequestWrites::commit): so a crash never keeps a session without
  // its audit row. The unit is one savepoint of a group commit shared with other requests.
  // A request alone in flight (RequestWrites::Mode::kImmediate) also tries each write as it
  // is made, after the unit's earlier ones, in a transaction that is rolled back: a failure
  // then reaches the caller at once. Otherwise failures reach the request's commit.
  Status write_deferrable(DeferrableWrite write) noexcept;

  // Returns once every write submitted so far has ended and been reported.
  void wait_idle() { batcher_.wait_idle(); }

  // Runs `fn` without a transaction block (each statement commits on its own).
  Status read(const ReadFn& fn);

 private:
  ConnectionPool& pool_;
  WriteBatcher batcher_;
};

// The lock_key of writes that lock the row of `user_id` in `workspace`.
std::string user_lock_key(std::string_view workspace, std::string_view user_id);

}  // namespace host::pg
