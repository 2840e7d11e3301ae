// Writer thread of the SQLite backend: BEGIN IMMEDIATE, each queued operation under a
// savepoint, one COMMIT (one fsync of the WAL) for the whole batch.
#include "storage/sqlite/write_queue.h"

#include <pthread.h>
#include <sqlite3.h>

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

// One queued operation, and how its caller learns the outcome: a callback, or a wait on the
// job's own condition variable (each caller is woken alone, not every waiter of the queue;
// std::atomic::wait would spin on sched_yield first, which costs more than it saves here).
class WriteQueue::Job {
 public:
  Job(Operation op, Done done) : op_(std::move(op)), done_(std::move(done)) {}

  Status wait() noexcept {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ended_flag_; });
    return ended_;
  }

  // Writer side: only the state changes here; the waker then tells the caller.
  const Operation& op() const noexcept { return op_; }
  void set_ran(Status status) noexcept { ran_ = std::move(status); }
  // `transaction`: how the batch ended. A failed operation keeps its own reason.
  void set_ended(const Status& transaction) noexcept {
    std::lock_guard lock(mutex_);
    ended_ = ran_.ok() ? transaction : ran_;
    ended_flag_ = true;
  }
  // The transaction was lost before this operation ran to the end.
  void fail(const Status& status) noexcept {
    ran_ = status;
    set_ended(status);
  }

  // Waker side, after set_ended (outside the lock, so a woken caller does not block again
  // at once on the job's mutex).
  void tell() noexcept {
    if (done_) {
      done_(ended_);  // ended_ no longer changes
    } else {
      changed_.notify_all();
    }
  }

 private:
  Operation op_;
  Done done_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool ended_flag_ = false;
  Status ran_;
  Status ended_;
};

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch, Hooks hooks)
    : connection_(std::move(connection)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      hooks_(std::move(hooks)) {
  batch_.reserve(max_batch_);
  waker_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rchost-waker");  // names for top -H and perf
    waker_loop();
  });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rchost-writer");
    loop();
  });
}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  thread_.join();
  {
    std::lock_guard lock(waker_mutex_);
    waker_stopping_ = true;
  }
  wake_waker_.notify_one();
  waker_.join();
}

std::shared_ptr<WriteQueue::Job> WriteQueue::enqueue(std::shared_ptr<Job> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return nullptr;
    queue_.push_back(job);
  }
  wake_writer_.notify_one();
  return job;
}

Status WriteQueue::run(Operation op) {
  auto job = enqueue(std::make_shared<Job>(std::move(op), nullptr));
  if (job == nullptr) return Status::Unavailable("storage is closing");
  return job->wait();
}

void WriteQueue::submit(Operation op, Done done) {
  if (enqueue(std::make_shared<Job>(std::move(op), done)) == nullptr) {
    done(Status::Unavailable("storage is closing"));
  }
}

bool WriteQueue::idle() const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && !busy_;
}

void WriteQueue::hand_to_waker() {
  if (to_wake_.empty()) return;
  {
    std::lock_guard lock(waker_mutex_);
    if (waking_.empty()) {
      waking_.swap(to_wake_);
    } else {
      for (auto& job : to_wake_) waking_.push_back(std::move(job));
      to_wake_.clear();
    }
  }
  wake_waker_.notify_one();
}

void WriteQueue::waker_loop() {
  std::vector<std::shared_ptr<Job>> jobs;
  for (;;) {
    {
      std::unique_lock lock(waker_mutex_);
      wake_waker_.wait(lock, [&] { return waker_stopping_ || !waking_.empty(); });
      if (waking_.empty()) return;  // stopping, and everyone told
      jobs.swap(waking_);
    }
    for (auto& job : jobs) job->tell();
    jobs.clear();
  }
}

void WriteQueue::loop() {
  for (;;) {
    if (taken_.empty()) {  // jobs left over from an aborted batch go first
      std::unique_lock lock(mutex_);
      busy_ = false;
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
    }
    run_batch();
  }
}

// Takes queued jobs a handful at a time, so the queue's lock is not taken once per job.
std::shared_ptr<WriteQueue::Job> WriteQueue::next_job() {
  if (taken_.empty()) {
    if (batch_.size() >= max_batch_) return nullptr;  // the batch is full
    std::lock_guard lock(mutex_);
    std::size_t room = max_batch_ - batch_.size();
    while (!queue_.empty() && taken_.size() < room) {
      taken_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (taken_.empty()) return nullptr;
    busy_ = true;
  }
  auto job = std::move(taken_.front());
  taken_.pop_front();
  return job;
}

// The fixed statements of a batch, prepared once (sqlite3_exec would parse them every time).
Status WriteQueue::step(const char* sql) {
  auto statement = connection_->prepare_static(sql);
  int rc = statement.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return statement.error(sql);
  return Status::Ok();
}

// Operations join the open transaction until the queue is empty (or the batch is full).
void WriteQueue::run_batch() {
  Connection& db = *connection_;
  Status begun = step("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (auto job = next_job(); job != nullptr; job = next_job()) {
      job->fail(begun);
      to_wake_.push_back(std::move(job));
    }
    hand_to_waker();
    return;
  }
  if (hooks_.began) hooks_.began(db);
  bool aborted = false;
  for (auto job = next_job(); job != nullptr; job = next_job()) {
    if (hooks_.operation_began) hooks_.operation_began();
    Status status = step("SAVEPOINT op");
    if (status.ok()) status = run_guarded(job->op(), db);
    if (!status.ok() && db.in_transaction()) {
      (void)step("ROLLBACK TO op");
      if (hooks_.operation_rolled_back) hooks_.operation_rolled_back();
    }
    if (db.in_transaction()) (void)step("RELEASE op");
    // SQLite rolls the whole transaction back on some errors (I/O, full disk): nothing of
    // this batch survives, so no operation in it may report success.
    if (!db.in_transaction()) {
      job->fail(status.ok() ? Status::Unavailable("write transaction aborted by the database")
                            : status);
      to_wake_.push_back(std::move(job));
      aborted = true;
      break;
    }
    job->set_ran(std::move(status));
    batch_.push_back(std::move(job));
  }
  Status ended =
      aborted ? Status::Unavailable("write transaction aborted by the database") : step("COMMIT");
  if (!ended.ok() && db.in_transaction()) (void)step("ROLLBACK");
  if (!ended.ok() && hooks_.transaction_lost) hooks_.transaction_lost();
  for (auto& job : batch_) {
    job->set_ended(ended);
    to_wake_.push_back(std::move(job));
  }
  batch_.clear();
  hand_to_waker();
}

}  // namespace host::sqlite
