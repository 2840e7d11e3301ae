// How fuzz_create_token reads its input: a line of choice digits, four text lines (a header
// value and three setting values), then the request body. Seeds stay readable this way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rct_fuzz {

// Who calls, and how the mock host learns it.
enum class CallerMode {
  kTrustedAdmin,     // caller id given to the mock (role admin)
  kTrustedAlice,     // caller id given to the mock (role user)
  kTrustedCarol,     // a deactivated user: 401
  kTrustedStranger,  // a user of another workspace: 401
  kTokenAdmin,       // X-User-Id / X-Auth-Token with a fresh token
  kTokenAlice,
  kFuzzedToken,  // admin's id with the header value as token
  kNone,         // no credentials: 401
};
enum class GateMode { kUnset, kText, kTrue, kYes };
enum class SecretMode { kUnset, kText, kFixed, kEmpty };
enum class RolesMode { kUnset, kText, kAdminJson, kCommaList };

inline constexpr const char* kFixedSecret = "s3cret-fuzz-value";
inline constexpr unsigned kServiceCount = 5;  // bit i of failures: hostsdk::mock::MockService i

// Line 1, one digit per choice ('0' + n; any byte works, taken modulo the choice count):
//   caller, gate, settings source (0 workspace, 1 environment), secret, protectedRoles,
//   routes (7: disabled in the workspace), failures (below 32: bit mask of unavailable
//   services, users/sessions/authorization/settings/audit).
// Lines 2-5: a header value, the gate text, the secret text, the protectedRoles text.
// The rest is the body; @admin, @alice, @bob, @carol, @ops and @dave become user ids.
struct Scenario {
  CallerMode caller = CallerMode::kTrustedAdmin;
  GateMode gate = GateMode::kUnset;
  bool from_environment = false;
  SecretMode secret = SecretMode::kUnset;
  RolesMode roles = RolesMode::kUnset;
  bool routes_disabled = false;
  unsigned failures = 0;
  std::string header_value;
  std::string gate_text;
  std::string secret_text;
  std::string roles_text;
  std::string body;
};

Scenario decode_scenario(const std::uint8_t* data, std::size_t size);

}  // namespace rct_fuzz
