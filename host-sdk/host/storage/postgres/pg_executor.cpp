// Runs the backend's reads on a pooled connection, turning exceptions into Status, with a
// transparent retry after a stale connection. Writes go through the WriteBatcher, a request's
// own writes as one RequestUnit.
#include "storage/postgres/pg_executor.h"

#include <exception>
#include <memory>
#include <string>

#include "storage/commit_scope.h"
#include "storage/postgres/pg_errors.h"

namespace host::pg {

std::string user_lock_key(std::string_view workspace, std::string_view user_id) {
  std::string key;
  key.reserve(workspace.size() + user_id.size() + 1);
  key.append(workspace).push_back('\0');  // neither part can hold a NUL: unambiguous
  key.append(user_id);
  return key;
}

Status Executor::write(const WriteFn& fn, std::string_view lock_key) {
  // A write that must answer now, in a request that deferred earlier ones: those go first, so
  // the order of the request's writes is kept.
  if (RequestWrites* request = CommitScope::current(); request != nullptr) {
    auto* unit = static_cast<RequestUnit*>(request->deferred(this));
    if (unit != nullptr && !unit->empty()) {
      Status flushed = unit->run_now();
      if (!flushed.ok()) return flushed;
    }
  }
  return batcher_.run(fn, lock_key);
}

Status Executor::write_deferrable(DeferrableWrite write) noexcept {
  try {
    RequestWrites* request = CommitScope::current();
    if (request == nullptr) {
      Status status = batcher_.run(write.fn, write.lock_key);
      if (status.code() == hostsdk::StatusCode::kUnavailable && write.if_in_doubt) {
        write.if_in_doubt();
      }
      return status;
    }
    if (request->mode() == RequestWrites::Mode::kUndecided) {
      request->set_mode(batcher_.idle() ? RequestWrites::Mode::kImmediate
                                        : RequestWrites::Mode::kDeferred);
    }
    auto* unit = static_cast<RequestUnit*>(request->deferred(this));
    if (unit == nullptr) {
      auto created = std::make_unique<RequestUnit>(batcher_);
      unit = created.get();
      request->add_deferred(this, std::move(created));
    }
    if (request->mode() == RequestWrites::Mode::kImmediate) {
      Status tried = unit->try_write(write);
      if (!tried.ok()) {
        // A revocation the database cannot take now still commits with the request, or, if
        // that fails too, later through if_in_doubt (the sweeper).
        const bool keep =
            write.idempotent_delete && tried.code() == hostsdk::StatusCode::kUnavailable;
        if (keep) unit->add(std::move(write));
        return tried;
      }
    }
    unit->add(std::move(write));
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("storage: ") + e.what());
  } catch (...) {
    return Status::Internal("storage: unknown exception");
  }
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
