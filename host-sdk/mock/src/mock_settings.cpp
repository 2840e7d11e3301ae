// Mock settings lookup; the resolution order lives in MockState::resolve_setting so that
// the session service (login expiration) reads settings the same way.
#include "mock_settings.h"

namespace hostsdk::mock::detail {

Result<std::string> MockSettings::get(std::string_view workspace, std::string_view name) noexcept {
  std::lock_guard lock(state_.mutex);
  if (state_.enter(MockService::kSettings)) {
    return Status::Unavailable("settings: storage unavailable");
  }
  auto value = state_.resolve_setting(workspace, name);
  if (!value) return Status::NotFound("setting has no value");
  return std::move(*value);
}

}  // namespace hostsdk::mock::detail
