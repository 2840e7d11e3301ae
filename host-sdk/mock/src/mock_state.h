// The mock host's in-memory tables, shared by every mock service. One mutex guards all of
// them; each service locks it for the duration of one call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/mock/mock_records.h"
#include "hostsdk/services.h"

namespace hostsdk::mock::detail {

struct SessionRow {
  std::string user_id;
  std::string token_hash;  // base64(SHA-256(token)); the plain token is never kept
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::uint64_t sequence = 0;  // orders sessions issued within the same millisecond
};

struct WorkspaceData {
  std::map<std::string, UserInfo, std::less<>> users_by_id;
  std::vector<SessionRow> sessions;
  std::map<std::string, std::string, std::less<>> settings;
  std::map<std::string, std::vector<std::string>, std::less<>> permission_roles;
  bool routes_enabled = true;
};

struct MockState {
  mutable std::mutex mutex;
  std::int64_t now_ms = 0;
  std::uint64_t next_sequence = 1;
  std::uint64_t next_request = 1;
  std::map<std::string, WorkspaceData, std::less<>> workspaces;
  std::map<std::string, std::string, std::less<>> environment;
  std::map<std::string, std::string, std::less<>> setting_defaults;
  std::map<std::string, std::vector<std::string>, std::less<>> default_permission_roles;
  std::set<MockService> unavailable;
  std::map<MockService, std::uint64_t> calls;  // every call, failed or not
  std::vector<RecordedAuditEvent> audit;
  std::vector<LogLine> logs;
  std::map<std::string, std::uint64_t, std::less<>> counters;
  std::vector<RegisteredRoute> routes;
  std::vector<RegisteredPermission> permissions;

  // All of these expect `mutex` to be held by the caller.
  WorkspaceData& workspace(std::string_view id);
  const WorkspaceData* find_workspace(std::string_view id) const;
  const UserInfo* find_user(std::string_view workspace, std::string_view user_id) const;
  const UserInfo* find_username(std::string_view workspace, std::string_view username) const;
  bool is_unavailable(MockService service) const { return unavailable.count(service) != 0; }
  // Counts the call and tells whether it must fail as injected.
  bool enter(MockService service) {
    ++calls[service];
    return is_unavailable(service);
  }
  std::optional<std::string> resolve_setting(std::string_view workspace,
                                             std::string_view name) const;
};

bool ascii_iequals(std::string_view a, std::string_view b) noexcept;
std::string counter_key(std::string_view name, std::string_view labels);

}  // namespace hostsdk::mock::detail
