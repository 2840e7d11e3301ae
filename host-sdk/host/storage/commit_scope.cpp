// Request writes: a list per backend, committed one backend after the other, then the
// after-commit actions. The thread-local pointer is what backends consult.
#include "storage/commit_scope.h"

#include <condition_variable>
#include <mutex>

namespace host {
namespace {

thread_local RequestWrites* current_writes = nullptr;

}  // namespace

DeferredWrites* RequestWrites::deferred(const void* backend) const noexcept {
  for (const auto& [key, writes] : deferred_) {
    if (key == backend) return writes.get();
  }
  return nullptr;
}

void RequestWrites::add_deferred(const void* backend, std::unique_ptr<DeferredWrites> writes) {
  deferred_.emplace_back(backend, std::move(writes));
}

void RequestWrites::after_commit(std::function<void()> action) {
  after_commit_.push_back(std::move(action));
}

void RequestWrites::commit(std::function<void(Status)> done) noexcept {
  commit_from(0, Status::Ok(), std::move(done));
}

// One backend at a time (there is one in practice); the next starts from the previous one's
// completion, so the chain never blocks a thread.
void RequestWrites::commit_from(std::size_t index, Status first,
                                std::function<void(Status)> done) noexcept {
  if (index < deferred_.size()) {
    deferred_[index].second->commit(
        [this, index, first = std::move(first), done = std::move(done)](Status status) mutable {
          if (first.ok() && !status.ok()) first = std::move(status);
          commit_from(index + 1, std::move(first), std::move(done));
        });
    return;
  }
  for (auto& action : after_commit_) {
    try {
      action();
    } catch (...) {
      // An invalidation that cannot allocate: the entry then expires with its time to live.
    }
  }
  after_commit_.clear();
  done(std::move(first));
}

Status RequestWrites::wait() noexcept {
  std::mutex mutex;
  std::condition_variable ended;
  bool finished = false;
  Status result;
  commit([&](Status status) {
    std::lock_guard lock(mutex);
    result = std::move(status);
    finished = true;
    ended.notify_one();
  });
  std::unique_lock lock(mutex);
  ended.wait(lock, [&] { return finished; });
  return result;
}

CommitScope::CommitScope(RequestWrites& writes) noexcept : previous_(current_writes) {
  current_writes = &writes;
}

CommitScope::~CommitScope() { current_writes = previous_; }

RequestWrites* CommitScope::current() noexcept { return current_writes; }

}  // namespace host
