// hostsdk::Sessions in memory: tokens stored only as base64 SHA-256, expiry from the
// Accounts_LoginExpiration setting, per-user cap from MAX_RESUME_LOGIN_TOKENS.
#pragma once

#include <optional>

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

inline constexpr double kDefaultLoginExpirationDays = 90;
inline constexpr std::size_t kDefaultMaxResumeTokens = 50;

class MockSessions final : public Sessions {
 public:
  explicit MockSessions(MockState& state) : state_(state) {}

  Result<std::string> issue(std::string_view workspace, std::string_view user_id) noexcept override;
  Result<UserInfo> verify(std::string_view workspace, std::string_view user_id,
                          std::string_view token) noexcept override;
  Status revoke(std::string_view workspace, std::string_view user_id,
                std::string_view token) noexcept override;

  // The host's own caller authentication: ignores injected failures.
  std::optional<UserInfo> authenticate(std::string_view workspace, std::string_view user_id,
                                       std::string_view token) noexcept;

 private:
  const UserInfo* verify_locked(std::string_view workspace, std::string_view user_id,
                                std::string_view token) const;

  MockState& state_;
};

// Setting text → days; a value that is not a number or is <= 0 means the default.
double login_expiration_days(const std::optional<std::string>& text) noexcept;
// Environment text → cap; a value that is not a positive integer means the default.
std::size_t max_resume_tokens(const std::optional<std::string>& text) noexcept;

}  // namespace hostsdk::mock::detail
