// Plain records the mock host keeps of what a plugin did: audit events, log lines,
// registered routes and permissions. Owned copies, safe to inspect after the call returns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hostsdk/plugin.h"
#include "hostsdk/services.h"

namespace hostsdk::mock {

// A service whose calls can be made to fail with StatusCode::kUnavailable.
enum class MockService : int { kUsers, kSessions, kAuthorization, kSettings, kAudit };

struct RecordedAuditEvent {
  std::int64_t time_ms = 0;
  std::string workspace;
  std::string action;
  std::string caller_id;
  std::string target_id;
  std::string client_address;
  std::string outcome;
  std::string reason;
};

struct LogLine {
  LogLevel level = LogLevel::kInfo;
  std::string message;
};

struct RegisteredRoute {
  std::string method;
  std::string path;
  bool requires_auth = true;
  RouteHandler* handler = nullptr;
};

struct RegisteredPermission {
  std::string id;
  std::vector<std::string> default_roles;
};

}  // namespace hostsdk::mock
