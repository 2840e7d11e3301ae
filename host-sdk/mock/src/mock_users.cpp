// Mock user lookups; both honour the injected "users unavailable" failure.
// Inactive users are still found: deciding what to do with them is the caller's business.
#include "mock_users.h"

namespace hostsdk::mock::detail {

Result<UserInfo> MockUsers::find_by_id(std::string_view workspace,
                                       std::string_view user_id) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kUsers)) return Status::Unavailable("users: storage unavailable");
  const UserInfo* user = state_.find_user(workspace, user_id);
  if (user == nullptr) return Status::NotFound("no such user");
  return *user;
}

Result<UserInfo> MockUsers::find_by_username(std::string_view workspace,
                                             std::string_view username) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kUsers)) return Status::Unavailable("users: storage unavailable");
  const UserInfo* user = state_.find_username(workspace, username);
  if (user == nullptr) return Status::NotFound("no such user");
  return *user;
}

}  // namespace hostsdk::mock::detail
