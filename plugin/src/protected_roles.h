// The workspace setting protectedRoles: roles whose holders only they themselves may mint
// tokens for (spec §2 step 7). Stored as a JSON array of names; a comma list is tolerated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/services.h"

namespace create_token {

inline constexpr std::string_view kProtectedRolesSetting = "protectedRoles";

// `["admin","bot"]`, `admin, bot` and `""` all parse; unusable entries are skipped.
std::vector<std::string> parse_protected_roles(std::string_view text);

// The configured roles (none when unset); fails only when the settings service does.
hostsdk::Result<std::vector<std::string>> protected_roles(hostsdk::Settings& settings,
                                                          std::string_view workspace);

bool holds_any_role(const hostsdk::UserInfo& user, const std::vector<std::string>& roles) noexcept;

}  // namespace create_token
