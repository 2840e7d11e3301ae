// The sweeper's thread: idle while nothing is pending, else one delete batch every 250 ms
// until the database takes it. Bounded in memory; lost on a crash of the host process.
#include "storage/postgres/pg_session_sweeper.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "storage/postgres/pg_errors.h"

namespace host::pg {
namespace {

constexpr std::size_t kMaxPending = 100'000;  // oldest dropped beyond this
constexpr std::size_t kPerSweep = 256;
constexpr auto kRetryEvery = std::chrono::milliseconds(250);

}  // namespace

SessionSweeper::SessionSweeper(Executor& executor) : executor_(executor) {
  thread_ = std::thread([this] { loop(); });
}

SessionSweeper::~SessionSweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SessionSweeper::delete_later(std::string_view ws, std::string_view user_id,
                                  std::string_view token_hash) {
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= kMaxPending) pending_.pop_front();
    pending_.push_back({std::string(ws), std::string(user_id), std::string(token_hash)});
  }
  wake_.notify_one();
}

std::size_t SessionSweeper::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void SessionSweeper::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;
    const bool last = stopping_;
    lock.unlock();
    const bool swept = sweep();
    lock.lock();
    if (last) return;
    // Back off while the database is still away; a new entry does not shorten the wait.
    if (!swept) wake_.wait_for(lock, kRetryEvery, [&] { return stopping_; });
  }
}

bool SessionSweeper::sweep() {
  std::vector<Key> keys;
  {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(pending_.size(), kPerSweep);
    keys.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  Status status = executor_.write([&](pqxx::transaction_base& txn) {
    for (const Key& key : keys) {
      txn.exec_params(
          "DELETE FROM sessions WHERE workspace = $1 AND user_id = $2 AND token_hash = $3",
          text(key.workspace), text(key.user_id), text(key.token_hash));
    }
    return Status::Ok();
  });
  // Invalid input can never be deleted (nor was it ever stored): drop it too.
  if (!status.ok() && status.code() != hostsdk::StatusCode::kInvalidArgument) return false;
  std::lock_guard lock(mutex_);
  // Only this thread removes entries and new ones go to the back; the front ones are ours,
  // unless the bound dropped some of them meanwhile.
  std::size_t done = 0;
  while (done < keys.size() && !pending_.empty() &&
         pending_.front().token_hash == keys[done].token_hash) {
    pending_.pop_front();
    ++done;
  }
  return true;
}

}  // namespace host::pg
