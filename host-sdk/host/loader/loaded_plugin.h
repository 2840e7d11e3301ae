// One plugin that passed every check: its library, descriptor, instance and registrations.
// Teardown is explicit and ordered: stop() → destroy() → unload(); the destructor finishes it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hostsdk/descriptor.h"
#include "hostsdk/plugin.h"
#include "loader/host_adapter.h"
#include "loader/manifest.h"
#include "loader/recording_registry.h"

namespace boost::dll {
class shared_library;
}

namespace host::loader {

class LoadedPlugin {
 public:
  LoadedPlugin(Manifest manifest, std::filesystem::path directory,
               std::unique_ptr<boost::dll::shared_library> library,
               const hostsdk_descriptor* descriptor, std::unique_ptr<HostAdapter> host);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const Manifest& manifest() const noexcept { return manifest_; }
  const std::filesystem::path& directory() const noexcept { return directory_; }
  const hostsdk_descriptor& descriptor() const noexcept { return *descriptor_; }
  const std::vector<RegisteredRoute>& routes() const noexcept { return routes_; }
  const std::vector<RegisteredPermission>& permissions() const noexcept { return permissions_; }
  hostsdk::Plugin* instance() const noexcept { return instance_; }

  // Steps of loading, in order; used by the loader only.
  bool create() noexcept;
  // Runs plugin start() in a guard; on failure fills `error` and leaves the plugin stopped.
  bool start(std::string& error) noexcept;
  void close_registration() noexcept;

  // Teardown, each idempotent.
  void stop() noexcept;
  void destroy() noexcept;
  void unload() noexcept;

 private:
  Manifest manifest_;
  std::filesystem::path directory_;
  std::unique_ptr<boost::dll::shared_library> library_;
  const hostsdk_descriptor* descriptor_;
  std::unique_ptr<HostAdapter> host_;
  hostsdk::Plugin* instance_ = nullptr;
  bool started_ = false;
  std::vector<RegisteredRoute> routes_;
  std::vector<RegisteredPermission> permissions_;
};

// Every loaded plugin, torn down together in the order shutdown needs.
class PluginSet {
 public:
  PluginSet() = default;
  PluginSet(PluginSet&&) noexcept = default;
  PluginSet& operator=(PluginSet&&) noexcept = default;
  ~PluginSet();

  void add(std::unique_ptr<LoadedPlugin> plugin) { plugins_.push_back(std::move(plugin)); }
  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const noexcept { return plugins_; }
  const LoadedPlugin* find(std::string_view id) const noexcept;

  // stop() every plugin, then destroy() every plugin, then unload every library.
  void shutdown() noexcept;

 private:
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
};

}  // namespace host::loader
