// The writer connection's copy of each user's session keys in issue order, so that enforcing
// the per-user cap deletes the oldest session by its key instead of counting in SQL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/sqlite/connection.h"

namespace host::sqlite {

// Used on the writer thread only (inside write operations and WriteQueue::Hooks). What it
// holds is what the writer's open transaction sees; it forgets a user whenever that may no
// longer be so: another connection committed (PRAGMA data_version moved), an operation that
// touched the user was rolled back, or a transaction was lost. Bounded: past kMaxSessions it
// starts over, and users are loaded again on demand.
class SessionIndex {
 public:
  struct Session {
    std::int64_t created_ms = 0;
    std::int64_t seq = 0;
    std::string token_hash;
  };
  // One user's sessions, oldest first (created_ms, then seq).
  class User {
   public:
    std::size_t size() const noexcept { return sessions_.size() - first_; }
    const Session& oldest() const noexcept { return sessions_[first_]; }
    std::int64_t next_seq() const noexcept { return next_seq_; }

   private:
    friend class SessionIndex;
    // sessions_[first_..] are the user's; the cap drops the oldest by moving first_, and the
    // vector is compacted once half of it is dropped.
    std::vector<Session> sessions_;
    std::size_t first_ = 0;
    std::int64_t next_seq_ = 0;  // larger than every stored seq of the user
  };

  static constexpr std::size_t kMaxSessions = 64 * 1024;

  // The user's sessions, read from the database on first use. Marks the user touched. The
  // pointer is valid until the next call of user(), forget() or a hook.
  Result<User*> user(Connection& db, std::string_view workspace, std::string_view user_id);
  // Records `session` (already inserted) in `user`, keeping the oldest-first order.
  void add(User& user, Session session);
  // Forgets the user's oldest session (already deleted).
  void remove_oldest(User& user);
  // Drops what is known about one user; the next use reads the database again.
  void forget(std::string_view workspace, std::string_view user_id);

  // WriteQueue::Hooks.
  void transaction_began(Connection& db) noexcept;
  void operation_began() noexcept { touched_.clear(); }
  void operation_rolled_back() noexcept;
  void clear() noexcept;

 private:
  const std::string& key_of(std::string_view workspace, std::string_view user_id);

  std::unordered_map<std::string, User> users_;
  std::string key_;                   // scratch key: workspace '\0' user id
  std::size_t sessions_ = 0;          // held in users_, for the bound
  std::vector<std::string> touched_;  // users the current operation used
  std::int64_t data_version_ = -1;    // of the last transaction, -1: none yet
};

}  // namespace host::sqlite
