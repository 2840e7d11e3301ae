// Settings of a workspace: stored workspace value, then process environment, then the default
// declared by a plugin manifest. Read live from storage on every call.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>

#include "hostsdk/services.h"
#include "storage/storage.h"

namespace host {

class SettingsService final : public hostsdk::Settings {
 public:
  SettingsService(Storage& storage, bool from_environment)
      : storage_(storage), from_environment_(from_environment) {}

  Result<std::string> get(std::string_view workspace, std::string_view name) noexcept override;
  void set_default(std::string_view name, std::string_view value) noexcept;

 private:
  Storage& storage_;
  bool from_environment_;
  std::shared_mutex defaults_mutex_;
  std::map<std::string, std::string, std::less<>> defaults_;
};

}  // namespace host
