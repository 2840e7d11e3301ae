// A request's session, audit and revocation writes on PostgreSQL (RequestWrites): kept until
// the request's commit, then run as one unit under one savepoint of a group commit.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "storage/commit_scope.h"
#include "storage/postgres/pg_write_batcher.h"

namespace host::pg {

// One write that may wait for its request's commit, so it owns everything it writes.
struct DeferrableWrite {
  WriteBatcher::WriteFn fn;  // may run more than once (tried, retried), like any write
  std::string lock_key;      // see WriteBatcher::run
  // A delete: at the request's commit, kNotFound from `fn` counts as done (the row went
  // meanwhile), and an outage met while trying it does not drop it (it must still happen).
  bool idempotent_delete = false;
  // Called when a commit holding `fn` ended kUnavailable: it may have committed, or not.
  std::function<void()> if_in_doubt;
};

// The writes one request deferred. They commit together or not at all: one job of the
// WriteBatcher, so one savepoint in a transaction shared with other requests' units.
class RequestUnit final : public DeferredWrites {
 public:
  explicit RequestUnit(WriteBatcher& batcher) : batcher_(batcher) {}

  bool empty() const noexcept { return writes_.empty(); }
  void add(DeferrableWrite write) { writes_.push_back(std::move(write)); }

  // Runs `write` in a transaction that is rolled back (nothing reaches the WAL): whether it
  // would fail now. It runs after the queued writes about the same user (same lock_key), so
  // that it sees them: a revocation finds the session the request has just added.
  Status try_write(const DeferrableWrite& write);
  // Runs the queued writes now, as one unit, and waits: for a write that must answer at once
  // after them. A failure also fails the request's commit.
  Status run_now();

  // Submits the queued writes as one unit; `done` runs on a committer thread once it is
  // durable, or with why not (at once, on this thread, when there is nothing to commit).
  void commit(std::function<void(Status)> done) noexcept override;

 private:
  WriteBatcher& batcher_;
  std::vector<DeferrableWrite> writes_;
  Status failed_;
};

}  // namespace host::pg
