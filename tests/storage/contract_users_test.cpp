// Storage contract: users CRUD, case-insensitive usernames, and workspace isolation of users
// and sessions.
#include <doctest/doctest.h>

#include "support/storage_backends.h"
#include "support/test_records.h"

using namespace rct_test;

TEST_CASE("users: add and find by id or username") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    auto alice = make_user(ws, "AAAAAAAAAAAAAAAAA", "Alice", {"admin", "user"});
    REQUIRE(s.add_user(alice).ok());

    auto by_id = s.find_user_by_id(ws, alice.id);
    REQUIRE(by_id.ok());
    CHECK(by_id->workspace == ws);
    CHECK(by_id->username == "Alice");  // stored as given
    CHECK(by_id->name == alice.name);
    CHECK(by_id->password_hash == alice.password_hash);
    CHECK(by_id->active);
    CHECK(by_id->roles == std::vector<std::string>{"admin", "user"});
    CHECK(by_id->created_ms == alice.created_ms);

    for (const char* spelling : {"Alice", "alice", "ALICE", "aLiCe"}) {
      CAPTURE(spelling);
      auto by_name = s.find_user_by_username(ws, spelling);
      REQUIRE(by_name.ok());
      CHECK(by_name->id == alice.id);
    }
    CHECK(s.find_user_by_id(ws, "aaaaaaaaaaaaaaaaa").status().code() == StatusCode::kNotFound);
    CHECK(s.find_user_by_username(ws, "alic").status().code() == StatusCode::kNotFound);
    CHECK(s.find_user_by_username(ws, "alice ").status().code() == StatusCode::kNotFound);
  });
}

TEST_CASE("users: username and id are unique per workspace, ignoring username case") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "id-1", "bob")).ok());
    CHECK(s.add_user(make_user(ws, "id-2", "BOB")).code() == StatusCode::kConflict);
    CHECK(s.add_user(make_user(ws, "id-1", "robert")).code() == StatusCode::kConflict);
    CHECK(s.add_user(make_user(f.unique("missing"), "id-3", "carol")).code() ==
          StatusCode::kNotFound);
    CHECK(s.add_user(make_user(ws, "", "dave")).code() == StatusCode::kInvalidArgument);
    CHECK(s.add_user(make_user(ws, "id-4", "")).code() == StatusCode::kInvalidArgument);
  });
}

TEST_CASE("users: list and update") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "id-b", "bravo")).ok());
    REQUIRE(s.add_user(make_user(ws, "id-a", "alpha")).ok());
    auto users = s.list_users(ws);
    REQUIRE(users.ok());
    REQUIRE(users->size() == 2);
    CHECK((*users)[0].username == "alpha");
    CHECK((*users)[1].username == "bravo");

    // Deactivation deletes the user's sessions (and only theirs); activation restores none.
    REQUIRE(s.add_session(make_session(ws, "id-a", "hash-a", 100), 50).ok());
    REQUIRE(s.add_session(make_session(ws, "id-b", "hash-b", 100), 50).ok());
    REQUIRE(s.set_user_active(ws, "id-a", false).ok());
    CHECK_FALSE(s.find_user_by_id(ws, "id-a")->active);
    CHECK(s.find_session(ws, "id-a", "hash-a").status().code() == StatusCode::kNotFound);
    CHECK(s.find_session(ws, "id-b", "hash-b").ok());
    REQUIRE(s.set_user_active(ws, "id-a", true).ok());
    CHECK(s.find_user_by_id(ws, "id-a")->active);
    CHECK(s.find_session(ws, "id-a", "hash-a").status().code() == StatusCode::kNotFound);
    CHECK(s.list_sessions(ws, "id-a")->empty());
    // Sessions issued after activation are kept by a later activation.
    REQUIRE(s.add_session(make_session(ws, "id-a", "hash-a2", 200), 50).ok());
    REQUIRE(s.set_user_active(ws, "id-a", true).ok());
    CHECK(s.find_session(ws, "id-a", "hash-a2").ok());

    REQUIRE(s.set_user_roles(ws, "id-a", {"bot"}).ok());
    CHECK(s.find_user_by_id(ws, "id-a")->roles == std::vector<std::string>{"bot"});
    REQUIRE(s.set_user_roles(ws, "id-a", {}).ok());
    CHECK(s.find_user_by_id(ws, "id-a")->roles.empty());

    REQUIRE(s.set_user_password_hash(ws, "id-a", "$argon2id$other").ok());
    CHECK(s.find_user_by_id(ws, "id-a")->password_hash == "$argon2id$other");

    CHECK(s.set_user_active(ws, "nobody", false).code() == StatusCode::kNotFound);
    CHECK(s.set_user_roles(ws, "nobody", {"x"}).code() == StatusCode::kNotFound);
    CHECK(s.set_user_password_hash(ws, "nobody", "x").code() == StatusCode::kNotFound);
  });
}

