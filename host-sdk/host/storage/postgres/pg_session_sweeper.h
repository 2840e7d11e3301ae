// Deletes in the background the sessions whose add or delete failed for an outage: an
// add_session whose COMMIT was in doubt, or a revocation the database could not take then.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "storage/postgres/pg_executor.h"

namespace host::pg {

class SessionSweeper {
 public:
  explicit SessionSweeper(Executor& executor);
  ~SessionSweeper();  // one last attempt, then stops
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

  // Deletes the session once the database answers again (a missing row is fine). Only a
  // session nobody was told about, or one whose revocation was asked for, may come here.
  void delete_later(std::string_view ws, std::string_view user_id, std::string_view token_hash);
  // Sessions still waiting to be deleted.
  std::size_t pending() const;

 private:
  struct Key {
    std::string workspace;
    std::string user_id;
    std::string token_hash;
  };

  void loop();
  // Deletes the oldest pending sessions in one write; false when the database refused.
  bool sweep();

  Executor& executor_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Key> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace host::pg
