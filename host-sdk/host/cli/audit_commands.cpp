// rchost audit list: the durable audit trail, newest last, as tab-separated text or one
// JSON object per line (--json).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {

int run_audit_list(const AuditListOptions& o) {
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  AuditFilter filter;
  filter.workspace = o.storage.workspace;
  filter.limit = o.limit;
  auto records = services->storage().list_audit(filter);
  if (!records.ok()) return report_failure("audit list", records.status());
  // Storage answers newest first (so --limit keeps the newest); print them oldest first.
  for (auto it = records->rbegin(); it != records->rend(); ++it) {
    const AuditRecord& r = *it;
    if (o.json) {
      std::cout << nlohmann::json{{"id", r.id},
                                  {"time_ms", r.time_ms},
                                  {"workspace", r.workspace},
                                  {"action", r.action},
                                  {"caller_id", r.caller_id},
                                  {"target_id", r.target_id},
                                  {"client_address", r.client_address},
                                  {"outcome", r.outcome},
                                  {"reason", r.reason}}
                       .dump()
                << "\n";
    } else {
      std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", r.id, r.time_ms, r.workspace,
                               r.action, r.caller_id, r.target_id.empty() ? "-" : r.target_id,
                               r.client_address, r.outcome, r.reason.empty() ? "-" : r.reason);
    }
  }
  return kExitOk;
}

}  // namespace host::cli
