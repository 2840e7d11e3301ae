// Manifest parsing: the project's manifest.json parses to what it says, and each kind of
// mistake is reported with the JSON path of the field at fault.
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "loader/manifest.h"

namespace {

using host::loader::parse_manifest;
using nlohmann::json;

json valid() {
  return json::parse(R"({
    "manifest_version": 1, "id": "p", "name": "P", "version": "1.0.0",
    "host_api": {"major": 1, "min_minor": 0}, "library": "libp.so",
    "routes": [{"method": "POST", "path": "/api/v1/p.do", "permission": "p-do",
                "rate_limit": {"requests": 5, "window_seconds": 30}}],
    "permissions": [{"id": "p-do", "default_roles": ["admin"]}],
    "settings": [{"name": "S", "type": "string-array", "default": ["a"], "description": ""}],
    "requires": ["users"]})");
}

std::string error_of(const json& doc) {
  auto m = parse_manifest(doc.dump());
  REQUIRE(!m.ok());
  return m.status().message();
}

}  // namespace

TEST_CASE("the project's manifest.json") {
  auto m = host::loader::read_manifest(std::filesystem::path(RCT_SOURCE_DIR) / "manifest.json");
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  CHECK(m->id == "users-create-token");
  CHECK(m->library == "libusers_create_token.so");
  REQUIRE(m->routes.size() == 1);
  CHECK(m->routes[0].method == "POST");
  CHECK(m->routes[0].path == "/api/v1/users.createToken");
  CHECK(m->routes[0].rate_limit.requests == 10);
  CHECK(m->routes[0].rate_limit.window_seconds == 60);
  REQUIRE(m->permissions.size() == 1);
  CHECK(m->permissions[0].default_roles == std::vector<std::string>{"admin"});
  REQUIRE(m->settings.size() == 3);
  CHECK(m->settings[2].default_text == "[]");
}

TEST_CASE("a valid manifest, and defaults when rate_limit is absent") {
  auto m = parse_manifest(valid().dump());
  REQUIRE(m.ok());
  CHECK(m->routes[0].rate_limit.requests == 5);
  CHECK(m->settings[0].default_text == R"(["a"])");
  json doc = valid();
  doc["routes"][0].erase("rate_limit");
  auto d = parse_manifest(doc.dump());
  REQUIRE(d.ok());
  CHECK(d->routes[0].rate_limit.requests == 10);
  CHECK(d->routes[0].rate_limit.window_seconds == 60);
}

TEST_CASE("mistakes are reported with the field's path") {
  CHECK(parse_manifest("{").status().message() == "manifest: not valid JSON");
  CHECK(error_of(json::array()) == "manifest: must be a JSON object");

  json doc = valid();
  doc.erase("id");
  CHECK(error_of(doc) == "manifest.id: missing");

  doc = valid();
  doc["manifest_version"] = 2;
  CHECK(error_of(doc) == "manifest.manifest_version: must be 1");

  doc = valid();
  doc["routes"][0]["method"] = "post";
  CHECK(error_of(doc).rfind("manifest.routes[0].method:", 0) == 0);

  doc = valid();
  doc["routes"][0]["path"] = "api/v1/x";
  CHECK(error_of(doc).rfind("manifest.routes[0].path:", 0) == 0);

  doc = valid();
  doc["routes"][0]["rate_limit"]["requests"] = 0;
  CHECK(error_of(doc).rfind("manifest.routes[0].rate_limit.requests:", 0) == 0);

  doc = valid();
  doc["permissions"][0]["default_roles"] = "admin";
  CHECK(error_of(doc).rfind("manifest.permissions[0].default_roles:", 0) == 0);

  doc = valid();
  doc["settings"][0]["default"] = "a";
  CHECK(error_of(doc) == "manifest.settings[0].default: does not match type \"string-array\"");

  doc = valid();
  doc["requires"] = {"users", "teleport"};
  CHECK(error_of(doc) == "manifest.requires: unknown service \"teleport\"");

  doc = valid();
  doc["library"] = "../evil.so";
  CHECK(error_of(doc).rfind("manifest.library:", 0) == 0);
}
