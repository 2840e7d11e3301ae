// rchost plugin enable | disable: per workspace, without a restart (a running host sees
// the change within a second). Plugins are enabled wherever this was never set.
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {

int run_plugin_enable(const StorageOptions& storage, const std::string& plugin_id, bool enabled) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("plugin", s);
  }
  Status s = services->storage().set_plugin_enabled(storage.workspace, plugin_id, enabled);
  if (!s.ok()) return report_failure("plugin " + plugin_id, s);
  return kExitOk;
}

}  // namespace host::cli
