// Writer thread of the SQLite backend: BEGIN IMMEDIATE, each queued operation under a
// savepoint, one COMMIT (one fsync of the WAL) for the whole batch.
#include "storage/sqlite/write_queue.h"

#include <exception>
#include <string>

namespace host::sqlite {
namespace {

Status run_guarded(const WriteQueue::Operation& op, Connection& connection) {
  try {
    return op(connection);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("write failed: ") + e.what());
  } catch (...) {
    return Status::Internal("write failed: unknown exception");
  }
}

}  // namespace

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch)
    : connection_(std::move(connection)), max_batch_(max_batch == 0 ? 1 : max_batch) {
  thread_ = std::thread([this] { loop(); });
}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  thread_.join();
}

Status WriteQueue::run(Operation op) {
  Job job{std::move(op), Status::Ok(), false};
  std::unique_lock lock(mutex_);
  if (stopping_) return Status::Unavailable("storage is closing");
  queue_.push_back(&job);
  wake_writer_.notify_one();
  done_.wait(lock, [&] { return job.done; });
  return std::move(job.status);
}

void WriteQueue::loop() {
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run_batch(batch);
    {
      std::lock_guard lock(mutex_);
      for (Job* job : batch) job->done = true;
    }
    done_.notify_all();
    batch.clear();
  }
}

void WriteQueue::run_batch(const std::vector<Job*>& batch) {
  Connection& db = *connection_;
  Status begun = db.exec("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (Job* job : batch) job->status = begun;
    return;
  }
  std::size_t ran = 0;
  for (; ran < batch.size(); ++ran) {
    Job& job = *batch[ran];
    job.status = db.exec("SAVEPOINT op");
    if (job.status.ok()) job.status = run_guarded(job.op, db);
    if (!job.status.ok() && db.in_transaction()) {
      (void)db.exec("ROLLBACK TO op");
    }
    if (db.in_transaction()) (void)db.exec("RELEASE op");
    // SQLite rolls the whole transaction back on some errors (I/O, full disk): nothing of
    // this batch survives, so no operation in it may report success.
    if (!db.in_transaction()) break;
  }
  if (ran < batch.size()) {
    Status lost = Status::Unavailable("write transaction aborted by the database");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > ran || batch[i]->status.ok()) batch[i]->status = lost;
    }
    return;
  }
  Status committed = db.exec("COMMIT");
  if (!committed.ok()) {
    if (db.in_transaction()) (void)db.exec("ROLLBACK");
    for (Job* job : batch) {
      if (job->status.ok()) job->status = committed;
    }
  }
}

}  // namespace host::sqlite
