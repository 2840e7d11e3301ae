// rchost workspace add | map-host | list.
// Host names are stored as given; the resolver ignores case and port when matching.
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {

int run_workspace_add(const StorageOptions& storage, const std::string& name,
                      const std::string& host) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = services->storage().add_workspace(name); !s.ok()) {
    return report_failure("workspace add " + name, s);
  }
  if (!host.empty()) {
    if (Status s = services->storage().map_host(host, name); !s.ok()) {
      return report_failure("workspace map-host " + host, s);
    }
  }
  return kExitOk;
}

int run_workspace_map_host(const StorageOptions& storage, const std::string& host,
                           const std::string& workspace) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), workspace); !s.ok()) {
    return report_failure("workspace map-host", s);
  }
  if (Status s = services->storage().map_host(host, workspace); !s.ok()) {
    return report_failure("workspace map-host " + host, s);
  }
  return kExitOk;
}

int run_workspace_list(const StorageOptions& storage) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto all = services->storage().list_workspaces();
  if (!all.ok()) return report_failure("workspace list", all.status());
  for (const auto& ws : all.value()) std::cout << ws << "\n";
  return kExitOk;
}

}  // namespace host::cli
