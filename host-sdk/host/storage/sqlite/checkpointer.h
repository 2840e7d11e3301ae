// Copies committed WAL frames into the database file on a thread of its own, so that commits
// do not wait behind checkpoints; the writer only finishes what is left now and then.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/sqlite/connection.h"

namespace host::sqlite {

class Checkpointer {
 public:
  // Opens a connection of its own and hooks the commits of `writer`, replacing SQLite's
  // automatic checkpoint. Call before the writer thread uses `writer`; destroy only after
  // `writer` is closed or no longer commits.
  static Result<std::unique_ptr<Checkpointer>> start(const std::string& path, int busy_timeout_ms,
                                                     Connection& writer);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  explicit Checkpointer(std::unique_ptr<Connection> connection);
  static int on_commit(void* self, sqlite3* writer, const char* schema, int wal_frames);
  void loop();

  std::unique_ptr<Connection> connection_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace host::sqlite
