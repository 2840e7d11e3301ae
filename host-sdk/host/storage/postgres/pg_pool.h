// A bounded pool of libpqxx connections: callers lease one, waiting at most a timeout, and
// broken connections are dropped so the next lease reconnects once the server is back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "storage/postgres/postgres_storage.h"

namespace host::pg {

class ConnectionPool;

// One connection, exclusively held; back to the pool on destruction unless discarded.
class Lease {
 public:
  Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn, bool reused) noexcept
      : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();

  pqxx::connection& conn() noexcept { return *conn_; }
  // True when the connection had served before: it may have broken while idle.
  bool reused() const noexcept { return reused_; }
  // The connection is not trusted any more: close it instead of pooling it.
  void discard() noexcept { keep_ = false; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
  bool reused_;
  bool keep_ = true;
};

class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, const PostgresOptions& options);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, or a new one while under the limit, else waits for one to come
  // back. kUnavailable when the server cannot be reached or none frees up in time.
  Result<Lease> acquire();
  // A new connection, never an idle one: used to retry after a broken connection.
  Result<Lease> acquire_fresh();
  // Closes every idle connection: after one broke, the others likely did too.
  void discard_idle();

 private:
  friend class Lease;
  using Clock = std::chrono::steady_clock;

  Result<Lease> acquire(bool fresh);
  void release(std::unique_ptr<pqxx::connection> conn, bool keep) noexcept;

  const std::string conninfo_;
  const std::size_t max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  const std::chrono::milliseconds reconnect_backoff_;

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
  Clock::time_point last_failure_{};
  std::string last_failure_message_;
};

}  // namespace host::pg
