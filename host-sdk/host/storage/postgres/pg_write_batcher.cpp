// Committer threads of the PostgreSQL backend: BEGIN, the queued writes (under savepoints once
// one has failed), one COMMIT (one WAL flush) for the whole batch, then every caller is answered.
#include "storage/postgres/pg_write_batcher.h"

#include <algorithm>
#include <exception>
#include <memory>

#include <pqxx/subtransaction>

#include "storage/postgres/pg_errors.h"

namespace host::pg {
namespace {

constexpr int kMaxAttempts = 3;             // per write, for deadlocks and serialization failures
constexpr std::size_t kMaxSavepoints = 60;  // see max_batch in the header

// A savepoint set at once. libpqxx 6.4 sets a subtransaction's savepoint lazily, on its first
// exec(); exec_params() (what the backend uses) skips that step, so without this the writes
// would run with no savepoint at all, and one write's failure (or its rollback) would take
// the whole batch with it.
class Savepoint final : public pqxx::subtransaction {
 public:
  // The name lives in a virtual base, so the most derived class gives it (as the base would).
  explicit Savepoint(pqxx::dbtransaction& parent)
      : pqxx::internal::namedclass("subtransaction", parent.conn().adorn_name("op")),
        pqxx::subtransaction(parent, "op") {
    Begin();
  }
};

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

void WriteBatcher::submit(WriteFn fn, std::string lock_key, Done done) {
  auto job = std::make_unique<Job>();
  job->owned_fn = std::move(fn);
  job->owned_key = std::move(lock_key);
  job->fn = &job->owned_fn;
  job->lock_key = job->owned_key;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      job->on_done = std::move(done);
      queue_.push_back(job.get());
      job.release();  // finish() deletes it
      wake_committer_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("storage is closing"));
}

bool WriteBatcher::idle() {
  std::lock_guard lock(mutex_);
  return queue_.empty() && batches_in_flight_ == 0;
}

void WriteBatcher::wait_idle() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return queue_.empty() && batches_in_flight_ == 0; });
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
      ++batches_in_flight_;
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
      for (Job* job : batch) job->decided = false;
      // Writes rarely fail, so the first pass sets no savepoints: two statements fewer per
      // write, and one transaction id for the batch instead of one per write.
      end = run_transaction(lease.conn(), batch, false);
      if (end.isolate) end = run_transaction(lease.conn(), batch, true);
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
                                                     const std::vector<Job*>& batch,
                                                     bool savepoints) {
  std::size_t pending = 0;
  for (const Job* job : batch) pending += job->decided ? 0 : 1;
  try {
    pqxx::work txn(conn);
    bool any_ok = false;
    for (Job* job : batch) {
      if (job->decided) continue;
      if (!savepoints) {
        run_job(*job, txn);
        if (job->status.ok()) {
          any_ok = true;
          continue;
        }
        // It saw what it would have seen under a savepoint (only successful writes before
        // it), so its failure stands. ~work rolls back the others, to run again without it.
        // A lone write needs no second pass: its failure rolls back all there was.
        job->decided = true;
        return {.isolate = pending > 1};
      }
      // SAVEPOINT ... RELEASE, or ROLLBACK TO (undoing this write alone and freeing the locks
      // it took). libpqxx closes a transaction after a failed statement, so each write gets a
      // subtransaction object and the batch's transaction stays usable.
      Savepoint sub(txn);
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
      if (job->decided) continue;  // failed on its own before; a rerun clears the flag
      job->status = failure.status;
      // A failed COMMIT that the server rolled back (serialization) may run again later;
      // a lost connection is rerun by commit_batch; an in-doubt COMMIT never is.
      job->retry = failure.retryable && !failure.broken;
    }
    return {.broken = failure.broken, .rerun = failure.broken && failure.retryable};
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
  std::vector<std::unique_ptr<Job>> submitted;  // ended: to call back outside the lock
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
      if (job->on_done) {
        submitted.emplace_back(job);
      } else {
        job->done = true;  // its caller, waiting in run(), owns it
      }
    }
  }
  done_.notify_all();
  if (requeued) wake_committer_.notify_one();
  // In batch order (they were collected backwards).
  for (auto it = submitted.rbegin(); it != submitted.rend(); ++it) {
    Job& job = **it;
    try {
      job.on_done(std::move(job.status));
    } catch (...) {
      // A callback that throws must not stop the committer; its request hears nothing more.
    }
  }
  submitted.clear();
  {
    // The batch ends only now, so that wait_idle() also waits for its callbacks.
    std::lock_guard lock(mutex_);
    --batches_in_flight_;
  }
  done_.notify_all();
}

}  // namespace host::pg
