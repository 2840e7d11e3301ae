// Records what a plugin registers during start().
// Duplicates are refused here so the manifest comparison can assume unique entries.
#include "loader/recording_registry.h"

namespace host::loader {

hostsdk::Status RecordingRegistry::add_route(const hostsdk::RouteSpec& spec,
                                             hostsdk::RouteHandler& handler) noexcept {
  try {
    std::lock_guard lock(mutex_);
    if (closed_) return hostsdk::Status::Invalid("routes can only be added during start()");
    for (const auto& r : routes_) {
      if (r.method == spec.method && r.path == spec.path) {
        return hostsdk::Status::Conflict("route registered twice");
      }
    }
    routes_.push_back(
        {std::string(spec.method), std::string(spec.path), spec.requires_auth, &handler});
    return hostsdk::Status::Ok();
  } catch (...) {
    return hostsdk::Status::Internal("out of memory");
  }
}

hostsdk::Status RecordingRegistry::add_permission(
    std::string_view id, const std::vector<std::string>& default_roles) noexcept {
  try {
    std::lock_guard lock(mutex_);
    if (closed_) return hostsdk::Status::Invalid("permissions can only be added during start()");
    for (const auto& p : permissions_) {
      if (p.id == id) return hostsdk::Status::Conflict("permission registered twice");
    }
    permissions_.push_back({std::string(id), default_roles});
    return hostsdk::Status::Ok();
  } catch (...) {
    return hostsdk::Status::Internal("out of memory");
  }
}

void RecordingRegistry::close() noexcept {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

std::vector<RegisteredRoute> RecordingRegistry::routes() const {
  std::lock_guard lock(mutex_);
  return routes_;
}

std::vector<RegisteredPermission> RecordingRegistry::permissions() const {
  std::lock_guard lock(mutex_);
  return permissions_;
}

}  // namespace host::loader
