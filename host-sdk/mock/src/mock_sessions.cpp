// Mock session tokens: issue keeps only the newest N per user, verify checks hash, expiry
// and that the user is still active, revoke removes exactly one token.
#include "mock_sessions.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "random_ids.h"

namespace hostsdk::mock::detail {

namespace {

constexpr std::int64_t kMsPerDay = 24LL * 60 * 60 * 1000;

bool same_hash(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Drops the oldest sessions of `user_id` beyond `cap`.
void enforce_cap(std::vector<SessionRow>& sessions, std::string_view user_id, std::size_t cap) {
  std::vector<const SessionRow*> mine;
  for (const auto& row : sessions) {
    if (row.user_id == user_id) mine.push_back(&row);
  }
  if (mine.size() <= cap) return;
  std::sort(mine.begin(), mine.end(), [](const SessionRow* a, const SessionRow* b) {
    return a->created_ms != b->created_ms ? a->created_ms < b->created_ms
                                          : a->sequence < b->sequence;
  });
  std::set<std::uint64_t> doomed;
  for (std::size_t i = 0; i + cap < mine.size(); ++i) doomed.insert(mine[i]->sequence);
  sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                [&](const SessionRow& row) { return doomed.count(row.sequence); }),
                 sessions.end());
}

}  // namespace

double login_expiration_days(const std::optional<std::string>& text) noexcept {
  if (!text) return kDefaultLoginExpirationDays;
  double days = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, days);
  if (ec != std::errc() || ptr != end || !(days > 0)) return kDefaultLoginExpirationDays;
  return days;
}

std::size_t max_resume_tokens(const std::optional<std::string>& text) noexcept {
  if (!text) return kDefaultMaxResumeTokens;
  std::size_t cap = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, cap);
  if (ec != std::errc() || ptr != end || cap == 0) return kDefaultMaxResumeTokens;
  return cap;
}

Result<std::string> MockSessions::issue(std::string_view workspace,
                                        std::string_view user_id) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kSessions)) {
    return Status::Unavailable("sessions: storage unavailable");
  }
  if (state_.find_user(workspace, user_id) == nullptr) return Status::NotFound("no such user");

  std::string token = new_session_token();
  const double days =
      login_expiration_days(state_.resolve_setting(workspace, "Accounts_LoginExpiration"));
  auto cap_it = state_.environment.find("MAX_RESUME_LOGIN_TOKENS");
  const std::size_t cap = max_resume_tokens(cap_it == state_.environment.end()
                                                ? std::nullopt
                                                : std::optional<std::string>(cap_it->second));

  SessionRow row;
  row.user_id = std::string(user_id);
  row.token_hash = hash_session_token(token);
  row.created_ms = state_.now_ms;
  row.expires_ms = state_.now_ms + static_cast<std::int64_t>(days * kMsPerDay);
  row.sequence = state_.next_sequence++;
  auto& sessions = state_.workspace(workspace).sessions;
  sessions.push_back(std::move(row));
  enforce_cap(sessions, user_id, cap);
  return token;
}

Result<UserInfo> MockSessions::verify(std::string_view workspace, std::string_view user_id,
                                      std::string_view token) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kSessions)) {
    return Status::Unavailable("sessions: storage unavailable");
  }
  const UserInfo* user = verify_locked(workspace, user_id, token);
  if (user == nullptr) return Status::NotFound("no such session");
  return *user;
}

Status MockSessions::revoke(std::string_view workspace, std::string_view user_id,
                            std::string_view token) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kSessions)) {
    return Status::Unavailable("sessions: storage unavailable");
  }
  auto& sessions = state_.workspace(workspace).sessions;
  const std::string hash = hash_session_token(token);
  auto it = std::find_if(sessions.begin(), sessions.end(), [&](const SessionRow& row) {
    return row.user_id == user_id && same_hash(row.token_hash, hash);
  });
  if (it == sessions.end()) return Status::NotFound("no such session");
  sessions.erase(it);
  return Status::Ok();
}

std::optional<UserInfo> MockSessions::authenticate(std::string_view workspace,
                                                   std::string_view user_id,
                                                   std::string_view token) noexcept {
  std::lock_guard lock(state_.mutex);
  const UserInfo* user = verify_locked(workspace, user_id, token);
  if (user == nullptr) return std::nullopt;
  return *user;
}

const UserInfo* MockSessions::verify_locked(std::string_view workspace, std::string_view user_id,
                                            std::string_view token) const {
  const UserInfo* user = state_.find_user(workspace, user_id);
  const WorkspaceData* data = state_.find_workspace(workspace);
  if (user == nullptr || data == nullptr || !user->active) return nullptr;
  const std::string hash = hash_session_token(token);
  for (const auto& row : data->sessions) {
    if (row.user_id == user_id && same_hash(row.token_hash, hash)) {
      return state_.now_ms < row.expires_ms ? user : nullptr;
    }
  }
  return nullptr;
}

}  // namespace hostsdk::mock::detail
