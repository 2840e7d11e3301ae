// Login (Argon2id verification, then a session) and user creation (random id, Argon2id hash).
// Failed logins all look the same to the caller, including in how long they take.
#include "services/accounts.h"

#include "services/crypto.h"
#include "services/users_service.h"

namespace host {
namespace {

constexpr std::size_t kMaxUsernameLength = 64;
constexpr std::size_t kMaxNameLength = 256;
constexpr std::size_t kMaxPasswordLength = 1024;
constexpr std::size_t kMaxRoleLength = 64;
constexpr int kIdAttempts = 3;

Status login_failed() { return Status::NotFound("login failed"); }

bool has_control_character(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status validate_new_user(std::string_view username, std::string_view name,
                         std::string_view password, const std::vector<std::string>& roles) {
  if (!valid_username(username)) {
    return Status::Invalid("username must be 1 to 64 characters of [0-9A-Za-z._-]");
  }
  if (name.size() > kMaxNameLength || has_control_character(name)) {
    return Status::Invalid("name is too long or contains control characters");
  }
  if (password.size() > kMaxPasswordLength) return Status::Invalid("password is too long");
  for (const auto& role : roles) {
    if (role.empty() || role.size() > kMaxRoleLength || has_control_character(role)) {
      return Status::Invalid("role names must be 1 to 64 printable characters");
    }
  }
  return Status::Ok();
}

}  // namespace

bool valid_username(std::string_view username) noexcept {
  if (username.empty() || username.size() > kMaxUsernameLength) return false;
  for (char c : username) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<UserRecord> Accounts::find_for_login(std::string_view workspace, std::string_view login) {
  auto by_name = storage_.find_user_by_username(workspace, login);
  if (by_name.ok() || by_name.status().code() != hostsdk::StatusCode::kNotFound) return by_name;
  return storage_.find_user_by_id(workspace, login);
}

Result<LoginResult> Accounts::login(std::string_view workspace, std::string_view login,
                                    std::string_view password) {
  if (workspace.empty() || login.empty() || password.size() > kMaxPasswordLength) {
    return login_failed();
  }
  auto user = find_for_login(workspace, login);
  if (!user.ok()) {
    if (user.status().code() != hostsdk::StatusCode::kNotFound) return user.status();
    crypto::spend_password_check(password);
    return login_failed();
  }
  if (user->password_hash.empty()) {
    crypto::spend_password_check(password);
    return login_failed();
  }
  if (!crypto::verify_password(user->password_hash, password) || !user->active) {
    return login_failed();
  }
  auto token = sessions_.issue(workspace, user->id);
  if (!token.ok()) {
    // Deactivated or deleted between the check and the issue: still just a failed login.
    auto code = token.status().code();
    if (code == hostsdk::StatusCode::kNotFound || code == hostsdk::StatusCode::kPermissionDenied) {
      return login_failed();
    }
    return token.status();
  }
  return LoginResult{to_user_info(user.value()), std::move(token).value()};
}

Result<std::string> Accounts::add_user(std::string_view workspace, std::string_view username,
                                       std::string_view name, std::string_view password,
                                       const std::vector<std::string>& roles) {
  if (workspace.empty()) return Status::Invalid("workspace is empty");
  Status valid = validate_new_user(username, name, password, roles);
  if (!valid.ok()) return valid;
  UserRecord user;
  user.workspace = std::string(workspace);
  user.username = std::string(username);
  user.name = name.empty() ? user.username : std::string(name);
  user.roles = roles;
  user.active = true;
  user.created_ms = clock_.now_ms();
  if (!password.empty()) {  // no password: the user can hold tokens but cannot log in
    auto hashed = crypto::hash_password(password);
    if (!hashed.ok()) return hashed.status();
    user.password_hash = std::move(hashed).value();
  }
  for (int attempt = 0;; ++attempt) {
    user.id = crypto::new_user_id();
    Status added = storage_.add_user(user);
    if (added.ok()) return user.id;
    if (added.code() != hostsdk::StatusCode::kConflict) return added;
    // A conflict is nearly always the username; an id collision (55^17 ids) gets a retry.
    auto same_id = storage_.find_user_by_id(workspace, user.id);
    if (!same_id.ok() || attempt + 1 >= kIdAttempts) {
      return Status::Conflict("username '" + user.username + "' is already taken");
    }
  }
}

}  // namespace host
