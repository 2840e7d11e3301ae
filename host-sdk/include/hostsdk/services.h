// The services a host offers to plugins. Every method is noexcept and reports through
// Status/Result; strings go in as views and come out as std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/request.h"
#include "hostsdk/status.h"

namespace hostsdk {

struct UserInfo {
  std::string id;  // 17-character Rocket.Chat-style id
  std::string username;
  std::string name;
  bool active = true;
  std::vector<std::string> roles;
};

// Lookups inside one workspace; a user of another workspace is never found.
class Users {
 public:
  // kNotFound when no such user.
  virtual Result<UserInfo> find_by_id(std::string_view workspace,
                                      std::string_view user_id) noexcept = 0;
  // Username match ignores ASCII case. kNotFound when no such user.
  virtual Result<UserInfo> find_by_username(std::string_view workspace,
                                            std::string_view username) noexcept = 0;

 protected:
  ~Users() = default;
};

// Login session tokens: the one code path shared by login and by plugins.
class Sessions {
 public:
  // Mints a new token for the user, stores only its hash, enforces expiry and the per-user
  // cap. Returns the plain token (43 chars, base64url); the caller must not log it. Inside a
  // route handler the host may defer the write to the request's commit (see Audit).
  virtual Result<std::string> issue(std::string_view workspace,
                                    std::string_view user_id) noexcept = 0;
  // kNotFound when the token is unknown, expired, revoked or the user is inactive.
  virtual Result<UserInfo> verify(std::string_view workspace, std::string_view user_id,
                                  std::string_view token) noexcept = 0;
  virtual Status revoke(std::string_view workspace, std::string_view user_id,
                        std::string_view token) noexcept = 0;

 protected:
  ~Sessions() = default;
};

class Authorization {
 public:
  // False (not an error) for an unknown or deactivated user.
  virtual Result<bool> has_permission(std::string_view workspace, std::string_view user_id,
                                      std::string_view permission) noexcept = 0;

 protected:
  ~Authorization() = default;
};

// Settings of a workspace: a stored workspace value wins, then the host's process
// environment, then the default the plugin's manifest declares.
class Settings {
 public:
  // kNotFound when the setting has no value anywhere. Array-typed settings (such as
  // protectedRoles) are returned as their JSON text, e.g. ["admin","bot"].
  virtual Result<std::string> get(std::string_view workspace,
                                  std::string_view name) noexcept = 0;

 protected:
  ~Settings() = default;
};

struct AuditEvent {
  std::string_view workspace;
  std::string_view action;  // e.g. "users.createToken"
  std::string_view caller_id;
  std::string_view target_id;  // empty when not resolved
  std::string_view client_address;
  std::string_view outcome;  // "issued", "refused", or "failed" (a service was unavailable)
  std::string_view reason;   // refusal reason code, empty on success
};

// Durable audit trail. Outside a route handler record() returns once the event is stored.
// Inside one, while other requests are in flight, the host may instead queue it: the
// request's writes (this event, a session from Sessions::issue) are then committed together,
// atomically, after the handler returns and before its response is sent; if that commit
// fails the host answers 503 instead, and nothing of the request is stored.
class Audit {
 public:
  virtual Status record(const AuditEvent& event) noexcept = 0;

 protected:
  ~Audit() = default;
};

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

class Logger {
 public:
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;

 protected:
  ~Logger() = default;
};

// Prometheus-style counters. `labels` is label text without braces, e.g. reason="gate-closed".
class Metrics {
 public:
  virtual void count(std::string_view name, std::string_view labels,
                     std::uint64_t delta) noexcept = 0;

 protected:
  ~Metrics() = default;
};

}  // namespace hostsdk
