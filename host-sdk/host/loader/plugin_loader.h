// Loads plugins from a directory: manifest → exported descriptor → dlopen → descriptor
// checks → create/start → registrations match the manifest and collide with nothing.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loader/checks.h"
#include "loader/loaded_plugin.h"
#include "loader/refusal.h"
#include "services/services.h"

namespace host::loader {

struct LoadResult {
  std::unique_ptr<LoadedPlugin> plugin;  // set when loaded
  std::optional<Refusal> refusal;        // set when refused
  std::string name;                      // manifest id, or the directory name
};

class PluginLoader {
 public:
  explicit PluginLoader(Services& services) : services_(services) {}

  // Every subdirectory not starting with '.', in name order. Refusals (a directory without
  // manifest.json too) are logged, one line each, and skipped. `taken`: routes already served.
  // `outcomes`, when given, receives each directory's name and refusal (none when loaded).
  struct Outcome {
    std::string name;                // manifest id, or the directory name
    std::optional<Refusal> refusal;  // set when refused
  };
  PluginSet load_all(const std::filesystem::path& plugins_dir, std::set<RouteKey> taken,
                     std::vector<Outcome>* outcomes = nullptr);

  // One plugin directory; logs one line on refusal. Adds nothing to `taken`.
  LoadResult load_one(const std::filesystem::path& plugin_dir, const std::set<RouteKey>& taken,
                      const PluginSet* already_loaded = nullptr);

 private:
  Services& services_;
};

}  // namespace host::loader
