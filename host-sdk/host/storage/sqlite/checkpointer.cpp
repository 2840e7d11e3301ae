// Background PASSIVE checkpoints, started from the writer's commit hook. SQLite restarts the
// WAL from its beginning only once every frame is in the database file when a write begins,
// which a checkpoint racing the writer rarely achieves: past a bound, the writer therefore
// runs the (by then short) rest itself, as SQLite's own automatic checkpoint would.
#include "storage/sqlite/checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

namespace host::sqlite {
namespace {

constexpr int kBackgroundFrames = 8000;  // WAL size (frames) that wakes the checkpointer
constexpr int kWriterFrames = 24000;     // ... at which the writer finishes the checkpoint itself

}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& path,
                                                          int busy_timeout_ms, Connection& writer) {
  auto opened = Connection::open(path, busy_timeout_ms, /*read_only=*/false);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(opened).value()));
  sqlite3_wal_hook(writer.handle(), &Checkpointer::on_commit, checkpointer.get());
  return checkpointer;
}

Checkpointer::Checkpointer(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rchost-ckpt");
    loop();
  });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

// On the writer thread, after each commit, with the WAL's size in frames.
int Checkpointer::on_commit(void* self, sqlite3* writer, const char* schema, int wal_frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (wal_frames >= kWriterFrames) {
    (void)sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (wal_frames >= kBackgroundFrames) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      if (checkpointer->pending_) return SQLITE_OK;
      checkpointer->pending_ = true;
    }
    checkpointer->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || pending_; });
      if (stopping_) return;
      pending_ = false;
    }
    // PASSIVE: never waits for readers or the writer; copies what it can. A failure (busy,
    // I/O) only leaves the frames for the next attempt.
    (void)sqlite3_wal_checkpoint_v2(connection_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                    nullptr, nullptr);
  }
}

}  // namespace host::sqlite
