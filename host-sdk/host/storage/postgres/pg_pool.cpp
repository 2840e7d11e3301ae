// A bounded pool of libpqxx connections: callers lease one, waiting at most a timeout, and
// broken connections are dropped so the next lease reconnects once the server is back.
#include "storage/postgres/pg_pool.h"

#include <exception>
#include <utility>

namespace host::pg {

Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->release(std::move(conn_), keep_);
}

ConnectionPool::ConnectionPool(std::string conninfo, const PostgresOptions& options)
    : conninfo_(std::move(conninfo)),
      max_size_(options.pool_size == 0 ? 1 : options.pool_size),
      acquire_timeout_(options.acquire_timeout),
      reconnect_backoff_(options.reconnect_backoff) {}

Result<Lease> ConnectionPool::acquire() { return acquire(false); }

Result<Lease> ConnectionPool::acquire_fresh() { return acquire(true); }

Result<Lease> ConnectionPool::acquire(bool fresh) {
  std::unique_lock lock(mu_);
  const auto deadline = Clock::now() + acquire_timeout_;
  for (;;) {
    if (!fresh && !idle_.empty()) {
      auto conn = std::move(idle_.back());  // most recently used: least likely to be stale
      idle_.pop_back();
      return Lease(this, std::move(conn), true);
    }
    if (fresh && open_ >= max_size_ && !idle_.empty()) {
      // Make room for the fresh connection by closing an idle one.
      auto victim = std::move(idle_.back());
      idle_.pop_back();
      --open_;
      lock.unlock();
      victim.reset();
      lock.lock();
      continue;
    }
    if (open_ < max_size_) break;
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && (fresh || idle_.empty()) &&
        open_ >= max_size_) {
      return Status::Unavailable("database busy: no free connection within " +
                                 std::to_string(acquire_timeout_.count()) + " ms");
    }
  }
  // Right after a failed connect, fail fast instead of every caller waiting for the timeout.
  if (last_failure_ != Clock::time_point{} && Clock::now() - last_failure_ < reconnect_backoff_) {
    return Status::Unavailable(last_failure_message_);
  }
  ++open_;
  lock.unlock();
  std::string error;
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    lock.lock();
    last_failure_ = {};
    return Lease(this, std::move(conn), false);
  } catch (const std::exception& e) {
    error = e.what();
  }
  // libpq's message spans lines ("...failed: ...\n\tIs the server running..."): one line for logs.
  std::string flat;
  for (char c : error) {
    if (c == '\n' || c == '\t') {
      if (!flat.empty() && flat.back() != ' ') flat += ' ';
    } else {
      flat += c;
    }
  }
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  lock.lock();
  --open_;
  last_failure_ = Clock::now();
  last_failure_message_ = "database unreachable: " + flat;
  freed_.notify_one();
  return Status::Unavailable(last_failure_message_);
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> conn, bool keep) noexcept {
  const bool pool_it = keep && conn->is_open();
  {
    std::lock_guard lock(mu_);
    if (pool_it) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  freed_.notify_one();
  conn.reset();  // closing a dead connection may take a moment: outside the lock
}

void ConnectionPool::discard_idle() {
  std::vector<std::unique_ptr<pqxx::connection>> doomed;
  {
    std::lock_guard lock(mu_);
    doomed.swap(idle_);
    open_ -= doomed.size();
  }
  freed_.notify_all();
}

}  // namespace host::pg
