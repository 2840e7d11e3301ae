// Permission checks: user's roles ∩ permission's roles, within one workspace.
// An unknown user, an inactive user or an undeclared permission simply holds nothing.
#include "services/authorization_service.h"

#include <algorithm>
#include <mutex>

namespace host {

Status AuthorizationService::declare(std::string_view permission,
                                     const std::vector<std::string>& default_roles) {
  {
    std::unique_lock lock(declared_mutex_);
    declared_.insert_or_assign(std::string(permission), default_roles);
  }
  auto workspaces = storage_.list_workspaces();
  if (!workspaces.ok()) return workspaces.status();
  for (const auto& workspace : workspaces.value()) {
    Status status = storage_.ensure_permission(workspace, permission, default_roles);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Result<std::vector<std::string>> AuthorizationService::roles_for(std::string_view workspace,
                                                                 std::string_view permission) {
  auto stored = storage_.permission_roles(workspace, permission);
  if (stored.ok() || stored.status().code() != hostsdk::StatusCode::kNotFound) return stored;
  std::vector<std::string> defaults;
  {
    std::shared_lock lock(declared_mutex_);
    auto found = declared_.find(permission);
    if (found == declared_.end()) return std::vector<std::string>();
    defaults = found->second;
  }
  // A workspace created after the declaration: seed it now so later edits have a row.
  Status seeded = storage_.ensure_permission(workspace, permission, defaults);
  if (!seeded.ok() && seeded.code() != hostsdk::StatusCode::kNotFound) return seeded;
  // Another process may have seeded different roles first; stored roles win.
  auto again = storage_.permission_roles(workspace, permission);
  if (again.ok()) return again;
  return defaults;
}

Result<bool> AuthorizationService::has_permission(std::string_view workspace,
                                                  std::string_view user_id,
                                                  std::string_view permission) noexcept {
  try {
    if (workspace.empty() || user_id.empty() || permission.empty()) return false;
    auto user = storage_.find_user_by_id(workspace, user_id);
    if (!user.ok()) {
      if (user.status().code() == hostsdk::StatusCode::kNotFound) return false;
      return user.status();
    }
    if (!user->active) return false;
    auto roles = roles_for(workspace, permission);
    if (!roles.ok()) return roles.status();
    for (const auto& role : user->roles) {
      if (std::find(roles->begin(), roles->end(), role) != roles->end()) return true;
    }
    return false;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("authorization: ") + e.what());
  }
}

}  // namespace host
