// hostsdk::Users over the mock host's tables: exact id match, ASCII-case-insensitive
// username match, never across workspaces.
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockUsers final : public Users {
 public:
  explicit MockUsers(MockState& state) : state_(state) {}

  Result<UserInfo> find_by_id(std::string_view workspace,
                              std::string_view user_id) noexcept override;
  Result<UserInfo> find_by_username(std::string_view workspace,
                                    std::string_view username) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
