// hostsdk::Authorization in memory: a user holds a permission when one of their roles is
// mapped to it (workspace override, else the defaults given to Registry::add_permission).
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockAuthorization final : public Authorization {
 public:
  explicit MockAuthorization(MockState& state) : state_(state) {}

  Result<bool> has_permission(std::string_view workspace, std::string_view user_id,
                              std::string_view permission) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
