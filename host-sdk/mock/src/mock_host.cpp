// MockHost construction, the Host interface, and the administration and inspection
// methods tests use to set up a scenario and read back what a plugin did.
#include "hostsdk/mock/mock_host.h"

#include <sodium.h>

#include <chrono>
#include <stdexcept>

#include "mock_audit.h"
#include "mock_authorization.h"
#include "mock_logger.h"
#include "mock_metrics.h"
#include "mock_registry.h"
#include "mock_sessions.h"
#include "mock_settings.h"
#include "mock_state.h"
#include "mock_users.h"
#include "random_ids.h"

namespace hostsdk::mock {

namespace {

std::int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

MockHost::MockHost() : state_(std::make_unique<detail::MockState>()) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  state_->now_ms = system_now_ms();
  users_ = std::make_unique<detail::MockUsers>(*state_);
  sessions_ = std::make_unique<detail::MockSessions>(*state_);
  authorization_ = std::make_unique<detail::MockAuthorization>(*state_);
  settings_ = std::make_unique<detail::MockSettings>(*state_);
  audit_ = std::make_unique<detail::MockAudit>(*state_);
  logger_ = std::make_unique<detail::MockLogger>(*state_);
  metrics_ = std::make_unique<detail::MockMetrics>(*state_);
  registry_ = std::make_unique<detail::MockRegistry>(*state_);
}

MockHost::~MockHost() = default;

Registry& MockHost::registry() noexcept { return *registry_; }
Users& MockHost::users() noexcept { return *users_; }
Sessions& MockHost::sessions() noexcept { return *sessions_; }
Authorization& MockHost::authorization() noexcept { return *authorization_; }
Settings& MockHost::settings() noexcept { return *settings_; }
Audit& MockHost::audit() noexcept { return *audit_; }
Logger& MockHost::logger() noexcept { return *logger_; }
Metrics& MockHost::metrics() noexcept { return *metrics_; }

std::int64_t MockHost::now_ms() const {
  std::lock_guard lock(state_->mutex);
  return state_->now_ms;
}

void MockHost::set_now_ms(std::int64_t now_ms) {
  std::lock_guard lock(state_->mutex);
  state_->now_ms = now_ms;
}

void MockHost::advance_ms(std::int64_t delta_ms) {
  std::lock_guard lock(state_->mutex);
  state_->now_ms += delta_ms;
}

std::string MockHost::add_user(std::string_view workspace, std::string_view username,
                               const std::vector<std::string>& roles, bool active) {
  std::lock_guard lock(state_->mutex);
  if (username.empty()) throw std::invalid_argument("add_user: empty username");
  if (state_->find_username(workspace, username) != nullptr) {
    throw std::invalid_argument("add_user: username already taken: " + std::string(username));
  }
  auto& data = state_->workspace(workspace);
  std::string id;
  do {
    id = detail::new_user_id();
  } while (data.users_by_id.count(id) != 0);
  UserInfo user;
  user.id = id;
  user.username = std::string(username);
  user.name = std::string(username);
  user.active = active;
  user.roles = roles;
  data.users_by_id.emplace(id, std::move(user));
  return id;
}

void MockHost::set_user_active(std::string_view workspace, std::string_view user_id, bool active) {
  std::lock_guard lock(state_->mutex);
  auto& users = state_->workspace(workspace).users_by_id;
  auto it = users.find(user_id);
  if (it == users.end()) throw std::invalid_argument("set_user_active: no such user");
  it->second.active = active;
}

std::vector<std::string> MockHost::stored_token_hashes(std::string_view workspace,
                                                       std::string_view user_id) const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> hashes;
  if (const auto* data = state_->find_workspace(workspace)) {
    for (const auto& row : data->sessions) {
      if (row.user_id == user_id) hashes.push_back(row.token_hash);
    }
  }
  return hashes;
}

std::size_t MockHost::session_count(std::string_view workspace, std::string_view user_id) const {
  return stored_token_hashes(workspace, user_id).size();
}

void MockHost::set_permission_roles(std::string_view workspace, std::string_view permission,
                                    const std::vector<std::string>& roles) {
  std::lock_guard lock(state_->mutex);
  state_->workspace(workspace).permission_roles[std::string(permission)] = roles;
}

void MockHost::set_setting(std::string_view workspace, std::string_view name,
                           std::string_view value) {
  std::lock_guard lock(state_->mutex);
  state_->workspace(workspace).settings[std::string(name)] = std::string(value);
}

void MockHost::clear_setting(std::string_view workspace, std::string_view name) {
  std::lock_guard lock(state_->mutex);
  auto& settings = state_->workspace(workspace).settings;
  if (auto it = settings.find(name); it != settings.end()) settings.erase(it);
}

void MockHost::set_env(std::string_view name, std::string_view value) {
  std::lock_guard lock(state_->mutex);
  state_->environment[std::string(name)] = std::string(value);
}

void MockHost::unset_env(std::string_view name) {
  std::lock_guard lock(state_->mutex);
  if (auto it = state_->environment.find(name); it != state_->environment.end()) {
    state_->environment.erase(it);
  }
}

void MockHost::set_setting_default(std::string_view name, std::string_view value) {
  std::lock_guard lock(state_->mutex);
  state_->setting_defaults[std::string(name)] = std::string(value);
}

void MockHost::set_unavailable(MockService service, bool unavailable) {
  std::lock_guard lock(state_->mutex);
  if (unavailable) {
    state_->unavailable.insert(service);
  } else {
    state_->unavailable.erase(service);
  }
}

void MockHost::set_storage_unavailable(bool unavailable) {
  for (auto service : {MockService::kUsers, MockService::kSessions, MockService::kAuthorization,
                       MockService::kSettings, MockService::kAudit}) {
    set_unavailable(service, unavailable);
  }
}

std::uint64_t MockHost::calls(MockService service) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->calls.find(service);
  return it == state_->calls.end() ? 0 : it->second;
}

void MockHost::set_routes_enabled(std::string_view workspace, bool enabled) {
  std::lock_guard lock(state_->mutex);
  state_->workspace(workspace).routes_enabled = enabled;
}

std::vector<RecordedAuditEvent> MockHost::audit_events() const {
  std::lock_guard lock(state_->mutex);
  return state_->audit;
}

std::vector<LogLine> MockHost::log_lines() const {
  std::lock_guard lock(state_->mutex);
  return state_->logs;
}

std::string MockHost::log_text() const {
  std::string text;
  for (const auto& line : log_lines()) {
    text += line.message;
    text += '\n';
  }
  return text;
}

std::uint64_t MockHost::counter(std::string_view name, std::string_view labels) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->counters.find(detail::counter_key(name, labels));
  return it == state_->counters.end() ? 0 : it->second;
}

std::map<std::string, std::uint64_t> MockHost::counters() const {
  std::lock_guard lock(state_->mutex);
  return {state_->counters.begin(), state_->counters.end()};
}

std::vector<RegisteredRoute> MockHost::routes() const {
  std::lock_guard lock(state_->mutex);
  return state_->routes;
}

std::vector<RegisteredPermission> MockHost::permissions() const {
  std::lock_guard lock(state_->mutex);
  return state_->permissions;
}

void MockHost::clear_records() {
  std::lock_guard lock(state_->mutex);
  state_->audit.clear();
  state_->logs.clear();
  state_->counters.clear();
  state_->calls.clear();
}

}  // namespace hostsdk::mock
