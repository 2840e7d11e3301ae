// Runs the backend's statements on a pooled connection: one transaction per write, autocommit
// reads, exceptions turned into Status, and a transparent retry after a stale connection.
#include "storage/postgres/pg_executor.h"

#include "storage/postgres/pg_errors.h"

namespace host::pg {
namespace {

constexpr int kMaxAttempts = 3;  // for serialization failures and deadlocks

}  // namespace

Status Executor::write(const WriteFn& fn) { return run(&fn, nullptr); }

Status Executor::read(const ReadFn& fn) { return run(nullptr, &fn); }

Status Executor::run(const WriteFn* write, const ReadFn* read) {
  bool fresh = false;
  for (int attempt = 1;; ++attempt) {
    Failure failure;
    {
      auto leased = fresh ? pool_.acquire_fresh() : pool_.acquire();
      if (!leased.ok()) return leased.status();
      Lease lease = std::move(leased).value();
      try {
        if (write != nullptr) {
          pqxx::work txn(lease.conn());
          Status status = (*write)(txn);
          if (status.ok()) txn.commit();  // otherwise ~work rolls back
          return status;
        }
        pqxx::nontransaction txn(lease.conn());
        return (*read)(txn);
      } catch (...) {
        failure = classify(std::current_exception());
      }
      if (failure.broken) lease.discard();
    }
    // One broken connection usually means the server restarted: the idle ones are dead too.
    if (failure.broken) pool_.discard_idle();
    // A stale connection gets one retry on a new one; a new one failing means the server is
    // really down, and then callers hear kUnavailable at once.
    if (!failure.retryable || attempt >= kMaxAttempts || (failure.broken && fresh)) {
      return failure.status;
    }
    fresh = failure.broken;
  }
}

}  // namespace host::pg
