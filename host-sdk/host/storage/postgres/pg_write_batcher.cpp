// Committer threads of the PostgreSQL backend: BEGIN, each queued write under a savepoint,
// one COMMIT (one WAL flush) for the whole batch, then every caller of the batch is answered.
#include "storage/postgres/pg_write_batcher.h"

#include <algorithm>
#include <exception>

#include <pqxx/subtransaction>

#include "storage/postgres/pg_errors.h"

namespace host::pg {
namespace {

constexpr int kMaxAttempts = 3;             // per write, for deadlocks and serialization failures
constexpr std::size_t kMaxSavepoints = 60;  // see max_batch in the header

}  // namespace

WriteBatcher::WriteBatcher(ConnectionPool& pool, std::size_t max_batch, std::size_t committers)
    : pool_(pool), max_batch_(std::clamp<std::size_t>(max_batch, 1, kMaxSavepoints)) {
  const std::size_t count = std::max<std::size_t>(committers, 1);
  for (std::size_t i = 0; i < count; ++i) committers_.emplace_back([this] { loop(); });
}

WriteBatcher::~WriteBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_committer_.notify_all();
  for (auto& committer : committers_) committer.join();
}

Status WriteBatcher::run(const WriteFn& fn, std::string_view lock_key) {
  Job job;
  job.fn = &fn;
  job.lock_key = lock_key;
  std::unique_lock lock(mutex_);
  if (stopping_) return Status::Unavailable("storage is closing");
  queue_.push_back(&job);
  wake_committer_.notify_one();
  done_.wait(lock, [&] { return job.done; });
  return std::move(job.status);
}

void WriteBatcher::loop() {
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_committer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    // Keyless writes first, then by key: every batch of every host takes the users' row
    // locks in the same order, so two batches cannot deadlock on them.
    std::stable_sort(batch.begin(), batch.end(),
                     [](const Job* a, const Job* b) { return a->lock_key < b->lock_key; });
    commit_batch(batch);
    finish(batch);
    batch.clear();
  }
}

void WriteBatcher::commit_batch(std::vector<Job*>& batch) {
  bool fresh = false;
  for (;;) {
    BatchEnd end;
    {
      auto leased = fresh ? pool_.acquire_fresh() : pool_.acquire();
      if (!leased.ok()) {
        for (Job* job : batch) {
          job->status = leased.status();
          job->retry = false;
        }
        return;
      }
      Lease lease = std::move(leased).value();
      end = run_transaction(lease.conn(), batch);
      if (end.broken) lease.discard();
    }
    // One broken connection usually means the server restarted: the idle ones are dead too.
    if (end.broken) pool_.discard_idle();
    // A stale connection gets one rerun on a new one; a new one failing means the server is
    // really down, and then the callers hear kUnavailable at once.
    if (!end.rerun || fresh) return;
    fresh = true;
  }
}

WriteBatcher::BatchEnd WriteBatcher::run_transaction(pqxx::connection& conn,
                                                     const std::vector<Job*>& batch) {
  // A lone write needs no savepoint: its own failure may roll back the whole transaction.
  const bool savepoints = batch.size() > 1;
  try {
    pqxx::work txn(conn);
    bool any_ok = false;
    for (Job* job : batch) {
      if (!savepoints) {
        run_job(*job, txn);
        any_ok = job->status.ok();
        break;
      }
      // SAVEPOINT ... RELEASE, or ROLLBACK TO (undoing this write alone and freeing the locks
      // it took). libpqxx closes a transaction after a failed statement, so each write gets a
      // subtransaction object and the batch's transaction stays usable.
      pqxx::subtransaction sub(txn, "op");
      run_job(*job, sub);
      if (job->status.ok()) {
        sub.commit();
        any_ok = true;
      } else {
        sub.abort();
      }
    }
    if (any_ok) txn.commit();  // otherwise ~work rolls back
    return {};
  } catch (...) {
    const Failure failure = classify(std::current_exception());
    for (Job* job : batch) {
      job->status = failure.status;
      // A failed COMMIT that the server rolled back (serialization) may run again later;
      // a lost connection is rerun by commit_batch; an in-doubt COMMIT never is.
      job->retry = failure.retryable && !failure.broken;
    }
    return {failure.broken, failure.broken && failure.retryable};
  }
}

void WriteBatcher::run_job(Job& job, pqxx::transaction_base& txn) {
  job.retry = false;
  try {
    job.status = (*job.fn)(txn);
  } catch (...) {
    const Failure failure = classify(std::current_exception());
    if (failure.broken) throw;  // the transaction is gone: handled for the whole batch
    job.status = failure.status;
    job.retry = failure.retryable;
  }
}

void WriteBatcher::finish(std::vector<Job*>& batch) {
  bool requeued = false;
  {
    std::lock_guard lock(mutex_);
    // Backwards, so that the victims keep their order at the queue's front.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      Job* job = *it;
      if (job->retry && ++job->attempts < kMaxAttempts) {
        queue_.push_front(job);
        requeued = true;
        continue;
      }
      job->done = true;
    }
  }
  done_.notify_all();
  if (requeued) wake_committer_.notify_one();
}

}  // namespace host::pg
