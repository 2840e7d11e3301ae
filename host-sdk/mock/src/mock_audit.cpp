// Records audit events; the views in AuditEvent die with the plugin's call, so every
// field is copied.
#include "mock_audit.h"

namespace hostsdk::mock::detail {

Status MockAudit::record(const AuditEvent& event) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kAudit)) {
    return Status::Unavailable("audit: storage unavailable");
  }
  RecordedAuditEvent copy;
  copy.time_ms = state_.now_ms;
  copy.workspace = std::string(event.workspace);
  copy.action = std::string(event.action);
  copy.caller_id = std::string(event.caller_id);
  copy.target_id = std::string(event.target_id);
  copy.client_address = std::string(event.client_address);
  copy.outcome = std::string(event.outcome);
  copy.reason = std::string(event.reason);
  state_.audit.push_back(std::move(copy));
  return Status::Ok();
}

}  // namespace hostsdk::mock::detail
