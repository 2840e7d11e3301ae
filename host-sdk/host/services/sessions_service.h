// The SDK's Sessions service: the one code path that mints, verifies and revokes login
// tokens, shared by POST /api/v1/login and by plugins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "hostsdk/services.h"
#include "services/clock.h"
#include "storage/storage.h"

namespace host {

// Accounts_LoginExpiration in days: a positive number, else 90 (missing, <= 0, not a number).
double login_expiration_days(const std::optional<std::string>& setting) noexcept;
// When a session issued at `created_ms` expires under Accounts_LoginExpiration as it is set
// now: a change of the setting applies to tokens already issued, as in Rocket.Chat.
std::int64_t session_expires_ms(std::int64_t created_ms,
                                const std::optional<std::string>& setting) noexcept;
// A workspace setting's value, or nullopt when it is set nowhere; other failures as they are.
Result<std::optional<std::string>> optional_setting(hostsdk::Settings& settings,
                                                    std::string_view workspace,
                                                    std::string_view name);
// MAX_RESUME_LOGIN_TOKENS: a positive integer, else 50.
std::size_t session_cap(const std::optional<std::string>& setting) noexcept;

class SessionsService final : public hostsdk::Sessions {
 public:
  SessionsService(Storage& storage, const Clock& clock, hostsdk::Settings& settings)
      : storage_(storage), clock_(clock), settings_(settings) {}

  Result<std::string> issue(std::string_view workspace, std::string_view user_id) noexcept override;
  Result<hostsdk::UserInfo> verify(std::string_view workspace, std::string_view user_id,
                                   std::string_view token) noexcept override;
  Status revoke(std::string_view workspace, std::string_view user_id,
                std::string_view token) noexcept override;

 private:
  Result<std::string> issue_unguarded(std::string_view workspace, std::string_view user_id);
  Result<hostsdk::UserInfo> verify_unguarded(std::string_view workspace, std::string_view user_id,
                                             std::string_view token);

  Storage& storage_;
  const Clock& clock_;
  hostsdk::Settings& settings_;
};

}  // namespace host
