// The SDK's Authorization service: a user holds a permission when one of their roles is among
// the roles the workspace grants it. Declared permissions are seeded into every workspace.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "hostsdk/services.h"
#include "storage/storage.h"

namespace host {

class AuthorizationService final : public hostsdk::Authorization {
 public:
  explicit AuthorizationService(Storage& storage) : storage_(storage) {}

  Result<bool> has_permission(std::string_view workspace, std::string_view user_id,
                              std::string_view permission) noexcept override;

  // Remembers the defaults and seeds them into every existing workspace now; a workspace
  // created later is seeded on its first check. Seeding never overrides stored roles.
  Status declare(std::string_view permission, const std::vector<std::string>& default_roles);

 private:
  Result<std::vector<std::string>> roles_for(std::string_view workspace,
                                             std::string_view permission);

  Storage& storage_;
  std::shared_mutex declared_mutex_;
  std::map<std::string, std::vector<std::string>, std::less<>> declared_;
};

}  // namespace host
