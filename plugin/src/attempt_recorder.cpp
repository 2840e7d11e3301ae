// Audit, metrics and logs for one attempt. Log lines name the caller, target, workspace
// and request id; the plain token and the secret are never passed in here.
#include "attempt_recorder.h"

#include <string>

namespace create_token {

namespace {

std::string label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + std::string(value) + "\"";
}

const char* status_code_name(hostsdk::StatusCode code) noexcept {
  switch (code) {
    case hostsdk::StatusCode::kOk:
      return "ok";
    case hostsdk::StatusCode::kNotFound:
      return "not-found";
    case hostsdk::StatusCode::kInvalidArgument:
      return "invalid-argument";
    case hostsdk::StatusCode::kPermissionDenied:
      return "permission-denied";
    case hostsdk::StatusCode::kConflict:
      return "conflict";
    case hostsdk::StatusCode::kUnavailable:
      return "unavailable";
    case hostsdk::StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace

hostsdk::Status AttemptRecorder::refused(std::string_view reason, std::string_view target_id) {
  auto status = audit("refused", reason, target_id);
  if (!status.ok()) return status;
  host_.metrics().count(kRefusalCounter, label("reason", reason), 1);
  log(hostsdk::LogLevel::kInfo, "refused (reason=" + std::string(reason) + ")", target_id);
  return status;
}

hostsdk::Status AttemptRecorder::issued(std::string_view target_id) {
  auto status = audit("issued", {}, target_id);
  if (!status.ok()) return status;
  host_.metrics().count(kIssuedCounter, {}, 1);
  log(hostsdk::LogLevel::kInfo, "issued a login token", target_id);
  return status;
}

void AttemptRecorder::failed(std::string_view service, const hostsdk::Status& status,
                             std::string_view target_id) {
  // Best effort: the failing service may well be the audit trail itself.
  (void)audit("refused", kUnavailableReason, target_id);
  host_.metrics().count(kUnavailableCounter, label("service", service), 1);
  log(hostsdk::LogLevel::kWarn,
      "answered 503: " + std::string(service) + " service failed (" +
          status_code_name(status.code()) + ": " + status.message() + ")",
      target_id);
}

hostsdk::Status AttemptRecorder::audit(std::string_view outcome, std::string_view reason,
                                       std::string_view target_id) {
  hostsdk::AuditEvent event;
  event.workspace = request_.workspace;
  event.action = kAuditAction;
  event.caller_id = request_.caller != nullptr ? request_.caller->user_id : std::string_view();
  event.target_id = target_id;
  event.client_address = request_.client_address;
  event.outcome = outcome;
  event.reason = reason;
  return host_.audit().record(event);
}

void AttemptRecorder::log(hostsdk::LogLevel level, std::string_view what,
                          std::string_view target_id) {
  std::string line = "users.createToken ";
  line += what;
  line += " caller=";
  line += request_.caller != nullptr ? request_.caller->user_id : std::string_view("-");
  line += " target=";
  line += target_id.empty() ? std::string_view("-") : target_id;
  line += " workspace=";
  line += request_.workspace;
  line += " request=";
  line += request_.request_id;
  host_.logger().log(level, line);
}

}  // namespace create_token
