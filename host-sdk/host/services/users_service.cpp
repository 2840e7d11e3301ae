// Users lookups over storage, converted to the SDK's UserInfo.
// Empty keys are answered kNotFound without a query.
#include "services/users_service.h"

namespace host {
namespace {

Result<hostsdk::UserInfo> converted(Result<UserRecord> found) {
  if (!found.ok()) return found.status();
  return to_user_info(found.value());
}

}  // namespace

hostsdk::UserInfo to_user_info(const UserRecord& record) {
  return hostsdk::UserInfo{record.id, record.username, record.name, record.active, record.roles};
}

Result<hostsdk::UserInfo> UsersService::find_by_id(std::string_view workspace,
                                                   std::string_view user_id) noexcept {
  try {
    if (workspace.empty() || user_id.empty()) return Status::NotFound("no such user");
    return converted(storage_.find_user_by_id(workspace, user_id));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("users: ") + e.what());
  }
}

Result<hostsdk::UserInfo> UsersService::find_by_username(std::string_view workspace,
                                                         std::string_view username) noexcept {
  try {
    if (workspace.empty() || username.empty()) return Status::NotFound("no such user");
    return converted(storage_.find_user_by_username(workspace, username));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("users: ") + e.what());
  }
}

}  // namespace host
