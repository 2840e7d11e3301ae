// Every refusal path of the loader, with fixture plugins: the check named, one log line per
// refusal naming plugin and both sides, and nothing of a refused plugin left registered.
#include <doctest/doctest.h>

#include <fstream>

#include "fixture_plugins.h"
#include "loader/plugin_loader.h"
#include "log_capture.h"
#include "services_fixture.h"

namespace {

namespace fs = std::filesystem;
using host::loader::LoadResult;

struct Refused {
  std::string check;
  std::string plugin_value;
  int log_lines;
};

// Loads one plugin directory; returns the refusal (check empty when it loaded).
Refused load(const fs::path& dir, const std::set<host::loader::RouteKey>& taken = {}) {
  rct::ServicesFixture fx;
  rct::LogCapture log;
  host::loader::PluginLoader loader(*fx.services);
  LoadResult result = loader.load_one(dir, taken);
  Refused r;
  if (result.refusal) {
    CHECK(result.plugin == nullptr);
    r.check = result.refusal->check;
    r.plugin_value = result.refusal->plugin_value;
    CHECK(log.text().find("plugin has") != std::string::npos);
    CHECK(log.text().find("host expects") != std::string::npos);
  } else {
    CHECK(result.plugin != nullptr);
  }
  r.log_lines = log.lines_with("not loaded");
  return r;
}

Refused load_fixture(const std::string& kind, nlohmann::json manifest = nullptr,
                     const std::set<host::loader::RouteKey>& taken = {}) {
  rct::TempDir plugins;
  fs::path dir = rct::install_fixture(plugins.path(), kind, std::move(manifest));
  return load(dir, taken);
}

}  // namespace

TEST_CASE("the good fixture loads, with its routes, auth flags and setting default") {
  rct::ServicesFixture fx;
  rct::TempDir plugins;
  rct::install_fixture(plugins.path(), "good");
  host::loader::PluginLoader loader(*fx.services);
  auto set = loader.load_all(plugins.path(), {});
  REQUIRE(set.plugins().size() == 1);
  const auto& routes = set.plugins().front()->routes();
  REQUIRE(routes.size() == 3);
  for (const auto& r : routes) CHECK(r.requires_auth == (r.path == "/api/v1/fixture.whoami"));
  auto setting = fx.services->settings().get("default", "FIXTURE_SETTING");
  REQUIRE(setting.ok());
  CHECK(setting.value() == "fixture-default");
}

TEST_CASE("refusals name the failed check, log one line, and keep nothing") {
  struct Expect {
    const char* kind;
    const char* check;
  };
  for (Expect e :
       {Expect{"start_throws", "start()"}, Expect{"start_fails", "start()"},
        Expect{"extra_route", "registered routes"},
        Expect{"wrong_permission", "registered permissions"}, Expect{"create_null", "create()"},
        Expect{"bad_fingerprint", "descriptor.build_fingerprint"},
        Expect{"api_major", "descriptor.api_major"}, Expect{"bad_magic", "descriptor.magic"},
        Expect{"no_descriptor", "exported symbol"}}) {
    CAPTURE(e.kind);
    Refused r = load_fixture(e.kind);
    CHECK(r.check == e.check);
    CHECK(r.log_lines == 1);
  }
  CHECK(load_fixture("start_throws").plugin_value.find("fixture start failure") !=
        std::string::npos);
  CHECK(load_fixture("bad_fingerprint").plugin_value.find("gcc-99") != std::string::npos);
}

TEST_CASE("manifest against descriptor and host") {
  auto manifest = rct::fixture_manifest("good");

  auto other_id = manifest;
  other_id["id"] = "someone-else";
  CHECK(load_fixture("good", other_id).check == "descriptor.plugin_id");

  auto other_version = manifest;
  other_version["version"] = "9.9.9";
  CHECK(load_fixture("good", other_version).check == "descriptor.plugin_version");

  auto major = manifest;
  major["host_api"]["major"] = 2;
  CHECK(load_fixture("good", major).check == "manifest.host_api.major");

  auto minor = manifest;
  minor["host_api"]["min_minor"] = 99;
  CHECK(load_fixture("good", minor).check == "manifest.host_api.min_minor");

  auto missing = manifest;
  missing["library"] = "libnot_there.so";
  CHECK(load_fixture("good", missing).check == "manifest.library");

  auto fewer_routes = manifest;
  fewer_routes["routes"].erase(0);
  CHECK(load_fixture("good", fewer_routes).check == "registered routes");
}

TEST_CASE("broken manifests and libraries") {
  rct::TempDir plugins;
  fs::path bad_json = plugins.path() / "bad-json";
  fs::create_directories(bad_json);
  std::ofstream(bad_json / "manifest.json") << "{\"id\": ";
  Refused r = load(bad_json);
  CHECK(r.check == "manifest.json");
  CHECK(r.log_lines == 1);

  fs::path not_elf = plugins.path() / "not-elf";
  fs::create_directories(not_elf);
  auto manifest = rct::fixture_manifest("good");
  manifest["library"] = "libtext.so";
  rct::write_manifest(not_elf, manifest);
  std::ofstream(not_elf / "libtext.so") << "this is not a shared library\n";
  CHECK(load(not_elf).check == "library format");
}

TEST_CASE("a route owned by the host or another plugin is refused") {
  CHECK(load_fixture("login_conflict", nullptr, {{"POST", "/api/v1/login"}}).check ==
        "route ownership");
  CHECK(load_fixture("good", nullptr, {{"GET", "/api/v1/fixture.ping"}}).check ==
        "route ownership");
}

TEST_CASE("load_all: good plugins load, bad ones are skipped, duplicate ids refused") {
  rct::ServicesFixture fx;
  rct::LogCapture log;
  rct::TempDir plugins;
  rct::install_real_plugin(plugins.path());
  rct::install_fixture(plugins.path(), "good");
  rct::install_fixture(plugins.path(), "bad_fingerprint");
  rct::install_fixture(plugins.path(), "start_throws");
  // Same plugin again under another directory name.
  fs::copy(plugins.path() / "fixture-good", plugins.path() / "zz-copy-of-good");

  host::loader::PluginLoader loader(*fx.services);
  auto set = loader.load_all(plugins.path(), {{"POST", "/api/v1/login"}});
  CHECK(set.plugins().size() == 2);
  CHECK(set.find("users-create-token") != nullptr);
  CHECK(set.find("fixture-good") != nullptr);
  CHECK(log.lines_with("not loaded") == 3);
  CHECK(log.lines_with("check plugin id failed") == 1);
  set.shutdown();
}
