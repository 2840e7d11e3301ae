// Group commit for the SQLite backend: one writer thread runs queued write operations, many
// per transaction, so concurrent writers share one durable commit instead of racing for the lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/sqlite/connection.h"

namespace host::sqlite {

class WriteQueue {
 public:
  // Runs inside the batch transaction (under a savepoint of its own); a failed operation
  // is rolled back alone and the others still commit.
  using Operation = std::function<Status(Connection&)>;
  // How it ended: Ok once committed (synchronous=FULL: on disk), else the reason it was not.
  using Done = std::function<void(Status)>;

  // What the writer's transactions do, for state kept beside the connection (SessionIndex),
  // called on the writer thread. Any may be empty.
  struct Hooks {
    std::function<void(Connection&)> began;  // BEGIN IMMEDIATE succeeded
    std::function<void()> operation_began;
    std::function<void()> operation_rolled_back;  // its savepoint was rolled back
    std::function<void()> transaction_lost;       // not committed: all of it is gone
  };

  WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch, Hooks hooks = {});
  ~WriteQueue();  // finishes queued operations, then stops the threads
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Returns once the transaction holding `op` is committed, or with the reason it was not.
  Status run(Operation op);
  // Queues `op` and returns at once; `done` is called (on another thread) once it ended.
  void submit(Operation op, Done done);
  // Nothing queued and no transaction open: a write now would have the writer to itself.
  bool idle() const;

 private:
  class Job;

  std::shared_ptr<Job> enqueue(std::shared_ptr<Job> job);
  void loop();
  void run_batch();
  std::shared_ptr<Job> next_job();
  Status step(const char* sql);
  void hand_to_waker();
  void waker_loop();

  std::unique_ptr<Connection> connection_;
  std::size_t max_batch_;
  Hooks hooks_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool busy_ = false;  // guarded by mutex_: the writer has taken jobs it has not finished
  // The writer thread's own: jobs of the open transaction, and jobs taken from queue_ but
  // not run yet.
  std::vector<std::shared_ptr<Job>> batch_;
  std::deque<std::shared_ptr<Job>> taken_;
  bool stopping_ = false;

  // Waking a caller (or running its completion) costs about as much as running its write;
  // a second thread does it, so the writer goes on to the next transaction at once.
  std::vector<std::shared_ptr<Job>> to_wake_;  // the writer's, handed over in bulk
  std::mutex waker_mutex_;
  std::condition_variable wake_waker_;
  std::vector<std::shared_ptr<Job>> waking_;  // guarded by waker_mutex_
  bool waker_stopping_ = false;

  std::thread waker_;
  std::thread thread_;
};

}  // namespace host::sqlite
