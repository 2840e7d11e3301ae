// The refusal line of every load failure, as an operator reads it: exactly one line naming
// the plugin, the check, what the plugin has, what the host expects, and the fix.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "fixture_plugins.h"
#include "hostsdk/fingerprint.h"
#include "loader/plugin_loader.h"
#include "log_capture.h"
#include "services_fixture.h"

namespace {

namespace fs = std::filesystem;

struct Expected {
  std::string name;        // as the line names the plugin
  std::string dir;         // directory under the plugins directory
  std::string check;       // "check <check> failed"
  std::string plugin_has;  // exact; empty: any non-empty value
  std::string host_expects;
  std::string advice;  // a part of the fix
};

std::string only_line_with(const std::string& text, const std::string& needle, int& count) {
  std::istringstream in(text);
  std::string found;
  count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    ++count;
    found = line;
  }
  return found;
}

// Loads the plugins directory `setup` lays out and checks the one refusal line.
void check_refusal(const std::function<void(const fs::path&)>& setup, const Expected& e) {
  CAPTURE(e.dir);
  rct::ServicesFixture fx;
  rct::TempDir plugins;
  setup(plugins.path());
  rct::LogCapture log;
  host::loader::PluginLoader loader(*fx.services);
  auto set = loader.load_all(plugins.path(), {{"POST", "/api/v1/login"}});
  CHECK(set.find(e.name) == nullptr);

  int refusals = 0;
  std::string line = only_line_with(log.text(), "not loaded", refusals);
  CHECK(refusals == 1);
  int naming = 0;
  only_line_with(log.text(), "plugin \"" + e.name + "\"", naming);
  CHECK(naming == 1);  // nothing else is logged about the refused plugin

  const std::string head = "error plugin \"" + e.name + "\" (" + (plugins.path() / e.dir).string() +
                           ") not loaded: check " + e.check + " failed: plugin has \"";
  CHECK_MESSAGE(line.rfind(head, 0) == 0, line);
  const std::string expects = "\", host expects \"" + e.host_expects + "\"; ";
  if (e.plugin_has.empty()) {
    auto at = line.find(expects);
    CHECK_MESSAGE(at != std::string::npos, line);
    CHECK(at > head.size());
  } else {
    CHECK_MESSAGE(line.find(head + e.plugin_has + expects) == 0, line);
  }
  CHECK_MESSAGE(line.find(e.advice) > line.find(expects), line);
  CHECK(line.find(e.advice) != std::string::npos);
  set.shutdown();
}

std::function<void(const fs::path&)> fixture(const std::string& kind,
                                             nlohmann::json manifest = nullptr) {
  return [kind, manifest](const fs::path& dir) { rct::install_fixture(dir, kind, manifest); };
}

// The fingerprint a build with the old std::string ABI has, derived from this build's.
std::string old_abi_fingerprint() {
  std::string text = hostsdk::kBuildFingerprint.text;
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("cxx11abi=1", "cxx11abi=0");
  replace("string=32", "string=8");
  return text;
}

}  // namespace

TEST_CASE("library: no descriptor export, not a shared object") {
  check_refusal(fixture("no_descriptor"),
                {"fixture-no-descriptor", "fixture-no-descriptor", "exported symbol",
                 "no hostsdk_plugin_descriptor in the symbol table", "hostsdk_plugin_descriptor",
                 "declare the plugin with HOSTSDK_DECLARE_PLUGIN"});
  check_refusal(
      [](const fs::path& dir) {
        auto manifest = rct::fixture_manifest("good");
        manifest["library"] = "libtext.so";
        fs::create_directories(dir / "not-elf");
        rct::write_manifest(dir / "not-elf", manifest);
        std::ofstream(dir / "not-elf" / "libtext.so") << "this is not a shared library\n";
      },
      {"fixture-good", "not-elf", "library format", "", "an ELF shared library",
       "point manifest.json \"library\" at the plugin's built .so file"});
}

