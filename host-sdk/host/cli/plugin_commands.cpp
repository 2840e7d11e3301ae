// rchost plugin enable | disable | list. Enablement is per workspace, without a restart (a
// running host sees the change within a second); plugins are enabled wherever it was never
// set. list runs serve's loader on each plugin directory, against a scratch database.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "http/builtin_routes.h"
#include "loader/plugin_loader.h"

namespace host::cli {
namespace {

namespace fs = std::filesystem;

// A temporary data directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "rchost-plugin-list.XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct PluginRow {
  std::string directory;
  std::string id;
  std::string version;
  bool loaded = false;
  std::optional<loader::Refusal> refusal;
  std::string reason;   // the refusal as serve logs it: the check, both sides and the advice
  std::string enabled;  // "enabled", "disabled" or "enabled (default)"
};

// Every visible subdirectory, in name order: what PluginLoader::load_all walks.
std::vector<fs::path> plugin_directories(const fs::path& dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec) && entry.path().filename().string().rfind('.', 0) != 0) {
      dirs.push_back(entry.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

}  // namespace

fs::path plugins_directory(const std::string& flag) {
  if (!flag.empty()) return flag;
  boost::system::error_code ec;
  auto exe = boost::dll::program_location(ec);
  if (ec) return "plugins";
  return fs::path(exe.parent_path().string()) / "plugins";
}

int run_plugin_enable(const StorageOptions& storage, const std::string& plugin_id, bool enabled) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("plugin", s);
  }
  Status s = services->storage().set_plugin_enabled(storage.workspace, plugin_id, enabled);
  if (!s.ok()) return report_failure("plugin " + plugin_id, s);
  return kExitOk;
}

int run_plugin_list(const StorageOptions& storage, const std::string& plugins_dir, bool json) {
  const fs::path dir = plugins_directory(plugins_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "rchost: plugin list: plugin directory " << dir.string()
              << " does not exist (give it with --plugins DIR, RCHOST_PLUGINS_DIR or the "
                 "config file's plugins_dir)\n";
    return kExitNotFound;
  }
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("plugin list", s);
  }

  // The loader seeds permissions and setting defaults into the services it is given: a
  // scratch database keeps this command from writing anything to the real one.
  ScratchDir scratch;
  if (scratch.path().empty()) {
    std::cerr << "rchost: plugin list: cannot create a temporary directory\n";
    return kExitFailure;
  }
  StorageOptions scratch_storage;
  scratch_storage.data_dir = scratch.path();
  auto loader_services = open_services(scratch_storage, nullptr, code);
  if (!loader_services) return code;

  // Refusals are reported below, not logged; so is whatever plugins log while starting.
  spdlog::set_level(spdlog::level::off);

  // Routes the host owns, as serve has them when it loads plugins.
  http::HostMetrics metrics;
  http::RouteTable table;
  http::BuiltinRoutes builtins(*loader_services, metrics, nullptr);
  builtins.add_to(table);
  std::set<loader::RouteKey> taken;
  for (auto& key : table.keys()) taken.insert(key);

  loader::PluginLoader loader(*loader_services);
  loader::PluginSet loaded;
  std::vector<PluginRow> rows;
  for (const auto& plugin_dir : plugin_directories(dir)) {
    PluginRow row;
    row.directory = plugin_dir.filename().string();
    loader::LoadResult result = loader.load_one(plugin_dir, taken, &loaded);
    row.id = result.name.empty() ? row.directory : result.name;
    if (auto manifest = loader::read_manifest(plugin_dir / "manifest.json"); manifest.ok()) {
      row.version = manifest->version;
    }
    if (result.plugin) {
      row.loaded = true;
      for (const auto& r : result.plugin->routes()) taken.insert({r.method, r.path});
      loaded.add(std::move(result.plugin));
    } else if (result.refusal) {
      row.reason = loader::format_refusal(row.id, plugin_dir.string(), *result.refusal);
      row.refusal = result.refusal;
    }
    auto enabled = services->storage().plugin_enabled(storage.workspace, row.id);
    if (enabled.ok()) {
      row.enabled = *enabled ? "enabled" : "disabled";
    } else if (enabled.status().code() == hostsdk::StatusCode::kNotFound) {
      row.enabled = "enabled (default)";
    } else {
      return report_failure("plugin list", enabled.status());
    }
    rows.push_back(std::move(row));
  }
  loaded.shutdown();

  for (const auto& row : rows) {
    if (json) {
      nlohmann::json j = {{"directory", row.directory},
                          {"id", row.id},
                          {"version", row.version},
                          {"status", row.loaded ? "loaded" : "refused"},
                          {"workspace", storage.workspace},
                          {"enabled", row.enabled != "disabled"},
                          {"enabled_by_default", row.enabled == "enabled (default)"}};
      if (row.refusal) {
        j["reason"] = row.reason;
        j["check"] = row.refusal->check;
        j["plugin_value"] = row.refusal->plugin_value;
        j["host_value"] = row.refusal->host_value;
        j["advice"] = row.refusal->advice;
      }
      std::cout << j.dump() << "\n";
    } else {
      std::cout << row.id << "\t" << (row.version.empty() ? "-" : row.version) << "\t"
                << (row.loaded ? "loaded" : "refused") << "\t" << row.enabled << "\t"
                << (row.loaded ? "-" : row.reason) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace host::cli
