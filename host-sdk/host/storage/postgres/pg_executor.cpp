// Runs the backend's reads on a pooled connection, turning exceptions into Status, with a
// transparent retry after a stale connection. Writes go through the WriteBatcher.
#include "storage/postgres/pg_executor.h"

#include <string>

#include "storage/postgres/pg_errors.h"

namespace host::pg {

std::string user_lock_key(std::string_view workspace, std::string_view user_id) {
  std::string key;
  key.reserve(workspace.size() + user_id.size() + 1);
  key.append(workspace).push_back('\0');  // neither part can hold a NUL: unambiguous
  key.append(user_id);
  return key;
}

Status Executor::read(const ReadFn& fn) {
  bool fresh = false;
  for (;;) {
    Failure failure;
    {
      auto leased = fresh ? pool_.acquire_fresh() : pool_.acquire();
      if (!leased.ok()) return leased.status();
      Lease lease = std::move(leased).value();
      try {
        pqxx::nontransaction txn(lease.conn());
        return fn(txn);
      } catch (...) {
        failure = classify(std::current_exception());
      }
      if (failure.broken) lease.discard();
    }
    // One broken connection usually means the server restarted: the idle ones are dead too.
    if (failure.broken) pool_.discard_idle();
    // A stale connection gets one retry on a new one; a new one failing means the server is
    // really down, and then callers hear kUnavailable at once. Reads take no locks, so a
    // serialization failure or deadlock cannot happen here.
    if (!failure.broken || !failure.retryable || fresh) return failure.status;
    fresh = true;
  }
}

}  // namespace host::pg
