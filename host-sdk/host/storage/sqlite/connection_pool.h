// A pool of reader connections: each thread borrows one for a call and gives it back, so
// reads run in parallel (WAL readers never block the writer or each other).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sqlite/connection.h"

namespace host::sqlite {

class ConnectionPool {
 public:
  // A borrowed connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection) noexcept
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(std::string path, int busy_timeout_ms, std::size_t max_idle);
  // Reuses an idle connection or opens a new one.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Connection> connection);

  std::string path_;
  int busy_timeout_ms_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace host::sqlite