TEST_CASE("descriptor: API major differs, API minor newer, fingerprint of the old string ABI") {
  check_refusal(fixture("api_major"), {"fixture-api-major", "fixture-api-major",
                                       "descriptor.api_major", "2", "1", "rebuild the plugin"});
  check_refusal(fixture("api_minor"), {"fixture-api-minor", "fixture-api-minor",
                                       "descriptor.api_minor", "1", "<= 0", "upgrade the host"});
  check_refusal(
      fixture("old_abi"),
      {"fixture-old-abi", "fixture-old-abi", "descriptor.build_fingerprint", old_abi_fingerprint(),
       hostsdk::kBuildFingerprint.text, "rebuild the plugin against this host's SDK headers"});
}

TEST_CASE("manifest against descriptor: id or version differs") {
  auto other_id = rct::fixture_manifest("good");
  other_id["id"] = "someone-else";
  check_refusal(fixture("good", other_id),
                {"someone-else", "fixture-good", "descriptor.plugin_id", "fixture-good",
                 "someone-else", "make manifest.json \"id\" and HOSTSDK_DECLARE_PLUGIN's id"});
  auto other_version = rct::fixture_manifest("good");
  other_version["version"] = "9.9.9";
  check_refusal(fixture("good", other_version),
                {"fixture-good", "fixture-good", "descriptor.plugin_version", "1.0.0", "9.9.9",
                 "ship the manifest.json that was built with this library"});
}

TEST_CASE("start: fails, throws") {
  check_refusal(fixture("start_fails"), {"fixture-start-fails", "fixture-start-fails", "start()",
                                         "start() returned an error: fixture refuses to start",
                                         "Status::Ok()", "see the plugin's own log lines"});
  check_refusal(fixture("start_throws"), {"fixture-start-throws", "fixture-start-throws", "start()",
                                          "start() threw: fixture start failure", "Status::Ok()",
                                          "see the plugin's own log lines"});
}

TEST_CASE("registration: undeclared route, undeclared permission, a route another owns") {
  check_refusal(
      fixture("extra_route"),
      {"fixture-extra-route", "fixture-extra-route", "registered routes",
       "[GET /api/v1/fixture.extra, GET /api/v1/fixture.ping, GET /api/v1/fixture.throw, "
       "GET /api/v1/fixture.whoami]",
       "[GET /api/v1/fixture.ping, GET /api/v1/fixture.throw, GET /api/v1/fixture.whoami] "
       "(from manifest.json)",
       "make the routes registered in start() and manifest.json \"routes\" the same"});
  check_refusal(fixture("extra_permission"),
                {"fixture-extra-permission", "fixture-extra-permission", "registered permissions",
                 "[fixture-permission {admin}, fixture-undeclared {user}]",
                 "[fixture-permission {admin}] (from manifest.json)",
                 "make the permissions registered in start() and manifest.json"});
  check_refusal(
      [](const fs::path& dir) {
        rct::install_fixture(dir, "good");  // "fixture-good" sorts first and takes the route
        rct::install_fixture(dir, "ping_conflict");
      },
      {"fixture-ping-conflict", "fixture-ping-conflict", "route ownership",
       "GET /api/v1/fixture.ping", "GET /api/v1/fixture.ping already owned by plugin fixture-good",
       "remove one of the plugins claiming this route"});
}

TEST_CASE("manifest: missing, unparsable, a field missing") {
  check_refusal(
      [](const fs::path& dir) {
        fs::create_directories(dir / "only-library");
        fs::copy_file(fs::path(RCT_FIXTURE_DIR) / "libfixture_good.so",
                      dir / "only-library" / "libfixture_good.so");
      },
      {"only-library", "only-library", "manifest.json", "",
       "manifest.json beside the plugin's library",
       "install the manifest.json that ships with the plugin"});
  check_refusal(
      [](const fs::path& dir) {
        rct::install_fixture(dir, "good");
        std::ofstream(dir / "fixture-good" / "manifest.json") << "{\"id\": ";
      },
      {"fixture-good", "fixture-good", "manifest.json", "manifest: not valid JSON",
       "a valid manifest_version 1", "fix manifest.json as the message says"});
  auto no_version = rct::fixture_manifest("good");
  no_version.erase("version");
  check_refusal(fixture("good", no_version),
                {"fixture-good", "fixture-good", "manifest.json", "manifest.version: missing",
                 "a valid manifest_version 1", "fix manifest.json as the message says"});
}
