// Services suite, accounts: user creation (ids, password hashes, validation), password login,
// authentication, and the Users lookups, all confined to one workspace.
#include <doctest/doctest.h>

#include "support/services_fixture.h"

using namespace rct_test;

namespace {

constexpr std::string_view kIdAlphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";

}  // namespace

TEST_CASE("add_user: Rocket.Chat-style id, Argon2id hash, username unique ignoring case") {
  ServicesFixture f;
  auto id = f->add_user("default", "Alice", "Alice A.", "s3cret-pass", {"admin", "user"});
  REQUIRE(id.ok());
  CHECK(id->size() == 17);
  CHECK(id->find_first_not_of(kIdAlphabet) == std::string::npos);

  auto stored = f.storage().find_user_by_id("default", *id);
  REQUIRE(stored.ok());
  CHECK(stored->username == "Alice");
  CHECK(stored->name == "Alice A.");
  CHECK(stored->roles == std::vector<std::string>{"admin", "user"});
  CHECK(stored->active);
  CHECK(stored->password_hash.rfind("$argon2id$", 0) == 0);
  CHECK(stored->password_hash.find("s3cret-pass") == std::string::npos);
  CHECK(read_bytes(f.db_path).find("s3cret-pass") == std::string::npos);
  CHECK(read_bytes(f.db_path + "-wal").find("s3cret-pass") == std::string::npos);

  CHECK(f->add_user("default", "ALICE", "", "x", {}).status().code() == StatusCode::kConflict);
  CHECK(f->add_user("nowhere", "carol", "", "x", {}).status().code() == StatusCode::kNotFound);
  auto other = f->add_user("default", "bob", "", "", {"bot"});
  REQUIRE(other.ok());
  CHECK(*other != *id);
  CHECK(f.storage().find_user_by_id("default", *other)->password_hash.empty());
  CHECK(f.storage().find_user_by_id("default", *other)->name == "bob");
}

TEST_CASE("add_user: usernames, names and roles are validated") {
  ServicesFixture f;
  for (const std::string& bad :
       {std::string(), std::string("a b"), std::string("tab\t"), std::string("ümlaut"),
        std::string("semi;colon"), std::string(65, 'a')}) {
    CAPTURE(bad);
    CHECK(f->add_user("default", bad, "", "", {}).status().code() == StatusCode::kInvalidArgument);
  }
  for (const char* good : {"a", "rocket.cat", "under_score", "dash-ed", "X9"}) {
    CAPTURE(good);
    CHECK(f->add_user("default", good, "", "", {}).ok());
  }
  CHECK(f->add_user("default", "n1", "line\nbreak", "", {}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(f->add_user("default", "n2", "", "", {""}).status().code() == StatusCode::kInvalidArgument);
  CHECK(f->add_user("", "n3", "", "", {}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("login: by username (any case) or id; every failure is kNotFound") {
  ServicesFixture f;
  std::string id = f.user("alice", "correct horse", {"user"});
  std::string nopass = f.user("nopass");

  auto by_name = f->login("default", "ALICE", "correct horse");
  REQUIRE(by_name.ok());
  CHECK(by_name->user.id == id);
  CHECK(by_name->user.username == "alice");
  CHECK(by_name->token.size() == 43);
  CHECK(f->authenticate("default", id, by_name->token).ok());

  auto by_id = f->login("default", id, "correct horse");
  REQUIRE(by_id.ok());
  CHECK(by_id->token != by_name->token);

  CHECK(f->login("default", "alice", "wrong").status().code() == StatusCode::kNotFound);
  CHECK(f->login("default", "alice", "").status().code() == StatusCode::kNotFound);
  CHECK(f->login("default", "nobody", "correct horse").status().code() == StatusCode::kNotFound);
  CHECK(f->login("default", "nopass", "").status().code() == StatusCode::kNotFound);
  CHECK(f->login("other", "alice", "correct horse").status().code() == StatusCode::kNotFound);

  REQUIRE(f.storage().set_user_active("default", id, false).ok());
  CHECK(f->login("default", "alice", "correct horse").status().code() == StatusCode::kNotFound);
  CHECK(f->authenticate("default", id, by_name->token).status().code() == StatusCode::kNotFound);
}

TEST_CASE("users: lookups by id exactly and by username ignoring case, in one workspace") {
  ServicesFixture f;
  REQUIRE(f.storage().add_workspace("other").ok());
  std::string id = f.user("Alice", "", {"admin"});
  std::string other_id = f.user("bob", "", {"user"}, "other");

  auto found = f->users().find_by_username("default", "aLIce");
  REQUIRE(found.ok());
  CHECK(found->id == id);
  CHECK(found->roles == std::vector<std::string>{"admin"});
  CHECK(f->users().find_by_id("default", id)->username == "Alice");

  std::string lower_id = id;
  for (char& c : lower_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower_id != id) {
    CHECK(f->users().find_by_id("default", lower_id).status().code() == StatusCode::kNotFound);
  }
  CHECK(f->users().find_by_username("default", "bob").status().code() == StatusCode::kNotFound);
  CHECK(f->users().find_by_id("default", other_id).status().code() == StatusCode::kNotFound);
  CHECK(f->users().find_by_id("other", other_id).ok());
  CHECK(f->users().find_by_username("default", "").status().code() == StatusCode::kNotFound);
}
