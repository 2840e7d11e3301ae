// The host's services over one Storage: the SDK services plugins call, plus what the host
// itself needs (workspace resolution, caller authentication, login, administration).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/services.h"
#include "services/clock.h"
#include "storage/storage.h"

namespace host {

struct ServicesConfig {
  std::string storage_url;  // "sqlite:/path/host.db"
  std::string default_workspace = "default";
  // Process environment is the default source of settings (CREATE_TOKENS_FOR_USERS, ...).
  bool settings_from_environment = true;
  // > 0: storage reads are cached (storage/cached_storage.h); a change made by another
  // process is seen within this time, one made through these services at once.
  std::chrono::milliseconds cache_ttl{0};
};

struct LoginResult {
  hostsdk::UserInfo user;
  std::string token;  // plain; never log it
};

// Authenticated caller, owned by the request being served.
struct AuthenticatedUser {
  hostsdk::UserInfo user;
};

class Services {
 public:
  virtual ~Services() = default;

  static Result<std::unique_ptr<Services>> open(const ServicesConfig& config,
                                                std::shared_ptr<Clock> clock);

  // SDK services handed to plugins.
  virtual hostsdk::Users& users() noexcept = 0;
  virtual hostsdk::Sessions& sessions() noexcept = 0;
  virtual hostsdk::Authorization& authorization() noexcept = 0;
  virtual hostsdk::Settings& settings() noexcept = 0;
  virtual hostsdk::Audit& audit() noexcept = 0;
  virtual hostsdk::Logger& logger() noexcept = 0;
  virtual hostsdk::Metrics& metrics() noexcept = 0;

  // Host-side operations.
  virtual Storage& storage() noexcept = 0;
  virtual const Clock& clock() const noexcept = 0;
  // Workspace of a Host header value (port stripped, case ignored); default when unmapped.
  virtual Result<std::string> resolve_workspace(std::string_view host_header) noexcept = 0;
  // kNotFound when the pair does not name a live session of an active user.
  virtual Result<hostsdk::UserInfo> authenticate(std::string_view workspace,
                                                 std::string_view user_id,
                                                 std::string_view token) noexcept = 0;
  // `login` is a username or id; kNotFound on any mismatch (no hint which part was wrong).
  virtual Result<LoginResult> login(std::string_view workspace, std::string_view login,
                                    std::string_view password) noexcept = 0;
  // Declares a setting default (from a plugin manifest) used when nothing else sets it.
  virtual void set_setting_default(std::string_view name, std::string_view value) noexcept = 0;
  // Declares a permission with its default roles (plugin registrations, host built-ins): seeded
  // now into every workspace and, for a workspace created later, on its first check. Never
  // overrides roles already stored for a workspace.
  virtual Status declare_permission(std::string_view permission,
                                    const std::vector<std::string>& default_roles) noexcept = 0;
  // Prometheus text exposition of every counter.
  virtual std::string render_metrics() const noexcept = 0;

  // Administration (CLI and tests).
  virtual Result<std::string> add_user(std::string_view workspace, std::string_view username,
                                       std::string_view name, std::string_view password,
                                       const std::vector<std::string>& roles) noexcept = 0;
};

}  // namespace host
