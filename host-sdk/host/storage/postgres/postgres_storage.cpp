// Entry point of the PostgreSQL storage backend: opens a pooled, self-migrating Storage for
// postgresql:// (or postgres://) URLs, for hosts that share one database.
#include "storage/postgres/postgres_storage.h"

#include "storage/postgres/pg_conninfo.h"
#include "storage/postgres/pg_schema.h"
#include "storage/postgres/pg_storage.h"

namespace host {

PostgresStorage::PostgresStorage(std::string conninfo, const PostgresOptions& options)
    : pool_(std::move(conninfo), options), executor_(pool_, options), sweeper_(executor_) {}

PostgresStorage::~PostgresStorage() { executor_.wait_idle(); }

Status PostgresStorage::init() { return pg::migrate(executor_); }

Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url) {
  return open_postgres_storage(url, PostgresOptions{});
}

Result<std::unique_ptr<Storage>> open_postgres_storage(std::string_view url,
                                                       const PostgresOptions& options) {
  auto conninfo = pg::build_conninfo(url, options);
  if (!conninfo.ok()) return conninfo.status();
  auto storage = std::make_unique<PostgresStorage>(std::move(conninfo).value(), options);
  if (Status status = storage->init(); !status.ok()) return status;
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace host
