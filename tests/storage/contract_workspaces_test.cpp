// Storage contract: workspaces and the host-to-workspace mapping.
// Runs against every backend in storage_backends().
#include <algorithm>

#include <doctest/doctest.h>

#include "support/storage_backends.h"
#include "support/test_records.h"

using namespace rct_test;

namespace {
bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}
}  // namespace

TEST_CASE("workspaces: add, list, duplicate") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    auto listed = s.list_workspaces();
    REQUIRE(listed.ok());
    CHECK(contains(*listed, a));
    CHECK(contains(*listed, b));
    CHECK(s.add_workspace(a).code() == StatusCode::kConflict);
    CHECK(s.add_workspace("").code() == StatusCode::kInvalidArgument);
  });
}

TEST_CASE("workspaces: host mapping ignores case, can be remapped, needs the workspace") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    std::string host = f.unique("chat") + ".Example.COM";
    std::string lower = host;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);

    CHECK(s.workspace_for_host(lower).status().code() == StatusCode::kNotFound);
    REQUIRE(s.map_host(host, a).ok());
    auto found = s.workspace_for_host(lower);
    REQUIRE(found.ok());
    CHECK(*found == a);
    CHECK(*s.workspace_for_host(host) == a);

    REQUIRE(s.map_host(lower, b).ok());  // same host, any case: one mapping, now to b
    CHECK(*s.workspace_for_host(host) == b);

    CHECK(s.map_host(f.unique("other.example.com"), f.unique("missing")).code() ==
          StatusCode::kNotFound);
    CHECK(s.map_host("", a).code() == StatusCode::kInvalidArgument);
  });
}

TEST_CASE("plugin enablement is per workspace and unset until set") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    CHECK(s.plugin_enabled(a, "users.createToken").status().code() == StatusCode::kNotFound);
    REQUIRE(s.set_plugin_enabled(a, "users.createToken", false).ok());
    CHECK(*s.plugin_enabled(a, "users.createToken") == false);
    REQUIRE(s.set_plugin_enabled(a, "users.createToken", true).ok());
    CHECK(*s.plugin_enabled(a, "users.createToken") == true);
    CHECK(s.plugin_enabled(b, "users.createToken").status().code() == StatusCode::kNotFound);
    CHECK(s.plugin_enabled(a, "other.plugin").status().code() == StatusCode::kNotFound);
    CHECK(s.set_plugin_enabled(f.unique("missing"), "users.createToken", true).code() ==
          StatusCode::kNotFound);
  });
}
