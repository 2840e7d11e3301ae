// hostsdk::Registry that captures routes and permissions; permission default roles seed
// the mock authorization service.
#pragma once

#include "hostsdk/plugin.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockRegistry final : public Registry {
 public:
  explicit MockRegistry(MockState& state) : state_(state) {}

  Status add_route(const RouteSpec& spec, RouteHandler& handler) noexcept override;
  Status add_permission(std::string_view id,
                        const std::vector<std::string>& default_roles) noexcept override;

  // The route serving method + path, if any.
  std::optional<RegisteredRoute> find_route(std::string_view method,
                                            std::string_view path) const noexcept;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
