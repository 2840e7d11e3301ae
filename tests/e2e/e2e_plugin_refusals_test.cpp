// One plugins directory holding the real plugin, the good fixture and every kind of broken
// plugin: the host logs one refusal line for each and serves the real endpoint regardless.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "fixture_plugins.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

namespace fs = std::filesystem;

struct Broken {
  std::string name;   // how the refusal line names the plugin
  std::string check;  // the check it names
};

// Lays out the directory; returns what each broken plugin must be refused for.
std::vector<Broken> lay_out(const fs::path& dir) {
  rct::install_real_plugin(dir);
  rct::install_fixture(dir, "good");
  std::vector<Broken> broken = {
      {"fixture-no-descriptor", "exported symbol"},
      {"fixture-api-major", "descriptor.api_major"},
      {"fixture-api-minor", "descriptor.api_minor"},
      {"fixture-old-abi", "descriptor.build_fingerprint"},
      {"fixture-start-fails", "start()"},
      {"fixture-start-throws", "start()"},
      {"fixture-extra-route", "registered routes"},
      {"fixture-extra-permission", "registered permissions"},
      {"fixture-ping-conflict", "route ownership"},
      {"fixture-login-conflict", "route ownership"},
  };
  for (const auto& b : broken) {
    std::string kind = b.name.substr(8);
    for (char& c : kind) c = c == '-' ? '_' : c;
    rct::install_fixture(dir, kind);
  }
  // Manifest problems, each in a directory of its own.
  fs::create_directories(dir / "only-library");
  fs::copy_file(fs::path(RCT_FIXTURE_DIR) / "libfixture_good.so",
                dir / "only-library" / "libfixture_good.so");
  broken.push_back({"only-library", "manifest.json"});

  fs::create_directories(dir / "unparsable");
  std::ofstream(dir / "unparsable" / "manifest.json") << "{\"id\": \"unparsable\",";
  broken.push_back({"unparsable", "manifest.json"});

  auto no_library = rct::fixture_manifest("good");
  no_library.erase("library");
  fs::create_directories(dir / "no-library-field");
  rct::write_manifest(dir / "no-library-field", no_library);
  broken.push_back({"no-library-field", "manifest.json"});

  auto wrong_id = rct::fixture_manifest("good");
  wrong_id["id"] = "wrong-id";
  rct::install_fixture(dir / "x", "good", wrong_id);
  fs::rename(dir / "x" / "fixture-good", dir / "wrong-id");
  broken.push_back({"wrong-id", "descriptor.plugin_id"});

  // A library whose own directory is refused later, so its id is not taken yet.
  auto wrong_version = rct::fixture_manifest("extra_route");
  wrong_version["version"] = "2.0.0";
  rct::install_fixture(dir / "x", "extra_route", wrong_version);
  fs::rename(dir / "x" / "fixture-extra-route", dir / "wrong-version");
  fs::remove_all(dir / "x");
  broken.push_back({"fixture-extra-route", "descriptor.plugin_version"});

  auto not_elf = rct::fixture_manifest("good");
  not_elf["id"] = "not-elf";
  not_elf["library"] = "libnot_elf.so";
  fs::create_directories(dir / "not-elf");
  rct::write_manifest(dir / "not-elf", not_elf);
  std::ofstream(dir / "not-elf" / "libnot_elf.so") << "\x7f"
                                                      "ELF but not really\n";
  broken.push_back({"not-elf", "library format"});
  return broken;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("every broken plugin is refused in one line; the real plugin and the good one serve") {
  rct::TempDir plugins;
  const std::vector<Broken> broken = lay_out(plugins.path());
  rct::HostOptions options;
  options.plugins_dir = plugins.path();
  rct::HostProcess host(options);
  rct::SeededWorkspace ws = rct::seed_workspace(host, "default");
  rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
  host.start();
  const std::string log = host.log();

  CHECK(lines_with(log, "not loaded").size() == broken.size());
  for (const auto& b : broken) {
    CAPTURE(b.name);
    CAPTURE(b.check);
    auto lines = lines_with(log, "check " + b.check + " failed");
    int matching = 0;
    for (const auto& line : lines) {
      if (line.find("plugin \"" + b.name + "\" (") == std::string::npos) continue;
      ++matching;
      CHECK(line.find("not loaded") != std::string::npos);
      CHECK(line.find(": plugin has \"") != std::string::npos);
      CHECK(line.find("\", host expects \"") != std::string::npos);
      CHECK(line.find("\"; ") != std::string::npos);  // then the fix
    }
    CHECK(matching == 1);
  }
  CHECK(lines_with(log, "plugin \"users-create-token\" 0.1.0 loaded").size() == 1);
  CHECK(lines_with(log, "plugin \"fixture-good\" 1.0.0 loaded").size() == 1);

  // The real endpoint works end to end, and the good fixture beside it.
  rct::Credentials admin = rct::login(host.port(), ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  rct::HttpResult minted =
      rct::http_request(host.port(), "POST", "/api/v1/users.createToken", R"({"username":"alice"})",
                        rct::auth_headers(ws.host, admin));
  REQUIRE(minted.status == 200);
  rct::Credentials alice{ws.ids.at("alice"), minted.json()["data"]["authToken"]};
  CHECK(rct::http_request(host.port(), "GET", "/api/v1/me", {}, rct::auth_headers(ws.host, alice))
            .status == 200);
  CHECK(rct::http_request(host.port(), "GET", "/api/v1/fixture.ping").status == 200);
  // The login route stayed the host's; nothing of the refused plugins is routed.
  CHECK(rct::login(host.port(), ws.host, "bob").user_id == ws.ids.at("bob"));
  CHECK(rct::http_request(host.port(), "GET", "/api/v1/fixture.extra").status == 404);
  CHECK(host.running());
}
