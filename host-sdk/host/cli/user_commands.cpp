// rchost user add | activate | deactivate | list.
// add prints only the new user's id on stdout, so scripts can capture it.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {

int run_user_add(const UserAddOptions& o) {
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), o.storage.workspace); !s.ok()) {
    return report_failure("user add", s);
  }
  std::string name = o.name.empty() ? o.username : o.name;
  auto id = services->add_user(o.storage.workspace, o.username, name, o.password, o.roles);
  if (!id.ok()) return report_failure("user add " + o.username, id.status());
  std::cout << id.value() << "\n";
  return kExitOk;
}

int run_user_set_active(const StorageOptions& storage, const std::string& username, bool active) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto user = services->storage().find_user_by_username(storage.workspace, username);
  if (!user.ok()) return report_failure("user " + username, user.status());
  Status s = services->storage().set_user_active(storage.workspace, user->id, active);
  if (!s.ok()) return report_failure("user " + username, s);
  return kExitOk;
}

int run_user_list(const StorageOptions& storage, bool json) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto users = services->storage().list_users(storage.workspace);
  if (!users.ok()) return report_failure("user list", users.status());
  for (const auto& u : users.value()) {
    if (json) {
      std::cout << nlohmann::json{{"_id", u.id},
                                  {"username", u.username},
                                  {"name", u.name},
                                  {"active", u.active},
                                  {"roles", u.roles}}
                       .dump()
                << "\n";
    } else {
      std::string roles;
      for (const auto& r : u.roles) roles += (roles.empty() ? "" : ",") + r;
      std::cout << u.id << "\t" << u.username << "\t" << (u.active ? "active" : "inactive") << "\t"
                << roles << "\n";
    }
  }
  return kExitOk;
}

}  // namespace host::cli
