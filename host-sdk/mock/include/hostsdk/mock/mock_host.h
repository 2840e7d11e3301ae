// In-memory implementation of hostsdk::Host for plugin tests: users, sessions, roles,
// settings, audit, logs, metrics and routes in memory, plus a dispatch() that plays the host.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hostsdk/mock/mock_records.h"
#include "hostsdk/mock/mock_request.h"
#include "hostsdk/plugin.h"
#include "hostsdk/request.h"
#include "hostsdk/services.h"

namespace hostsdk::mock {

namespace detail {
struct MockState;
class MockUsers;
class MockSessions;
class MockAuthorization;
class MockSettings;
class MockAudit;
class MockLogger;
class MockMetrics;
class MockRegistry;
}  // namespace detail

// Thread-safe: services may be called from several threads at once. Administration and
// inspection methods are for the test's own thread and may throw std::invalid_argument.
class MockHost final : public Host {
 public:
  static constexpr const char* kDefaultWorkspace = "default";

  MockHost();
  ~MockHost();
  MockHost(const MockHost&) = delete;
  MockHost& operator=(const MockHost&) = delete;

  // hostsdk::Host
  Registry& registry() noexcept override;
  Users& users() noexcept override;
  Sessions& sessions() noexcept override;
  Authorization& authorization() noexcept override;
  Settings& settings() noexcept override;
  Audit& audit() noexcept override;
  Logger& logger() noexcept override;
  Metrics& metrics() noexcept override;

  // Clock (milliseconds since the epoch); starts at the system time.
  std::int64_t now_ms() const;
  void set_now_ms(std::int64_t now_ms);
  void advance_ms(std::int64_t delta_ms);

  // Users. Returns the generated 17-character id; throws on a duplicate username.
  std::string add_user(std::string_view workspace, std::string_view username,
                       const std::vector<std::string>& roles, bool active = true);
  void set_user_active(std::string_view workspace, std::string_view user_id, bool active);

  // Sessions, as stored: base64 SHA-256 hashes only, oldest first.
  std::vector<std::string> stored_token_hashes(std::string_view workspace,
                                               std::string_view user_id) const;
  std::size_t session_count(std::string_view workspace, std::string_view user_id) const;

  // Authorization: replaces, for one workspace, the roles holding a permission (the
  // defaults come from Registry::add_permission).
  void set_permission_roles(std::string_view workspace, std::string_view permission,
                            const std::vector<std::string>& roles);

  // Settings: a workspace value wins over the environment, which wins over the default.
  void set_setting(std::string_view workspace, std::string_view name, std::string_view value);
  void clear_setting(std::string_view workspace, std::string_view name);
  void set_env(std::string_view name, std::string_view value);
  void unset_env(std::string_view name);
  void set_setting_default(std::string_view name, std::string_view value);

  // Failure injection: calls to the service answer StatusCode::kUnavailable. The host's own
  // caller authentication in dispatch() is not affected.
  void set_unavailable(MockService service, bool unavailable);
  void set_storage_unavailable(bool unavailable);  // every storage-backed service
  // How many times a plugin called the service (failed calls included).
  std::uint64_t calls(MockService service) const;

  // Plugin enablement per workspace: a disabled workspace routes nothing (JSON 404).
  void set_routes_enabled(std::string_view workspace, bool enabled);

  // What the plugin left behind.
  std::vector<RecordedAuditEvent> audit_events() const;
  std::vector<LogLine> log_lines() const;
  std::string log_text() const;  // every line, newline-separated
  // Counter value; `labels` as passed to Metrics::count, e.g. reason="gate-closed".
  std::uint64_t counter(std::string_view name, std::string_view labels = {}) const;
  std::map<std::string, std::uint64_t> counters() const;  // keyed name or name{labels}
  std::vector<RegisteredRoute> routes() const;
  std::vector<RegisteredPermission> permissions() const;
  void clear_records();  // audit, logs, counters and call counts

  // Plays the host for one request: route lookup, caller authentication (401 when the
  // route requires it and the caller is unknown), the handler call inside an exception
  // guard (500 JSON and an error log line). Never throws.
  Response dispatch(const MockRequest& request) noexcept;
  Response dispatch(std::string_view method, std::string_view path, std::string_view workspace,
                    std::optional<std::string_view> caller_id, std::string_view body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) noexcept;

  // Bodies the mock answers with itself (exact text).
  static const char* not_logged_in_body() noexcept;
  static const char* not_found_body() noexcept;
  static const char* internal_error_body() noexcept;

 private:
  std::unique_ptr<detail::MockState> state_;
  std::unique_ptr<detail::MockUsers> users_;
  std::unique_ptr<detail::MockSessions> sessions_;
  std::unique_ptr<detail::MockAuthorization> authorization_;
  std::unique_ptr<detail::MockSettings> settings_;
  std::unique_ptr<detail::MockAudit> audit_;
  std::unique_ptr<detail::MockLogger> logger_;
  std::unique_ptr<detail::MockMetrics> metrics_;
  std::unique_ptr<detail::MockRegistry> registry_;
};

}  // namespace hostsdk::mock
