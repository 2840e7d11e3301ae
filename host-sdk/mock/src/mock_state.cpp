// Lookups over the mock host's tables; callers hold MockState::mutex.
// Settings resolve workspace value, then environment, then default, as a real host does.
#include "mock_state.h"

namespace hostsdk::mock::detail {

WorkspaceData& MockState::workspace(std::string_view id) {
  auto it = workspaces.find(id);
  if (it == workspaces.end()) it = workspaces.emplace(std::string(id), WorkspaceData{}).first;
  return it->second;
}

const WorkspaceData* MockState::find_workspace(std::string_view id) const {
  auto it = workspaces.find(id);
  return it == workspaces.end() ? nullptr : &it->second;
}

const UserInfo* MockState::find_user(std::string_view ws, std::string_view user_id) const {
  const WorkspaceData* data = find_workspace(ws);
  if (data == nullptr) return nullptr;
  auto it = data->users_by_id.find(user_id);
  return it == data->users_by_id.end() ? nullptr : &it->second;
}

const UserInfo* MockState::find_username(std::string_view ws, std::string_view username) const {
  const WorkspaceData* data = find_workspace(ws);
  if (data == nullptr) return nullptr;
  for (const auto& [id, user] : data->users_by_id) {
    if (ascii_iequals(user.username, username)) return &user;
  }
  return nullptr;
}

std::optional<std::string> MockState::resolve_setting(std::string_view ws,
                                                      std::string_view name) const {
  if (const WorkspaceData* data = find_workspace(ws)) {
    if (auto it = data->settings.find(name); it != data->settings.end()) return it->second;
  }
  if (auto it = environment.find(name); it != environment.end()) return it->second;
  if (auto it = setting_defaults.find(name); it != setting_defaults.end()) return it->second;
  return std::nullopt;
}

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string counter_key(std::string_view name, std::string_view labels) {
  std::string key(name);
  if (!labels.empty()) {
    key += '{';
    key += labels;
    key += '}';
  }
  return key;
}

}  // namespace hostsdk::mock::detail
