// Loading a user's session keys, keeping them in order, and forgetting them whenever the
// database may differ from them.
#include "storage/sqlite/session_index.h"

#include <sqlite3.h>

#include <algorithm>

namespace host::sqlite {
namespace {

bool older(const SessionIndex::Session& a, const SessionIndex::Session& b) noexcept {
  return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.seq < b.seq;
}

}  // namespace

const std::string& SessionIndex::key_of(std::string_view workspace, std::string_view user_id) {
  key_.assign(workspace);
  key_ += '\0';
  key_ += user_id;
  return key_;
}

Result<SessionIndex::User*> SessionIndex::user(Connection& db, std::string_view workspace,
                                               std::string_view user_id) {
  const std::string& key = key_of(workspace, user_id);
  if (std::find(touched_.begin(), touched_.end(), key) == touched_.end()) touched_.push_back(key);
  auto found = users_.find(key);
  if (found != users_.end()) return &found->second;

  User loaded;
  auto query = db.prepare_static(
      "SELECT created_ms, seq, token_hash FROM sessions WHERE workspace = ?1 AND user_id = ?2");
  query.bind_view(1, workspace).bind_view(2, user_id);
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    Session session{query.column_int64(0), query.column_int64(1), query.column_text(2)};
    loaded.next_seq_ = std::max(loaded.next_seq_, session.seq + 1);
    loaded.sessions_.push_back(std::move(session));
  }
  if (rc != SQLITE_DONE) return query.error("read sessions");
  std::sort(loaded.sessions_.begin(), loaded.sessions_.end(), older);
  if (sessions_ + loaded.size() > kMaxSessions) {
    users_.clear();
    sessions_ = 0;
  }
  sessions_ += loaded.size();
  return &users_.insert_or_assign(key_of(workspace, user_id), std::move(loaded)).first->second;
}

void SessionIndex::add(User& user, Session session) {
  user.next_seq_ = std::max(user.next_seq_, session.seq + 1);
  // A new session is almost always the newest; search from the end.
  auto first = user.sessions_.begin() + static_cast<std::ptrdiff_t>(user.first_);
  auto at = user.sessions_.end();
  while (at != first && older(session, *(at - 1))) --at;
  user.sessions_.insert(at, std::move(session));
  ++sessions_;
}

void SessionIndex::remove_oldest(User& user) {
  if (user.size() == 0) return;
  user.sessions_[user.first_].token_hash = std::string();
  ++user.first_;
  --sessions_;
  if (user.first_ * 2 >= user.sessions_.size()) {
    user.sessions_.erase(user.sessions_.begin(),
                         user.sessions_.begin() + static_cast<std::ptrdiff_t>(user.first_));
    user.first_ = 0;
  }
}

void SessionIndex::forget(std::string_view workspace, std::string_view user_id) {
  auto found = users_.find(key_of(workspace, user_id));
  if (found == users_.end()) return;
  sessions_ -= found->second.size();
  users_.erase(found);
}

void SessionIndex::transaction_began(Connection& db) noexcept {
  // Changes committed by any other connection (another host process, the CLI) since this
  // connection's previous transaction move it; this connection's own commits do not.
  std::int64_t version = -1;
  try {
    auto query = db.prepare_static("PRAGMA data_version");
    if (query.step() == SQLITE_ROW) version = query.column_int64(0);
  } catch (...) {
    version = -1;  // no memory for the statement: know nothing
  }
  if (version == -1 || version != data_version_) clear();
  data_version_ = version;
}

void SessionIndex::operation_rolled_back() noexcept {
  for (const auto& key : touched_) {
    auto found = users_.find(key);
    if (found == users_.end()) continue;
    sessions_ -= found->second.size();
    users_.erase(found);
  }
  touched_.clear();
}

void SessionIndex::clear() noexcept {
  users_.clear();
  sessions_ = 0;
  touched_.clear();
}

}  // namespace host::sqlite
