// Session tokens: 32 random bytes (base64url), stored only as base64(SHA-256), expiring after
// Accounts_LoginExpiration days, at most MAX_RESUME_LOGIN_TOKENS per user.
#include "services/sessions_service.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "services/crypto.h"
#include "services/users_service.h"

namespace host {
namespace {

constexpr double kDefaultExpirationDays = 90;
constexpr double kMaxExpirationDays = 36500;  // keeps now + expiry far from overflow
constexpr std::size_t kDefaultCap = 50;
constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Tokens are 43 characters; anything far longer is rejected before hashing.
constexpr std::size_t kMaxTokenLength = 256;

Status not_found() { return Status::NotFound("no live session for this user and token"); }

}  // namespace

double login_expiration_days(const std::optional<std::string>& setting) noexcept {
  if (!setting) return kDefaultExpirationDays;
  const std::string& text = *setting;
  double days = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(days) || days <= 0) {
    return kDefaultExpirationDays;
  }
  return std::min(days, kMaxExpirationDays);
}

std::int64_t session_expires_ms(std::int64_t created_ms,
                                const std::optional<std::string>& setting) noexcept {
  return created_ms +
         static_cast<std::int64_t>(std::llround(login_expiration_days(setting) * kDayMs));
}

std::size_t session_cap(const std::optional<std::string>& setting) noexcept {
  if (!setting) return kDefaultCap;
  const std::string& text = *setting;
  std::size_t cap = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cap);
  if (ec != std::errc() || end != text.data() + text.size() || cap == 0) return kDefaultCap;
  return cap;
}

Result<std::optional<std::string>> optional_setting(hostsdk::Settings& settings,
                                                    std::string_view workspace,
                                                    std::string_view name) {
  auto value = settings.get(workspace, name);
  if (value.ok()) return std::optional<std::string>(value.value());
  if (value.status().code() == hostsdk::StatusCode::kNotFound) {
    return std::optional<std::string>();
  }
  return value.status();
}

Result<std::string> SessionsService::issue(std::string_view workspace,
                                           std::string_view user_id) noexcept {
  try {
    return issue_unguarded(workspace, user_id);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("sessions: ") + e.what());
  }
}

Result<std::string> SessionsService::issue_unguarded(std::string_view workspace,
                                                     std::string_view user_id) {
  if (workspace.empty() || user_id.empty()) return Status::NotFound("no such user");
  auto user = storage_.find_user_by_id(workspace, user_id);
  if (!user.ok()) return user.status();
  // A token for an inactive user could never verify; refuse rather than mint it.
  if (!user->active) return Status::Denied("user is not active");
  auto expiration = optional_setting(settings_, workspace, "Accounts_LoginExpiration");
  if (!expiration.ok()) return expiration.status();
  auto cap = optional_setting(settings_, workspace, "MAX_RESUME_LOGIN_TOKENS");
  if (!cap.ok()) return cap.status();

  std::string token = crypto::new_session_token();
  SessionRecord session;
  session.workspace = std::string(workspace);
  session.user_id = std::string(user_id);
  session.token_hash = crypto::token_hash(token);
  session.created_ms = clock_.now_ms();
  session.expires_ms = session_expires_ms(session.created_ms, *expiration);
  Status stored = storage_.add_session(session, session_cap(*cap));
  if (!stored.ok()) return stored;
  return token;
}

Result<hostsdk::UserInfo> SessionsService::verify(std::string_view workspace,
                                                  std::string_view user_id,
                                                  std::string_view token) noexcept {
  try {
    return verify_unguarded(workspace, user_id, token);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("sessions: ") + e.what());
  }
}

Result<hostsdk::UserInfo> SessionsService::verify_unguarded(std::string_view workspace,
                                                            std::string_view user_id,
                                                            std::string_view token) {
  if (workspace.empty() || user_id.empty() || token.empty() || token.size() > kMaxTokenLength) {
    return not_found();
  }
  std::string hash = crypto::token_hash(token);
  auto session = storage_.find_session(workspace, user_id, hash);
  if (!session.ok()) {
    if (session.status().code() == hostsdk::StatusCode::kNotFound) return not_found();
    return session.status();
  }
  // The index lookup already matched; this guards against a backend with loose collation.
  if (!crypto::constant_time_equal(session->token_hash, hash)) return not_found();
  auto expiration = optional_setting(settings_, workspace, "Accounts_LoginExpiration");
  if (!expiration.ok()) return expiration.status();
  if (clock_.now_ms() >= session_expires_ms(session->created_ms, *expiration)) return not_found();
  auto user = storage_.find_user_by_id(workspace, user_id);
  if (!user.ok()) {
    if (user.status().code() == hostsdk::StatusCode::kNotFound) return not_found();
    return user.status();
  }
  if (!user->active) return not_found();
  return to_user_info(user.value());
}

Status SessionsService::revoke(std::string_view workspace, std::string_view user_id,
                               std::string_view token) noexcept {
  try {
    if (workspace.empty() || user_id.empty() || token.empty() || token.size() > kMaxTokenLength) {
      return not_found();
    }
    return storage_.delete_session(workspace, user_id, crypto::token_hash(token));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("sessions: ") + e.what());
  }
}

}  // namespace host
