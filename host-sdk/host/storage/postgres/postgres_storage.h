// Entry point of the PostgreSQL storage backend: opens a pooled, self-migrating Storage for
// postgresql:// (or postgres://) URLs, for hosts that share one database.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "storage/storage.h"

namespace host {

// Tuning knobs; the defaults suit the reference host.
struct PostgresOptions {
  std::size_t pool_size = 8;                          // connections at most
  std::chrono::milliseconds acquire_timeout{3000};    // wait for a free connection
  std::chrono::seconds connect_timeout{2};            // libpq connect_timeout
  std::chrono::milliseconds statement_timeout{5000};  // server-side, per statement
  std::chrono::milliseconds reconnect_backoff{250};   // fail fast after a failed connect
  std::size_t max_batch = 32;  // writes per group-commit transaction (at most 60)
  std::size_t committers = 4;  // batches in flight: one runs while others wait for COMMIT
};

// Connects, creates or migrates the schema, and returns the backend. kUnavailable when the
// server cannot be reached, kInvalidArgument for a malformed URL. libpq keywords in the URL
// (host, user, sslmode, connect_timeout, options ...) are honoured.
Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url);
Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url,
                                                       const PostgresOptions& options);

}  // namespace host
