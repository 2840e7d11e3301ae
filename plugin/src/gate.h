// The feature gate (spec §3): CREATE_TOKENS_FOR_USERS set to exactly "yes"/"true", or a
// non-empty CREATE_TOKENS_FOR_USERS_SECRET that the request's "secret" must then equal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hostsdk/services.h"

namespace create_token {

inline constexpr std::string_view kGateSetting = "CREATE_TOKENS_FOR_USERS";
inline constexpr std::string_view kSecretSetting = "CREATE_TOKENS_FOR_USERS_SECRET";

enum class GateDecision { kOpen, kClosed, kSecretMismatch };

// Fails only when the settings service does (a setting without value counts as unset).
hostsdk::Result<GateDecision> check_gate(hostsdk::Settings& settings, std::string_view workspace,
                                         const std::optional<std::string>& secret);

}  // namespace create_token
