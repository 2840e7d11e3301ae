// Parsing of protectedRoles. A malformed JSON array falls back to the comma-list reading
// (brackets and quotes stripped) so that a typo does not silently unprotect every role.
#include "protected_roles.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "text.h"

namespace create_token {

namespace {

void add_role(std::vector<std::string>& roles, std::string_view name) {
  name = trim_whitespace(name);
  while (!name.empty() && (name.front() == '"' || name.front() == '\'')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == '"' || name.back() == '\'')) name.remove_suffix(1);
  name = trim_whitespace(name);
  if (!name.empty()) roles.emplace_back(name);
}

std::vector<std::string> parse_comma_list(std::string_view text) {
  std::vector<std::string> roles;
  while (!text.empty() && (text.front() == '[')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ']')) text.remove_suffix(1);
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    add_role(roles, text.substr(start, comma - start));
    start = comma + 1;
  }
  return roles;
}

}  // namespace

std::vector<std::string> parse_protected_roles(std::string_view text) {
  text = trim_whitespace(text);
  if (text.empty()) return {};
  if (text.front() == '[' && is_valid_utf8(text)) {
    const auto document = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_array()) {
      std::vector<std::string> roles;
      for (const auto& entry : document) {
        if (entry.is_string()) add_role(roles, entry.get_ref<const std::string&>());
      }
      return roles;
    }
  }
  return parse_comma_list(text);
}

hostsdk::Result<std::vector<std::string>> protected_roles(hostsdk::Settings& settings,
                                                          std::string_view workspace) {
  auto text = settings.get(workspace, kProtectedRolesSetting);
  if (text.ok()) return parse_protected_roles(text.value());
  if (text.status().code() == hostsdk::StatusCode::kNotFound) return std::vector<std::string>{};
  return text.status();
}

bool holds_any_role(const hostsdk::UserInfo& user, const std::vector<std::string>& roles) noexcept {
  for (const auto& role : user.roles) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  return false;
}

}  // namespace create_token
