// The load sequence of one plugin and of a directory of plugins.
// No plugin code runs before the manifest and the exported symbol have been checked.
#include "loader/plugin_loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <exception>

#include "loader/elf_exports.h"

namespace host::loader {
namespace {

namespace fs = std::filesystem;

LoadResult refused(std::string name, const fs::path& dir, Refusal refusal) {
  spdlog::error("{}", format_refusal(name, dir.string(), refusal));
  LoadResult result;
  result.refusal = std::move(refusal);
  result.name = std::move(name);
  return result;
}

// Reads the library's symbol table without running any of its code.
std::optional<Refusal> check_exports(const fs::path& library) {
  try {
    boost::dll::library_info info(library.string());
    auto symbols = info.symbols();
    bool found =
        std::find(symbols.begin(), symbols.end(), HOSTSDK_DESCRIPTOR_SYMBOL) != symbols.end();
    // A stripped library has no .symtab for library_info to read; its .dynsym remains.
    if (!found) found = elf_exports_symbol(library, HOSTSDK_DESCRIPTOR_SYMBOL);
    if (!found) {
      return Refusal{"exported symbol", "no " HOSTSDK_DESCRIPTOR_SYMBOL " in the symbol table",
                     HOSTSDK_DESCRIPTOR_SYMBOL,
                     "declare the plugin with HOSTSDK_DECLARE_PLUGIN, which exports it"};
    }
  } catch (const std::exception& e) {
    return Refusal{"library format", e.what(), "an ELF shared library",
                   "point manifest.json \"library\" at the plugin's built .so file"};
  }
  return std::nullopt;
}

// Names who already serves `route` ("GET /path"): a plugin loaded before, else the host.
std::string route_owner(const std::string& route, const PluginSet* loaded) {
  if (loaded != nullptr) {
    for (const auto& plugin : loaded->plugins()) {
      for (const auto& r : plugin->routes()) {
        if (r.method + " " + r.path == route) {
          return route + " already owned by plugin " + plugin->manifest().id;
        }
      }
    }
  }
  return route + " already owned by the host";
}

}  // namespace

LoadResult PluginLoader::load_one(const fs::path& dir, const std::set<RouteKey>& taken,
                                  const PluginSet* already_loaded) {
  std::string name = dir.filename().string();

  // 1. Manifest.
  auto manifest = read_manifest(dir / "manifest.json");
  if (!manifest.ok()) {
    if (manifest.status().code() == hostsdk::StatusCode::kNotFound) {
      return refused(name, dir,
                     {"manifest.json", manifest.status().message(),
                      "manifest.json beside the plugin's library",
                      "install the manifest.json that ships with the plugin into this directory"});
    }
    return refused(name, dir,
                   {"manifest.json", manifest.status().message(), "a valid manifest_version 1",
                    "fix manifest.json as the message says"});
  }
  Manifest m = std::move(manifest).value();
  name = m.id;
  if (auto r = check_host_api(m)) return refused(name, dir, *r);
  if (already_loaded != nullptr && already_loaded->find(m.id) != nullptr) {
    return refused(name, dir,
                   {"plugin id", m.id + " in " + dir.string(), "ids unique across the directory",
                    "remove the duplicate plugin directory"});
  }

  // 2. The library exports the descriptor (read from the file, nothing runs).
  fs::path library_path = dir / m.library;
  std::error_code ec;
  if (!fs::is_regular_file(library_path, ec)) {
    return refused(name, dir,
                   {"manifest.library", library_path.string() + " missing",
                    "an existing file next to manifest.json",
                    "build the plugin, or fix manifest.json \"library\""});
  }
  if (auto r = check_exports(library_path)) return refused(name, dir, *r);

  // 3. Load, resolving every symbol now and keeping them out of the global namespace.
  auto library = std::make_unique<boost::dll::shared_library>();
  try {
    library->load(library_path.string(),
                  boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return refused(name, dir,
                   {"dlopen", e.what(), "a library whose dependencies all resolve",
                    "install the plugin's dependencies, or rebuild it against this host's"});
  }

  // 4. Descriptor: magic, size, API version, build fingerprint, id, version.
  const hostsdk_descriptor* descriptor = nullptr;
  try {
    auto& get_descriptor =
        library->get_alias<const hostsdk_descriptor*()>(HOSTSDK_DESCRIPTOR_SYMBOL);
    descriptor = get_descriptor();
  } catch (const std::exception& e) {
    return refused(name, dir,
                   {"descriptor alias", e.what(), HOSTSDK_DESCRIPTOR_SYMBOL,
                    "declare the plugin with HOSTSDK_DECLARE_PLUGIN"});
  }
  if (auto r = check_descriptor(descriptor, m)) return refused(name, dir, *r);

  // Setting defaults first, so start() can already read them.
  for (const auto& setting : m.settings) {
    services_.set_setting_default(setting.name, setting.default_text);
  }

  // 5. create() and start(host) inside guards.
  auto plugin = std::make_unique<LoadedPlugin>(m, dir, std::move(library), descriptor,
                                               std::make_unique<HostAdapter>(services_));
  if (!plugin->create()) {
    return refused(name, dir,
                   {"create()", "returned null", "a plugin instance",
                    "check the plugin's constructor; it must not throw"});
  }
  std::string error;
  if (!plugin->start(error)) {
    return refused(name, dir,
                   {"start()", error, "Status::Ok()", "see the plugin's own log lines above"});
  }
  plugin->close_registration();

  // 6. What it registered is what it declared, and nobody else owns those routes.
  if (auto r = check_registration(m, plugin->routes(), plugin->permissions())) {
    return refused(name, dir, *r);
  }
  if (auto r = check_route_conflicts(plugin->routes(), taken)) {
    r->host_value = route_owner(r->plugin_value, already_loaded);
    return refused(name, dir, *r);
  }

  // Seeded into every workspace now and into later ones on first use.
  for (const auto& p : m.permissions) {
    if (Status s = services_.declare_permission(p.id, p.default_roles); !s.ok()) {
      spdlog::warn("plugin \"{}\": permission {} not yet seeded: {}", m.id, p.id, s.message());
    }
  }

  spdlog::info("plugin \"{}\" {} loaded from {} ({} routes, {} permissions)", m.id, m.version,
               dir.string(), plugin->routes().size(), plugin->permissions().size());
  LoadResult result;
  result.plugin = std::move(plugin);
  result.name = name;
  return result;
}

PluginSet PluginLoader::load_all(const fs::path& plugins_dir, std::set<RouteKey> taken,
                                 std::vector<Outcome>* outcomes) {
  PluginSet set;
  std::error_code ec;
  if (!fs::is_directory(plugins_dir, ec)) {
    spdlog::warn("plugin directory {} does not exist; serving built-in routes only",
                 plugins_dir.string());
    return set;
  }
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(plugins_dir, ec)) {
    // Every visible directory is a plugin: one without manifest.json is refused with a log
    // line rather than skipped in silence.
    if (entry.is_directory(ec) && entry.path().filename().string().rfind('.', 0) != 0) {
      dirs.push_back(entry.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    LoadResult result = load_one(dir, taken, &set);
    if (outcomes != nullptr) outcomes->push_back({result.name, result.refusal});
    if (!result.plugin) continue;
    for (const auto& r : result.plugin->routes()) taken.insert({r.method, r.path});
    set.add(std::move(result.plugin));
  }
  return set;
}

}  // namespace host::loader
