// rchost audit list: the durable audit trail, newest last, as tab-separated text or one
// JSON object per line (--json), filtered by caller, target, outcome and time in storage.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/time_text.h"

namespace host::cli {
namespace {

// What hostsdk::AuditEvent::outcome may be.
constexpr std::array<std::string_view, 3> kOutcomes = {"issued", "refused", "failed"};

// A user id as given, or the id of the user of that name when a workspace is chosen.
Result<std::string> user_id_of(Storage& storage, const std::string& workspace,
                               const std::string& user) {
  if (user.empty() || workspace.empty()) return user;
  auto found = storage.find_user_by_username(workspace, user);
  if (found.ok()) return found->id;
  if (found.status().code() == hostsdk::StatusCode::kNotFound) return user;
  return found.status();
}

}  // namespace

int run_audit_list(const AuditListOptions& o) {
  if (!o.outcome.empty() &&
      std::find(kOutcomes.begin(), kOutcomes.end(), o.outcome) == kOutcomes.end()) {
    std::cerr << "rchost: audit list: --outcome \"" << o.outcome
              << "\" is not one of issued, refused, failed\n";
    return kExitUsage;
  }
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  AuditFilter filter;
  filter.workspace = o.storage.workspace;
  filter.limit = o.limit;
  filter.outcome = o.outcome;
  if (!o.since.empty()) {
    auto since = parse_time(o.since, services->clock().now_ms());
    if (!since) {
      std::cerr << "rchost: audit list: --since \"" << o.since
                << "\" is neither an ISO-8601 time (2024-05-01T12:00:00Z) nor an age (30m, 1h, "
                   "7d)\n";
      return kExitUsage;
    }
    filter.since_ms = *since;
  }
  auto caller = user_id_of(services->storage(), o.storage.workspace, o.caller);
  if (!caller.ok()) return report_failure("audit list", caller.status());
  filter.caller_id = *caller;
  auto target = user_id_of(services->storage(), o.storage.workspace, o.target);
  if (!target.ok()) return report_failure("audit list", target.status());
  filter.target_id = *target;

  auto records = services->storage().list_audit(filter);
  if (!records.ok()) return report_failure("audit list", records.status());
  // Storage answers newest first (so --limit keeps the newest); print them oldest first.
  for (auto it = records->rbegin(); it != records->rend(); ++it) {
    const AuditRecord& r = *it;
    if (o.json) {
      std::cout << nlohmann::json{{"id", r.id},
                                  {"time_ms", r.time_ms},
                                  {"time", iso8601_utc(r.time_ms)},
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
