// rchost setting set | unset: workspace values, which win over the environment and the
// manifest defaults. A running host reads them on the next request.
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {

int run_setting_set(const StorageOptions& storage, const std::string& name,
                    const std::string& value) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("setting set", s);
  }
  if (Status s = services->storage().set_setting(storage.workspace, name, value); !s.ok()) {
    return report_failure("setting set " + name, s);
  }
  return kExitOk;
}

int run_setting_unset(const StorageOptions& storage, const std::string& name) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("setting unset", s);
  }
  Status s = services->storage().unset_setting(storage.workspace, name);
  if (!s.ok() && s.code() != hostsdk::StatusCode::kNotFound) {
    return report_failure("setting unset " + name, s);
  }
  return kExitOk;
}

}  // namespace host::cli
