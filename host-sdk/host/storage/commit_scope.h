// Lets the writes made while serving one request share one durable commit: inside a scope a
// backend may queue a write instead of waiting for it, and the host commits them all at once.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "storage/storage.h"

namespace host {

// One backend's writes deferred by a request, run later as one atomic unit.
class DeferredWrites {
 public:
  virtual ~DeferredWrites() = default;
  // Runs them in one transaction; `done` gets Ok once that is durable (on any thread).
  virtual void commit(std::function<void(Status)> done) noexcept = 0;
};

// Everything one request wrote without waiting, and what to do once it is durable.
class RequestWrites {
 public:
  // How this request writes, decided by its first deferrable write: trying each write as it
  // is made (failures reach the handler as they happen), or not; either way they are
  // deferred and committed together, atomically, by commit().
  enum class Mode { kUndecided, kImmediate, kDeferred };

  RequestWrites() = default;
  RequestWrites(const RequestWrites&) = delete;
  RequestWrites& operator=(const RequestWrites&) = delete;

  // For backends.
  Mode mode() const noexcept { return mode_; }
  void set_mode(Mode mode) noexcept { mode_ = mode; }
  // This backend's deferred writes (keyed by the backend object), or null.
  DeferredWrites* deferred(const void* backend) const noexcept;
  void add_deferred(const void* backend, std::unique_ptr<DeferredWrites> writes);
  // Runs once every write of the request is durable (or failed), before the answer leaves:
  // cache invalidation that must not run before the commit.
  void after_commit(std::function<void()> action);

  // For the host: commits everything deferred and runs the after-commit actions, then calls
  // `done` once with Ok or the first failure. At once, on this thread, when nothing was
  // deferred; else from the storage's writer. Call once.
  void commit(std::function<void(Status)> done) noexcept;
  // The same, waiting for it.
  Status wait() noexcept;

 private:
  void commit_from(std::size_t index, Status first, std::function<void(Status)> done) noexcept;

  Mode mode_ = Mode::kUndecided;
  std::vector<std::pair<const void*, std::unique_ptr<DeferredWrites>>> deferred_;
  std::vector<std::function<void()>> after_commit_;
};

// Makes `writes` the calling thread's current request writes until destroyed (scopes nest).
class CommitScope {
 public:
  explicit CommitScope(RequestWrites& writes) noexcept;
  ~CommitScope();
  CommitScope(const CommitScope&) = delete;
  CommitScope& operator=(const CommitScope&) = delete;

  // The current thread's request writes, or null outside any request (then every write
  // must be durable when it returns).
  static RequestWrites* current() noexcept;

 private:
  RequestWrites* previous_;
};

}  // namespace host
