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

  WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch);
  ~WriteQueue();  // finishes queued operations, then stops the thread
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Returns once the transaction holding `op` is committed (synchronous=FULL: on disk),
  // or with the reason it was not.
  Status run(Operation op);

 private:
  struct Job {
    Operation op;
    Status status;
    bool done = false;
  };

  void loop();
  void run_batch(const std::vector<Job*>& batch);

  std::unique_ptr<Connection> connection_;
  std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable done_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace host::sqlite
