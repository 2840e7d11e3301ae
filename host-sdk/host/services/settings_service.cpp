// Settings lookup in precedence order. No cache: a value another process stores is seen on
// the next call, and one indexed read per lookup is cheap next to a request.
#include "services/settings_service.h"

#include <cstdlib>
#include <mutex>

namespace host {
namespace {

Result<std::string> from_environment(std::string_view name) {
  // getenv needs a terminated string; setting names are short, so no allocation for one.
  char buffer[128];
  if (name.empty() || name.size() >= sizeof buffer)
    return Status::NotFound("not in the environment");
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '=' || name[i] == '\0') return Status::NotFound("not an environment name");
    buffer[i] = name[i];
  }
  buffer[name.size()] = '\0';
  const char* value = std::getenv(buffer);
  if (value == nullptr) return Status::NotFound("not in the environment");
  return std::string(value);
}

}  // namespace

Result<std::string> SettingsService::get(std::string_view workspace,
                                         std::string_view name) noexcept {
  try {
    auto stored = storage_.get_setting(workspace, name);
    // Any other failure (storage down) must not fall through to a lower-precedence value.
    if (stored.ok() || stored.status().code() != hostsdk::StatusCode::kNotFound) return stored;
    if (from_environment_) {
      auto env = from_environment(name);
      if (env.ok()) return env;
    }
    std::shared_lock lock(defaults_mutex_);
    auto found = defaults_.find(name);
    if (found != defaults_.end()) return found->second;
    return Status::NotFound("setting '" + std::string(name) + "' has no value");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("settings: ") + e.what());
  }
}

void SettingsService::set_default(std::string_view name, std::string_view value) noexcept {
  try {
    std::unique_lock lock(defaults_mutex_);
    defaults_.insert_or_assign(std::string(name), std::string(value));
  } catch (const std::exception&) {
    // Out of memory while declaring a default: the setting stays without one.
  }
}

}  // namespace host
