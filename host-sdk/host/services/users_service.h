// The SDK's Users service: lookups by id (exact) or username (ASCII case ignored), always
// inside one workspace. Password hashes never leave storage through it.
#pragma once

#include "hostsdk/services.h"
#include "storage/storage.h"

namespace host {

hostsdk::UserInfo to_user_info(const UserRecord& record);

class UsersService final : public hostsdk::Users {
 public:
  explicit UsersService(Storage& storage) : storage_(storage) {}

  Result<hostsdk::UserInfo> find_by_id(std::string_view workspace,
                                       std::string_view user_id) noexcept override;
  Result<hostsdk::UserInfo> find_by_username(std::string_view workspace,
                                             std::string_view username) noexcept override;

 private:
  Storage& storage_;
};

}  // namespace host
