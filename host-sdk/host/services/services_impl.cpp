// Services::open and the object that owns storage and every service for the host's lifetime.
// Each SDK service lives in its own file; this one only wires them together.
#include "services/accounts.h"
#include "services/audit_service.h"
#include "services/authorization_service.h"
#include "services/crypto.h"
#include "services/logger_service.h"
#include "services/metrics_service.h"
#include "services/services.h"
#include "services/sessions_service.h"
#include "services/settings_service.h"
#include "services/users_service.h"
#include "services/workspace_resolver.h"
#include "storage/cached_storage.h"

namespace host {
namespace {

// Host built-in permission: exempts holders from the rate limit (spec §7).
constexpr std::string_view kBypassRateLimit = "api-bypass-rate-limit";

template <typename T, typename F>
T guarded(std::string_view what, F&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return T(Status::Internal(std::string(what) + ": " + e.what()));
  }
}

class ServicesImpl final : public Services {
 public:
  ServicesImpl(const ServicesConfig& config, std::shared_ptr<Clock> clock,
               std::unique_ptr<Storage> storage)
      : clock_(std::move(clock)),
        storage_(std::move(storage)),
        users_(*storage_),
        settings_(*storage_, config.settings_from_environment),
        sessions_(*storage_, *clock_, settings_),
        authorization_(*storage_),
        audit_(*storage_, *clock_),
        resolver_(*storage_, config.default_workspace),
        accounts_(*storage_, *clock_, sessions_) {}

  hostsdk::Users& users() noexcept override { return users_; }
  hostsdk::Sessions& sessions() noexcept override { return sessions_; }
  hostsdk::Authorization& authorization() noexcept override { return authorization_; }
  hostsdk::Settings& settings() noexcept override { return settings_; }
  hostsdk::Audit& audit() noexcept override { return audit_; }
  hostsdk::Logger& logger() noexcept override { return logger_; }
  hostsdk::Metrics& metrics() noexcept override { return metrics_; }
  Storage& storage() noexcept override { return *storage_; }
  const Clock& clock() const noexcept override { return *clock_; }

  Result<std::string> resolve_workspace(std::string_view host_header) noexcept override {
    return guarded<Result<std::string>>("resolve workspace",
                                        [&] { return resolver_.resolve(host_header); });
  }

  Result<hostsdk::UserInfo> authenticate(std::string_view workspace, std::string_view user_id,
                                         std::string_view token) noexcept override {
    return sessions_.verify(workspace, user_id, token);
  }

  Result<LoginResult> login(std::string_view workspace, std::string_view login,
                            std::string_view password) noexcept override {
    return guarded<Result<LoginResult>>(
        "login", [&] { return accounts_.login(workspace, login, password); });
  }

  void set_setting_default(std::string_view name, std::string_view value) noexcept override {
    settings_.set_default(name, value);
  }

  Status declare_permission(std::string_view permission,
                            const std::vector<std::string>& default_roles) noexcept override {
    return guarded<Status>("declare permission",
                           [&] { return authorization_.declare(permission, default_roles); });
  }

  std::string render_metrics() const noexcept override {
    try {
      return metrics_.render();
    } catch (...) {
      return {};
    }
  }

  Result<std::string> add_user(std::string_view workspace, std::string_view username,
                               std::string_view name, std::string_view password,
                               const std::vector<std::string>& roles) noexcept override {
    return guarded<Result<std::string>>(
        "add user", [&] { return accounts_.add_user(workspace, username, name, password, roles); });
  }

  // Creates the default workspace and seeds the built-in permissions.
  Status start(const std::string& default_workspace) {
    Status added = storage_->add_workspace(default_workspace);
    if (!added.ok() && added.code() != hostsdk::StatusCode::kConflict) return added;
    return authorization_.declare(kBypassRateLimit, {"admin", "bot", "app"});
  }

 private:
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Storage> storage_;
  UsersService users_;
  SettingsService settings_;
  SessionsService sessions_;
  AuthorizationService authorization_;
  AuditService audit_;
  LoggerService logger_;
  MetricsService metrics_;
  WorkspaceResolver resolver_;
  Accounts accounts_;
};

}  // namespace

Result<std::unique_ptr<Services>> Services::open(const ServicesConfig& config,
                                                 std::shared_ptr<Clock> clock) {
  return guarded<Result<std::unique_ptr<Services>>>(
      "open services", [&]() -> Result<std::unique_ptr<Services>> {
        Status status = crypto::init();
        if (!status.ok()) return status;
        if (config.default_workspace.empty()) return Status::Invalid("default workspace is empty");
        auto storage = open_storage(config.storage_url);
        if (!storage.ok()) return storage.status();
        std::unique_ptr<Storage> store = std::move(storage).value();
        if (config.cache_ttl.count() > 0) {
          CacheOptions cache;
          cache.ttl = config.cache_ttl;
          store = make_cached_storage(std::move(store), cache);
        }
        if (clock == nullptr) clock = std::make_shared<SystemClock>();
        auto services = std::make_unique<ServicesImpl>(config, std::move(clock), std::move(store));
        status = services->start(config.default_workspace);
        if (!status.ok()) return status;
        return std::unique_ptr<Services>(std::move(services));
      });
}

}  // namespace host
