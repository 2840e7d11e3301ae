// Host-side account operations: password login and user creation. Login issues its token
// through the Sessions service, the same path plugins use.
#pragma once

#include <string>
#include <vector>

#include "services/clock.h"
#include "services/services.h"
#include "services/sessions_service.h"
#include "storage/storage.h"

namespace host {

// Rocket.Chat's default username rule: 1 to 64 of [0-9A-Za-z._-].
bool valid_username(std::string_view username) noexcept;

class Accounts {
 public:
  Accounts(Storage& storage, const Clock& clock, SessionsService& sessions)
      : storage_(storage), clock_(clock), sessions_(sessions) {}

  // `login` is a username (case ignored) or an id; kNotFound for any mismatch.
  Result<LoginResult> login(std::string_view workspace, std::string_view login,
                            std::string_view password);
  // Returns the new user's id; kConflict when the username is taken in that workspace.
  Result<std::string> add_user(std::string_view workspace, std::string_view username,
                               std::string_view name, std::string_view password,
                               const std::vector<std::string>& roles);

 private:
  Result<UserRecord> find_for_login(std::string_view workspace, std::string_view login);

  Storage& storage_;
  const Clock& clock_;
  SessionsService& sessions_;
};

}  // namespace host
