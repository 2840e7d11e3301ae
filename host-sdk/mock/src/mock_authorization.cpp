// Role-to-permission check for the mock host. An unknown or inactive user holds no
// permission; an unknown permission is held by nobody.
#include "mock_authorization.h"

#include <algorithm>

namespace hostsdk::mock::detail {

Result<bool> MockAuthorization::has_permission(std::string_view workspace, std::string_view user_id,
                                               std::string_view permission) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kAuthorization)) {
    return Status::Unavailable("authorization: storage unavailable");
  }
  const UserInfo* user = state_.find_user(workspace, user_id);
  if (user == nullptr || !user->active) return false;

  const std::vector<std::string>* roles = nullptr;
  if (const WorkspaceData* data = state_.find_workspace(workspace)) {
    if (auto it = data->permission_roles.find(permission); it != data->permission_roles.end()) {
      roles = &it->second;
    }
  }
  if (roles == nullptr) {
    auto it = state_.default_permission_roles.find(permission);
    if (it == state_.default_permission_roles.end()) return false;
    roles = &it->second;
  }
  for (const auto& role : user->roles) {
    if (std::find(roles->begin(), roles->end(), role) != roles->end()) return true;
  }
  return false;
}

}  // namespace hostsdk::mock::detail
