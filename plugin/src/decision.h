// The read-only part of users.createToken (spec §2 steps 2–7): from an authenticated
// request to "mint for this user", "refuse for this reason" or "a service failed".
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "hostsdk/plugin.h"
#include "responses.h"

namespace create_token {

enum class Reason {
  kInvalidParams,
  kNoTarget,
  kGateClosed,
  kSecretMismatch,
  kPermissionMissing,
  kUnknownUser,
  kDeactivated,
  kProtectedTarget,
};

// The code written to audit and metrics, e.g. "gate-closed".
std::string_view reason_code(Reason reason) noexcept;
// The error the caller sees for a refusal.
ErrorKind error_for(Reason reason) noexcept;

struct Approval {
  hostsdk::UserInfo target;
};

struct Refusal {
  Reason reason = Reason::kGateClosed;
  std::string detail;     // the problem, for kInvalidParams
  std::string target_id;  // when the target was looked up
};

struct ServiceFailure {
  std::string_view service;  // "settings", "users", ...
  hostsdk::Status status;
};

using Decision = std::variant<Approval, Refusal, ServiceFailure>;

// Requires request.caller. Looks the target up only once the caller may target them.
Decision decide(hostsdk::Host& host, const hostsdk::Request& request);

}  // namespace create_token
