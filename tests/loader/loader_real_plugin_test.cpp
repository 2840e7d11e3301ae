// The built libusers_create_token.so, loaded through the host's loader and through plain
// Boost.DLL: descriptor fields, and registrations equal to what manifest.json declares.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "hostsdk/descriptor.h"
#include "loader/elf_exports.h"
#include "loader/plugin_loader.h"
#include "log_capture.h"
#include "services_fixture.h"

namespace {

namespace fs = std::filesystem;

const fs::path kPluginDir = fs::path(RCT_PLUGINS_DIR) / "users-create-token";

host::loader::Manifest source_manifest() {
  auto m = host::loader::read_manifest(fs::path(RCT_SOURCE_DIR) / "manifest.json");
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  return m.value();
}

void check_descriptor_fields(const hostsdk_descriptor& d, const host::loader::Manifest& m) {
  CHECK(d.magic == HOSTSDK_MAGIC);
  CHECK(d.struct_size == sizeof(hostsdk_descriptor));
  CHECK(d.api_major == HOSTSDK_API_MAJOR);
  CHECK(d.api_minor <= HOSTSDK_API_MINOR);
  REQUIRE(d.build_fingerprint != nullptr);
  CHECK(std::strcmp(d.build_fingerprint, hostsdk::kBuildFingerprint.text) == 0);
  CHECK(std::string(d.plugin_id) == m.id);
  CHECK(std::string(d.plugin_version) == m.version);
  CHECK((d.create != nullptr));
  CHECK((d.destroy != nullptr));
}

}  // namespace

TEST_CASE("the staged manifest is the source manifest") {
  auto staged = host::loader::read_manifest(kPluginDir / "manifest.json");
  REQUIRE(staged.ok());
  CHECK(staged->id == source_manifest().id);
  CHECK(staged->version == source_manifest().version);
  CHECK(fs::is_regular_file(kPluginDir / staged->library));
}

TEST_CASE("users-create-token loads through the loader; registrations equal the manifest") {
  rct::ServicesFixture fx;
  rct::LogCapture log;
  host::loader::Manifest m = source_manifest();

  host::loader::PluginLoader loader(*fx.services);
  host::loader::PluginSet set = loader.load_all(RCT_PLUGINS_DIR, {});
  REQUIRE(set.plugins().size() == 1);
  const host::loader::LoadedPlugin& plugin = *set.plugins().front();
  CHECK(plugin.manifest().id == m.id);
  check_descriptor_fields(plugin.descriptor(), m);

  REQUIRE(plugin.routes().size() == m.routes.size());
  for (const auto& declared : m.routes) {
    auto it = std::find_if(plugin.routes().begin(), plugin.routes().end(), [&](const auto& r) {
      return r.method == declared.method && r.path == declared.path;
    });
    REQUIRE(it != plugin.routes().end());
    CHECK(it->requires_auth);
    CHECK(it->handler != nullptr);
  }
  REQUIRE(plugin.permissions().size() == m.permissions.size());
  for (const auto& declared : m.permissions) {
    auto it = std::find_if(plugin.permissions().begin(), plugin.permissions().end(),
                           [&](const auto& p) { return p.id == declared.id; });
    REQUIRE(it != plugin.permissions().end());
    CHECK(it->default_roles == declared.default_roles);
  }

  // Manifest defaults reach the settings service; the permission reaches the workspace.
  auto roles = fx.services->settings().get("default", "protectedRoles");
  REQUIRE(roles.ok());
  CHECK(roles.value() == "[]");
  auto holders = fx.services->storage().permission_roles("default", "user-generate-access-token");
  REQUIRE(holders.ok());
  CHECK(holders.value() == std::vector<std::string>{"admin"});

  CHECK(log.lines_with("not loaded") == 0);
  set.shutdown();
  CHECK(set.plugins().empty());
}

TEST_CASE("users-create-token through plain Boost.DLL") {
  const fs::path library = kPluginDir / source_manifest().library;
  boost::dll::library_info info(library.string());
  auto symbols = info.symbols();
  CHECK(std::find(symbols.begin(), symbols.end(), HOSTSDK_DESCRIPTOR_SYMBOL) != symbols.end());

  boost::dll::shared_library lib(
      library.string(), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  REQUIRE(lib.has(HOSTSDK_DESCRIPTOR_SYMBOL));
  auto& get = lib.get_alias<const hostsdk_descriptor*()>(HOSTSDK_DESCRIPTOR_SYMBOL);
  const hostsdk_descriptor* d = get();
  REQUIRE(d != nullptr);
  check_descriptor_fields(*d, source_manifest());

  void* instance = d->create();
  REQUIRE(instance != nullptr);
  d->destroy(instance);
}

TEST_CASE("a stripped copy still loads: the export is read from .dynsym") {
  rct::TempDir plugins;
  fs::path dir = plugins.path() / "users-create-token";
  fs::copy(kPluginDir, dir, fs::copy_options::recursive);
  const fs::path library = dir / source_manifest().library;
  REQUIRE(std::system(("strip --strip-all '" + library.string() + "'").c_str()) == 0);
  auto symbols = boost::dll::library_info(library.string()).symbols();
  CHECK(std::find(symbols.begin(), symbols.end(), HOSTSDK_DESCRIPTOR_SYMBOL) == symbols.end());
  CHECK(host::loader::elf_exports_symbol(library, HOSTSDK_DESCRIPTOR_SYMBOL));
  CHECK_FALSE(host::loader::elf_exports_symbol(library, "not_a_symbol"));
  CHECK_FALSE(host::loader::elf_exports_symbol(dir / "manifest.json", HOSTSDK_DESCRIPTOR_SYMBOL));

  rct::ServicesFixture fx;
  host::loader::PluginLoader loader(*fx.services);
  auto result = loader.load_one(dir, {});
  CHECK(result.plugin != nullptr);
}
