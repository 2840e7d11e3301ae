// Entry point of the SQLite backend of host::Storage (the embedded default).
// Its SQL lives in this folder only; another backend lives in a folder of its own.
#pragma once

#include <memory>
#include <string>

#include "storage/storage.h"

namespace host::sqlite {

struct SqliteOptions {
  std::string path;
  int busy_timeout_ms = 5000;   // how long to wait for another process's write lock
  std::size_t max_batch = 256;  // write operations per group-commit transaction
  std::size_t max_idle_readers = 16;
};

Result<std::unique_ptr<Storage>> open_sqlite_storage(const SqliteOptions& options);

}  // namespace host::sqlite
