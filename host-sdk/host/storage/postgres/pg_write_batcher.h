// Group commit for the PostgreSQL backend: committer threads run queued writes, many per
// transaction, each failing alone, and answer every caller only after that one COMMIT.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pqxx/transaction>

#include "storage/postgres/pg_pool.h"

namespace host::pg {

class WriteBatcher {
 public:
  // The transaction is the batch's, or a subtransaction of it (a savepoint).
  using WriteFn = std::function<Status(pqxx::transaction_base&)>;

  // `max_batch` bounds the savepoints per transaction: PostgreSQL tracks at most 64
  // subtransaction ids per backend cheaply, beyond that every snapshot gets slower.
  WriteBatcher(ConnectionPool& pool, std::size_t max_batch, std::size_t committers);
  ~WriteBatcher();  // finishes the queued writes, then stops the committers
  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  // How a submitted write ended: Ok once committed, else why not.
  using Done = std::function<void(Status)>;

  // Returns once the transaction holding `fn` has committed (synchronous_commit=on), or with
  // the reason it did not. Writes with a `lock_key` run in key order within their batch, so
  // batches of different hosts take those row locks in one global order.
  Status run(const WriteFn& fn, std::string_view lock_key);
  // The same without waiting: `done` runs on a committer thread after that COMMIT (at once,
  // on this thread, when the batcher is closing). It must be quick and must not write.
  void submit(WriteFn fn, std::string lock_key, Done done);
  // Nothing queued and no batch being written.
  bool idle();
  // Waits until idle(): every write submitted so far has ended and been called back.
  void wait_idle();

 private:
  struct Job {
    const WriteFn* fn = nullptr;
    std::string_view lock_key;
    Status status;
    int attempts = 0;
    bool retry = false;  // failed in a way that running it again (in a later batch) may fix
    bool done = false;
    // Failed in the batch's first pass, where no savepoint could undo it alone: its status
    // stands and the second pass leaves it out.
    bool decided = false;
    // A submitted job owns its write and is deleted once `on_done` has run.
    WriteFn owned_fn;
    std::string owned_key;
    Done on_done;
  };

  // How a batch's transaction ended; all false when it committed or failed on its own.
  struct BatchEnd {
    bool broken = false;   // the connection is gone: drop it and its idle siblings
    bool rerun = false;    // nothing was committed: the whole batch may run again
    bool isolate = false;  // a write failed in the first pass: run the rest under savepoints
  };

  void loop();
  // Runs the batch on a connection from the pool, once more on a fresh one when a stale
  // connection broke before COMMIT; sets every job's status and retry flag.
  void commit_batch(std::vector<Job*>& batch);
  // One transaction for the whole batch; sets each job's status and retry flag. Without
  // `savepoints`, the first write to fail ends the pass (see Job::decided).
  BatchEnd run_transaction(pqxx::connection& conn, const std::vector<Job*>& batch, bool savepoints);
  // Runs one write, setting its status; rethrows only what broke the connection.
  static void run_job(Job& job, pqxx::transaction_base& txn);
  // Completes the batch's jobs (waking the waiting ones, calling the submitted ones back);
  // deadlock and serialization victims go back to the queue's front, to run after this
  // COMMIT has released the locks they waited for.
  void finish(std::vector<Job*>& batch);

  ConnectionPool& pool_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_committer_;
  std::condition_variable done_;
  std::deque<Job*> queue_;
  std::size_t batches_in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> committers_;
};

}  // namespace host::pg
