// Route and permission registration for the mock host. A second registration of the same
// route or permission is a kConflict, as it would be on a real host.
#include "mock_registry.h"

namespace hostsdk::mock::detail {

Status MockRegistry::add_route(const RouteSpec& spec, RouteHandler& handler) noexcept {
  std::lock_guard lock(state_.mutex);
  for (const auto& route : state_.routes) {
    if (route.method == spec.method && route.path == spec.path) {
      return Status::Conflict("route already registered");
    }
  }
  state_.routes.push_back(RegisteredRoute{std::string(spec.method), std::string(spec.path),
                                          spec.requires_auth, &handler});
  return Status::Ok();
}

Status MockRegistry::add_permission(std::string_view id,
                                    const std::vector<std::string>& default_roles) noexcept {
  std::lock_guard lock(state_.mutex);
  for (const auto& permission : state_.permissions) {
    if (permission.id == id) return Status::Conflict("permission already registered");
  }
  state_.permissions.push_back(RegisteredPermission{std::string(id), default_roles});
  state_.default_permission_roles[std::string(id)] = default_roles;
  return Status::Ok();
}

std::optional<RegisteredRoute> MockRegistry::find_route(std::string_view method,
                                                        std::string_view path) const noexcept {
  std::lock_guard lock(state_.mutex);
  for (const auto& route : state_.routes) {
    if (route.method == method && route.path == path) return route;
  }
  return std::nullopt;
}

}  // namespace hostsdk::mock::detail