TEST_CASE("workspace isolation: users and sessions of B are never seen from A") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.workspace("a");
    std::string b = f.workspace("b");
    REQUIRE(s.add_user(make_user(b, "id-in-b", "shared")).ok());
    // The same username and even the same id may exist in both workspaces.
    REQUIRE(s.add_user(make_user(a, "id-in-a", "Shared")).ok());
    REQUIRE(s.add_user(make_user(a, "id-in-b", "other")).ok());

    CHECK(s.find_user_by_username(a, "shared")->id == "id-in-a");
    CHECK(s.find_user_by_username(b, "SHARED")->id == "id-in-b");
    CHECK(s.find_user_by_id(a, "id-in-b")->username == "other");
    CHECK(s.find_user_by_id(b, "id-in-a").status().code() == StatusCode::kNotFound);
    CHECK(s.list_users(a)->size() == 2);
    CHECK(s.list_users(b)->size() == 1);

    REQUIRE(s.add_session(make_session(b, "id-in-b", "hash-b", 10), 50).ok());
    CHECK(s.find_session(a, "id-in-b", "hash-b").status().code() == StatusCode::kNotFound);
    CHECK(s.find_session(b, "id-in-b", "hash-b").ok());
    CHECK(s.list_sessions(a, "id-in-b")->empty());
    CHECK(s.delete_session(a, "id-in-b", "hash-b").code() == StatusCode::kNotFound);
    CHECK(s.find_session(b, "id-in-b", "hash-b").ok());

    REQUIRE(s.set_user_active(a, "id-in-b", false).ok());
    CHECK(s.find_user_by_id(b, "id-in-b")->active);
  });
}

TEST_CASE("users: add_users inserts all of a batch or, on any conflict, none") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    std::vector<host::UserRecord> batch;
    for (int i = 0; i < 300; ++i) {
      batch.push_back(make_user(ws, "bulk-" + std::to_string(i), "bulk" + std::to_string(i)));
    }
    batch[7].roles = {"admin", "with \"quote\", comma"};
    batch[8].password_hash.clear();
    batch[9].active = false;
    REQUIRE(s.add_users(batch).ok());
    CHECK(s.list_users(ws)->size() == 300);
    auto seventh = s.find_user_by_username(ws, "BULK7");
    REQUIRE(seventh.ok());
    CHECK(seventh->id == "bulk-7");
    CHECK(seventh->roles == std::vector<std::string>{"admin", "with \"quote\", comma"});
    CHECK(seventh->created_ms == 1000);
    CHECK(s.find_user_by_id(ws, "bulk-8")->password_hash.empty());
    CHECK_FALSE(s.find_user_by_id(ws, "bulk-9")->active);
    CHECK(s.add_users({}).ok());

    // One clash (username, any case) fails the whole batch; nothing of it is stored.
    std::vector<host::UserRecord> clash = {make_user(ws, "new-1", "fresh1"),
                                           make_user(ws, "new-2", "Bulk3")};
    CHECK(s.add_users(clash).code() == StatusCode::kConflict);
    CHECK(s.find_user_by_id(ws, "new-1").status().code() == StatusCode::kNotFound);
    CHECK(s.add_users({make_user(ws, "", "x")}).code() == StatusCode::kInvalidArgument);
    CHECK(s.add_users({make_user(f.unique("missing"), "id-9", "y")}).code() ==
          StatusCode::kNotFound);
  });
}
