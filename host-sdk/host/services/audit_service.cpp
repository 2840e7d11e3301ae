// Audit events to storage. Field lengths are bounded so a hostile client address or reason
// cannot bloat the trail.
#include "services/audit_service.h"

#include <string>

namespace host {
namespace {

constexpr std::size_t kMaxFieldLength = 256;

std::string bounded(std::string_view field) {
  return std::string(field.substr(0, kMaxFieldLength));
}

}  // namespace

Status AuditService::record(const hostsdk::AuditEvent& event) noexcept {
  try {
    if (event.workspace.empty() || event.action.empty()) {
      return Status::Invalid("audit event needs a workspace and an action");
    }
    AuditRecord record;
    record.time_ms = clock_.now_ms();
    record.workspace = bounded(event.workspace);
    record.action = bounded(event.action);
    record.caller_id = bounded(event.caller_id);
    record.target_id = bounded(event.target_id);
    record.client_address = bounded(event.client_address);
    record.outcome = bounded(event.outcome);
    record.reason = bounded(event.reason);
    return storage_.append_audit(record);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("audit: ") + e.what());
  }
}

}  // namespace host
