// Storage contract: permission roles seeded once per workspace, and workspace settings.
// Both are keyed by workspace; nothing set in one is visible in another.
#include <doctest/doctest.h>

#include "support/storage_backends.h"
#include "support/test_records.h"

using namespace rct_test;
using Roles = std::vector<std::string>;

TEST_CASE("permissions: ensure seeds the defaults only the first time, per workspace") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    CHECK(s.permission_roles(a, "perm").status().code() == StatusCode::kNotFound);

    REQUIRE(s.ensure_permission(a, "perm", {"admin", "bot"}).ok());
    CHECK(*s.permission_roles(a, "perm") == Roles{"admin", "bot"});
    // A second start declaring other defaults does not reset what is stored.
    REQUIRE(s.ensure_permission(a, "perm", {"user"}).ok());
    CHECK(*s.permission_roles(a, "perm") == Roles{"admin", "bot"});

    CHECK(s.permission_roles(b, "perm").status().code() == StatusCode::kNotFound);
    REQUIRE(s.ensure_permission(b, "perm", {"user"}).ok());
    CHECK(*s.permission_roles(b, "perm") == Roles{"user"});
    CHECK(*s.permission_roles(a, "perm") == Roles{"admin", "bot"});

    // Known with no roles is different from unknown.
    REQUIRE(s.ensure_permission(a, "nobody-has-it", {}).ok());
    auto empty = s.permission_roles(a, "nobody-has-it");
    REQUIRE(empty.ok());
    CHECK(empty->empty());

    CHECK(s.ensure_permission(f.unique("missing"), "perm", {"admin"}).code() ==
          StatusCode::kNotFound);
  });
}

TEST_CASE("settings: set, overwrite, unset, per workspace") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    CHECK(s.get_setting(a, "Accounts_LoginExpiration").status().code() == StatusCode::kNotFound);
    REQUIRE(s.set_setting(a, "Accounts_LoginExpiration", "2").ok());
    CHECK(*s.get_setting(a, "Accounts_LoginExpiration") == "2");
    REQUIRE(s.set_setting(a, "Accounts_LoginExpiration", "7").ok());
    CHECK(*s.get_setting(a, "Accounts_LoginExpiration") == "7");
    CHECK(s.get_setting(b, "Accounts_LoginExpiration").status().code() == StatusCode::kNotFound);

    REQUIRE(s.set_setting(a, "empty", "").ok());  // an empty value is still a value
    CHECK(*s.get_setting(a, "empty") == "");
    // Names are exact: settings are not case-folded.
    CHECK(s.get_setting(a, "accounts_loginexpiration").status().code() == StatusCode::kNotFound);

    REQUIRE(s.unset_setting(a, "Accounts_LoginExpiration").ok());
    CHECK(s.get_setting(a, "Accounts_LoginExpiration").status().code() == StatusCode::kNotFound);
    CHECK(s.unset_setting(a, "Accounts_LoginExpiration").code() == StatusCode::kNotFound);
    CHECK(s.set_setting(a, "", "x").code() == StatusCode::kInvalidArgument);
    CHECK(s.set_setting(f.unique("missing"), "x", "y").code() == StatusCode::kNotFound);
  });
}
