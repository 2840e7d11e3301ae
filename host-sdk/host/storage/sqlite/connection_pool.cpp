// Reader connection pool of the SQLite backend.
// Connections are opened lazily, so the pool grows to the number of concurrent readers.
#include "storage/sqlite/connection_pool.h"

namespace host::sqlite {

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->give_back(std::move(connection_));
}

ConnectionPool::ConnectionPool(std::string path, int busy_timeout_ms, std::size_t max_idle)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), max_idle_(max_idle) {}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  auto opened = Connection::open(path_, busy_timeout_ms_, /*read_only=*/true);
  if (!opened.ok()) return opened.status();
  return Lease(this, std::move(opened).value());
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
  // Otherwise the connection closes here; bursts beyond max_idle do not pin file handles.
}

}  // namespace host::sqlite
