// The order of evaluation of spec §2, one early return per step. Permission is decided
// before the lookup so that an unprivileged caller cannot probe which usernames exist.
#include "decision.h"

#include "create_token/create_token_plugin.h"
#include "gate.h"
#include "protected_roles.h"
#include "request_body.h"
#include "target.h"

namespace create_token {

std::string_view reason_code(Reason reason) noexcept {
  switch (reason) {
    case Reason::kInvalidParams:
      return "invalid-params";
    case Reason::kNoTarget:
      return "no-target";
    case Reason::kGateClosed:
      return "gate-closed";
    case Reason::kSecretMismatch:
      return "secret-mismatch";
    case Reason::kPermissionMissing:
      return "permission-missing";
    case Reason::kUnknownUser:
      return "unknown-user";
    case Reason::kDeactivated:
      return "deactivated";
    case Reason::kProtectedTarget:
      return "protected-target";
  }
  return "unknown";
}

ErrorKind error_for(Reason reason) noexcept {
  switch (reason) {
    case Reason::kInvalidParams:
      return ErrorKind::kInvalidParams;
    case Reason::kNoTarget:
      return ErrorKind::kUserParamNotProvided;
    case Reason::kUnknownUser:
      return ErrorKind::kInvalidUser;
    case Reason::kDeactivated:
      return ErrorKind::kUserNotActivated;
    case Reason::kGateClosed:
    case Reason::kSecretMismatch:
    case Reason::kPermissionMissing:
    case Reason::kProtectedTarget:
      return ErrorKind::kNotAuthorized;
  }
  return ErrorKind::kNotAuthorized;
}

Decision decide(hostsdk::Host& host, const hostsdk::Request& request) {
  const hostsdk::Caller& caller = *request.caller;
  const std::string_view workspace = request.workspace;

  auto body = parse_request_body(request.body);
  if (!body.ok()) return Refusal{Reason::kInvalidParams, body.status().message(), {}};

  const auto target = select_target(body.value());
  if (!target) return Refusal{Reason::kNoTarget, {}, {}};

  const auto gate = check_gate(host.settings(), workspace, body.value().secret);
  if (!gate.ok()) return ServiceFailure{"settings", gate.status()};
  if (gate.value() == GateDecision::kSecretMismatch)
    return Refusal{Reason::kSecretMismatch, {}, {}};
  if (gate.value() == GateDecision::kClosed) return Refusal{Reason::kGateClosed, {}, {}};

  if (!is_self(*target, caller)) {
    const auto allowed =
        host.authorization().has_permission(workspace, caller.user_id, kPermission);
    if (!allowed.ok()) return ServiceFailure{"authorization", allowed.status()};
    if (!allowed.value()) return Refusal{Reason::kPermissionMissing, {}, {}};
  }

  auto user = target->kind == TargetKind::kUserId
                  ? host.users().find_by_id(workspace, target->value)
                  : host.users().find_by_username(workspace, target->value);
  if (!user.ok()) {
    if (user.status().code() == hostsdk::StatusCode::kNotFound) {
      return Refusal{Reason::kUnknownUser, {}, {}};
    }
    return ServiceFailure{"users", user.status()};
  }
  if (!user.value().active) return Refusal{Reason::kDeactivated, {}, user.value().id};

  if (user.value().id != caller.user_id) {
    const auto roles = protected_roles(host.settings(), workspace);
    if (!roles.ok()) return ServiceFailure{"settings", roles.status()};
    if (holds_any_role(user.value(), roles.value())) {
      return Refusal{Reason::kProtectedTarget, {}, user.value().id};
    }
  }
  return Approval{std::move(user).value()};
}

}  // namespace create_token
