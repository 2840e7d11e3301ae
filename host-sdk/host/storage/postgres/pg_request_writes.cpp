// A request's deferred writes as one WriteBatcher job: tried (and rolled back) one by one
// while the request runs, committed together after it, the in-doubt ones handed on.
#include "storage/postgres/pg_request_writes.h"

#include <exception>
#include <memory>
#include <string_view>

namespace host::pg {
namespace {

constexpr std::string_view kTried = "tried, rolled back";

// Runs `writes` in order in `txn`; the first failure ends the unit, and the batcher then
// rolls all of it back (its savepoint, or its transaction when it is alone).
Status run_all(const std::vector<DeferrableWrite>& writes, pqxx::transaction_base& txn) {
  for (const DeferrableWrite& write : writes) {
    Status status = write.fn(txn);
    if (status.ok()) continue;
    if (write.idempotent_delete && status.code() == hostsdk::StatusCode::kNotFound) continue;
    return status;
  }
  return Status::Ok();
}

// The unit's place in its batch: the first user it locks (a createToken unit locks one).
std::string unit_lock_key(const std::vector<DeferrableWrite>& writes) {
  for (const DeferrableWrite& write : writes) {
    if (!write.lock_key.empty()) return write.lock_key;
  }
  return {};
}

void report_in_doubt(const std::vector<DeferrableWrite>& writes, const Status& ended) noexcept {
  if (ended.code() != hostsdk::StatusCode::kUnavailable) return;
  for (const DeferrableWrite& write : writes) {
    if (!write.if_in_doubt) continue;
    try {
      write.if_in_doubt();
    } catch (...) {
      // Cannot even remember it (no memory): the row may stay, as after a crash of the host.
    }
  }
}

}  // namespace

Status RequestUnit::try_write(const DeferrableWrite& write) {
  bool returned = false;  // the last run of the function below got to its end
  Status outcome;
  // What the request wrote before about the same user decides some outcomes (a revocation of
  // the session it has just added, a second session with the same hash): those run first.
  // A write about no user (the audit trail) depends on nothing and is tried alone.
  std::vector<DeferrableWrite> same_user;
  if (!write.lock_key.empty()) {
    for (const DeferrableWrite& earlier : writes_) {
      if (earlier.lock_key == write.lock_key) same_user.push_back(earlier);
    }
  }
  const std::string& key = write.lock_key;
  Status ended = batcher_.run(
      [&](pqxx::transaction_base& txn) -> Status {
        returned = false;
        Status earlier = run_all(same_user, txn);
        outcome = earlier.ok() ? write.fn(txn) : earlier;
        returned = true;
        // Failing the job rolls back its savepoint (or its lone transaction).
        return outcome.ok() ? Status::Internal(std::string(kTried)) : outcome;
      },
      key);
  if (!returned) return ended;  // it threw (classified), or never ran (no connection, closing)
  if (!outcome.ok()) return outcome;
  if (ended.code() == hostsdk::StatusCode::kInternal && ended.message() == kTried) {
    return Status::Ok();
  }
  return ended;  // the batch's transaction failed around it: no telling whether it would work
}

Status RequestUnit::run_now() {
  std::vector<DeferrableWrite> writes;
  writes.swap(writes_);
  Status status = batcher_.run([&](pqxx::transaction_base& txn) { return run_all(writes, txn); },
                               unit_lock_key(writes));
  report_in_doubt(writes, status);
  if (!status.ok() && failed_.ok()) failed_ = status;
  return status;
}

void RequestUnit::commit(std::function<void(Status)> done) noexcept {
  if (!failed_.ok()) {
    // Never run: nothing to doubt, but a revocation among them must still happen.
    report_in_doubt(writes_, failed_);
    return done(failed_);
  }
  if (writes_.empty()) return done(Status::Ok());
  try {
    auto writes = std::make_shared<const std::vector<DeferrableWrite>>(std::move(writes_));
    writes_.clear();
    std::string key = unit_lock_key(*writes);
    batcher_.submit([writes](pqxx::transaction_base& txn) { return run_all(*writes, txn); },
                    std::move(key),
                    [writes, done](Status ended) {
                      report_in_doubt(*writes, ended);
                      done(std::move(ended));
                    });
  } catch (const std::exception& e) {
    done(Status::Internal(std::string("storage: ") + e.what()));
  }
}

}  // namespace host::pg
