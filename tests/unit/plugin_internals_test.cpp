// The plugin's building blocks on their own: text helpers, constant-time secret compare,
// protectedRoles parsing, and what start() registers compared with manifest.json.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "create_token/create_token_plugin.h"
#include "hostsdk/mock/mock_host.h"
#include "protected_roles.h"
#include "secret_compare.h"
#include "text.h"

using create_token::parse_protected_roles;
using Roles = std::vector<std::string>;

TEST_CASE("internals: trimming follows JavaScript trim") {
  using create_token::trim_whitespace;
  CHECK(trim_whitespace("  a b \t\r\n") == "a b");
  CHECK(trim_whitespace("\xC2\xA0"
                        "a"
                        "\xE2\x80\xA8") == "a");             // NBSP, LINE SEPARATOR
  CHECK(trim_whitespace("\xEF\xBB\xBF\xE3\x80\x80") == "");  // BOM, IDEOGRAPHIC SPACE
  CHECK(trim_whitespace("\xE2\x80\x8B"
                        "a") ==
        "\xE2\x80\x8B"
        "a");  // zero-width space stays
  CHECK(trim_whitespace("\xC3\xA9") == "\xC3\xA9");
  CHECK(trim_whitespace("") == "");
}

TEST_CASE("internals: UTF-8 validation is strict") {
  using create_token::is_valid_utf8;
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong slash
  CHECK_FALSE(is_valid_utf8("\xED\xB0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  CHECK_FALSE(is_valid_utf8("\x80"));              // stray continuation
}

TEST_CASE("internals: ASCII case-insensitive equality") {
  CHECK(create_token::ascii_iequals("Alice", "aLICE"));
  CHECK_FALSE(create_token::ascii_iequals("alice", "alicia"));
  CHECK_FALSE(create_token::ascii_iequals("\xC3\x89", "\xC3\xA9"));  // É vs é: not ASCII
}

TEST_CASE("internals: secrets compare equal only when identical") {
  using create_token::secrets_equal;
  CHECK(secrets_equal("s3cr3t-value", "s3cr3t-value"));
  CHECK_FALSE(secrets_equal("s3cr3t-value", "s3cr3t-valuf"));
  CHECK_FALSE(secrets_equal("s3cr3t-value", "s3cr3t-value "));
  CHECK_FALSE(secrets_equal("s3cr3t-value", ""));
  CHECK_FALSE(secrets_equal("a", std::string_view("a\0", 2)));
}

TEST_CASE("internals: protectedRoles accepts a JSON array or a comma list") {
  CHECK(parse_protected_roles(R"(["admin"])") == Roles{"admin"});
  CHECK(parse_protected_roles(R"([ "admin" , "bot", 3, null, "" ])") == Roles{"admin", "bot"});
  CHECK(parse_protected_roles("admin, bot ,,") == Roles{"admin", "bot"});
  CHECK(parse_protected_roles(R"(["admin", "bot")") == Roles{"admin", "bot"});
  CHECK(parse_protected_roles("admin") == Roles{"admin"});
  CHECK(parse_protected_roles("").empty());
  CHECK(parse_protected_roles("[]").empty());
  CHECK(parse_protected_roles("  ").empty());
}

TEST_CASE("registration: start registers what manifest.json declares") {
  std::ifstream in(RCT_SOURCE_DIR "/manifest.json");
  REQUIRE(in.good());
  const auto manifest = nlohmann::json::parse(in);

  hostsdk::mock::MockHost host;
  create_token::CreateTokenPlugin plugin;
  REQUIRE(plugin.start(host).ok());
  const auto routes = host.routes();
  REQUIRE(routes.size() == manifest["routes"].size());
  CHECK(routes[0].method == manifest["routes"][0]["method"]);
  CHECK(routes[0].path == manifest["routes"][0]["path"]);
  CHECK(routes[0].path == "/api/v1/users.createToken");
  CHECK(routes[0].requires_auth);
  const auto permissions = host.permissions();
  REQUIRE(permissions.size() == manifest["permissions"].size());
  CHECK(permissions[0].id == manifest["permissions"][0]["id"]);
  CHECK(permissions[0].default_roles ==
        manifest["permissions"][0]["default_roles"].get<std::vector<std::string>>());
  CHECK(permissions[0].default_roles == Roles{"admin"});
  CHECK(plugin.start(host).code() == hostsdk::StatusCode::kConflict);
  plugin.stop();
}

TEST_CASE("registration: start reports a registry conflict") {
  hostsdk::mock::MockHost host;
  create_token::CreateTokenPlugin first;
  create_token::CreateTokenPlugin second;
  REQUIRE(first.start(host).ok());
  CHECK(second.start(host).code() == hostsdk::StatusCode::kConflict);
}
