// Smoke test of the PostgreSQL backend on a live server: schema, users, workspaces, sessions,
// settings, plugins, permissions, audit and error codes.
#include <cstdio>
#include <future>
#include <vector>

#include "pg_test_env.h"

using hostsdk::StatusCode;
using rct_pg_test::no_server;
using rct_pg_test::ScratchDatabase;

namespace {

host::UserRecord user(std::string ws, std::string id, std::string username) {
  host::UserRecord u;
  u.workspace = std::move(ws);
  u.id = std::move(id);
  u.username = std::move(username);
  u.name = "Name of " + u.username;
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  u.roles = {"user"};
  u.created_ms = 1700000000000;
  return u;
}

}  // namespace

TEST_CASE("postgres smoke: server") {
  if (no_server()) {
    std::printf(
        "RCT_PG_URL is not set: skipping the PostgreSQL smoke tests "
        "(run them with: scripts/pg.sh run ctest -R storage_postgres)\n");
  }
}

TEST_CASE("postgres: bad URL and unreachable server" * doctest::skip(no_server())) {
  auto bad = host::open_postgres_storage("postgresql://[::1");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  auto down = host::open_postgres_storage("postgresql:///rct?host=/nonexistent-rct-socket-dir");
  CHECK(down.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("postgres: schema created, and hosts starting together migrate once" *
          doctest::skip(no_server())) {
  ScratchDatabase db("migrate");
  std::vector<std::future<hostsdk::StatusCode>> opens;
  for (int i = 0; i < 4; ++i) {
    opens.push_back(std::async(std::launch::async, [&] {
      auto s = host::open_postgres_storage(db.url());
      return s.status().code();
    }));
  }
  for (auto& f : opens) CHECK(f.get() == StatusCode::kOk);
  CHECK(db.query_one("SELECT max(version) FROM schema_version") == "1");
  CHECK(db.query_one("SELECT count(*) FROM schema_version") == "1");
  // Reopening an up-to-date database changes nothing.
  auto again = db.open();
  CHECK(db.query_one("SELECT count(*) FROM schema_version") == "1");
}

TEST_CASE("postgres: a host refuses a schema newer than it knows" * doctest::skip(no_server())) {
  ScratchDatabase db("newer");
  db.open();
  db.query_one("INSERT INTO schema_version (version) VALUES (99) RETURNING version");
  auto opened = host::open_postgres_storage(db.url());
  CHECK(opened.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("postgres: users, case-insensitive usernames, workspace isolation" *
          doctest::skip(no_server())) {
  ScratchDatabase db("users");
  auto s = db.open();

  auto alice = user("ws1", "AAAAAAAAAAAAAAAA1", "Alice");
  alice.roles = {"admin", "a,b", "q\"uote", "back\\slash", "NULL", "", "{brace}", "ünï"};
  REQUIRE(s->add_user(alice).ok());
  CHECK(s->add_user(user("ws1", "AAAAAAAAAAAAAAAA1", "other")).code() == StatusCode::kConflict);
  CHECK(s->add_user(user("ws1", "AAAAAAAAAAAAAAAA2", "ALICE")).code() == StatusCode::kConflict);
  CHECK(s->add_user(user("ws2", "AAAAAAAAAAAAAAAA1", "alice")).ok());  // other workspace
  CHECK(s->add_user(user("ws3", "AAAAAAAAAAAAAAAA1", "alice")).code() == StatusCode::kNotFound);

  auto found = s->find_user_by_username("ws1", "aLiCe");
  REQUIRE(found.ok());
  CHECK(found->id == alice.id);
  CHECK(found->username == "Alice");
  CHECK(found->name == alice.name);
  CHECK(found->password_hash == alice.password_hash);
  CHECK(found->active);
  CHECK(found->roles == alice.roles);
  CHECK(found->created_ms == alice.created_ms);

  // Only ASCII case folds: "Ä" is not "ä".
  REQUIRE(s->add_user(user("ws1", "AAAAAAAAAAAAAAAA3", "Änne")).ok());
  CHECK(s->find_user_by_username("ws1", "änne").status().code() == StatusCode::kNotFound);
  CHECK(s->find_user_by_username("ws1", "ÄNNE").ok());

  CHECK(s->find_user_by_username("ws3", "alice").status().code() == StatusCode::kNotFound);
  CHECK(s->find_user_by_id("ws2", "AAAAAAAAAAAAAAAA1")->workspace == "ws2");
  CHECK(s->find_user_by_id("ws1", "nope").status().code() == StatusCode::kNotFound);
  auto listed = s->list_users("ws1");  // by username, ignoring ASCII case
  REQUIRE(listed->size() == 2);
  CHECK(listed.value()[0].username == "Alice");
  CHECK(listed.value()[1].username == "Änne");
  CHECK(s->list_users("ws2")->size() == 1);
  CHECK(s->list_users("empty")->empty());

  CHECK(s->set_user_active("ws1", alice.id, false).ok());
  CHECK_FALSE(s->find_user_by_id("ws1", alice.id)->active);
  CHECK(s->find_user_by_id("ws2", alice.id)->active);  // the other workspace's user untouched
  CHECK(s->set_user_roles("ws1", alice.id, {}).ok());
  CHECK(s->find_user_by_id("ws1", alice.id)->roles.empty());
  CHECK(s->set_user_password_hash("ws1", alice.id, "").ok());
  CHECK(s->find_user_by_id("ws1", alice.id)->password_hash.empty());
  CHECK(s->set_user_active("ws1", "nope", true).code() == StatusCode::kNotFound);
  CHECK(s->set_user_roles("ws1", "nope", {"x"}).code() == StatusCode::kNotFound);
  CHECK(s->set_user_password_hash("ws1", "nope", "h").code() == StatusCode::kNotFound);

  // PostgreSQL text cannot hold NUL; refusing beats silently truncating.
  CHECK(s->find_user_by_username("ws1", std::string("alice\0x", 7)).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(s->add_user(user("ws1", "AAAAAAAAAAAAAAAA9", "")).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("postgres: workspaces and host map" * doctest::skip(no_server())) {
  ScratchDatabase db("workspaces");
  auto s = db.open();
  CHECK(s->add_workspace("default").ok());
  CHECK(s->add_workspace("acme").ok());
  CHECK(s->add_workspace("acme").code() == StatusCode::kConflict);
  CHECK(s->list_workspaces().value() == std::vector<std::string>{"acme", "default", "ws1", "ws2"});
  CHECK(s->workspace_for_host("chat.acme.test").status().code() == StatusCode::kNotFound);
  CHECK(s->map_host("Chat.ACME.test", "acme").ok());
  CHECK(s->workspace_for_host("chat.acme.test").value() == "acme");
  CHECK(s->workspace_for_host("CHAT.acme.TEST").value() == "acme");
  CHECK(s->map_host("chat.acme.test", "default").ok());  // remapping replaces, any case
  CHECK(s->workspace_for_host("Chat.Acme.Test").value() == "default");
  CHECK(s->map_host("x.test", "missing").code() == StatusCode::kNotFound);
  CHECK(s->map_host("", "acme").code() == StatusCode::kInvalidArgument);
}

TEST_CASE("postgres: sessions" * doctest::skip(no_server())) {
  ScratchDatabase db("sessions");
  auto s = db.open();
  REQUIRE(s->add_user(user("ws1", "U1", "one")).ok());
  REQUIRE(s->add_user(user("ws2", "U1", "one")).ok());

  host::SessionRecord a{"ws1", "U1", "hashA", 1000, 9000};
  CHECK(s->add_session(a, 50).ok());
  CHECK(s->add_session(a, 50).code() == StatusCode::kConflict);
  CHECK(s->add_session({"ws1", "ghost", "hashG", 1, 2}, 50).code() == StatusCode::kNotFound);
  CHECK(s->add_session({"ws1", "U1", "hashZ", 1, 2}, 0).code() == StatusCode::kInvalidArgument);

  auto found = s->find_session("ws1", "U1", "hashA");
  REQUIRE(found.ok());
  CHECK(found->created_ms == 1000);
  CHECK(found->expires_ms == 9000);
  CHECK(s->find_session("ws2", "U1", "hashA").status().code() == StatusCode::kNotFound);

  // The cap keeps the newest by created_ms, whatever the insertion order.
  CHECK(s->add_session({"ws1", "U1", "hashC", 3000, 9000}, 2).ok());
  CHECK(s->add_session({"ws1", "U1", "hashB", 2000, 9000}, 2).ok());
  auto listed = s->list_sessions("ws1", "U1");  // newest first
  REQUIRE(listed->size() == 2);
  CHECK(listed.value()[0].token_hash == "hashC");
  CHECK(listed.value()[1].token_hash == "hashB");

  CHECK(s->delete_session("ws1", "U1", "hashB").ok());
  CHECK(s->delete_session("ws1", "U1", "hashB").code() == StatusCode::kNotFound);
  CHECK(s->list_sessions("ws1", "U1")->size() == 1);
  CHECK(s->list_sessions("ws2", "U1")->empty());
}

TEST_CASE("postgres: settings, plugin enablement, permissions" * doctest::skip(no_server())) {
  ScratchDatabase db("settings");
  auto s = db.open();
  CHECK(s->get_setting("ws1", "protectedRoles").status().code() == StatusCode::kNotFound);
  CHECK(s->set_setting("ws1", "protectedRoles", "admin").ok());
  CHECK(s->set_setting("ws1", "protectedRoles", "admin,owner").ok());
  CHECK(s->get_setting("ws1", "protectedRoles").value() == "admin,owner");
  CHECK(s->get_setting("ws2", "protectedRoles").status().code() == StatusCode::kNotFound);
  CHECK(s->set_setting("ws1", "empty", "").ok());
  CHECK(s->get_setting("ws1", "empty").value().empty());
  CHECK(s->unset_setting("ws1", "protectedRoles").ok());
  CHECK(s->get_setting("ws1", "protectedRoles").status().code() == StatusCode::kNotFound);
  CHECK(s->unset_setting("ws1", "protectedRoles").code() == StatusCode::kNotFound);
  CHECK(s->set_setting("ws1", "", "x").code() == StatusCode::kInvalidArgument);
  CHECK(s->set_setting("ws9", "x", "y").code() == StatusCode::kNotFound);
  CHECK(s->set_plugin_enabled("ws9", "p", true).code() == StatusCode::kNotFound);
  CHECK(s->ensure_permission("ws9", "p", {}).code() == StatusCode::kNotFound);

  CHECK(s->plugin_enabled("ws1", "users.createToken").status().code() == StatusCode::kNotFound);
  CHECK(s->set_plugin_enabled("ws1", "users.createToken", false).ok());
  CHECK(s->plugin_enabled("ws1", "users.createToken").value() == false);
  CHECK(s->set_plugin_enabled("ws1", "users.createToken", true).ok());
  CHECK(s->plugin_enabled("ws1", "users.createToken").value() == true);
  CHECK(s->plugin_enabled("ws2", "users.createToken").status().code() == StatusCode::kNotFound);

  const std::vector<std::string> defaults{"admin", "bot", "app"};
  CHECK(s->permission_roles("ws1", "api-bypass-rate-limit").status().code() ==
        StatusCode::kNotFound);
  CHECK(s->ensure_permission("ws1", "api-bypass-rate-limit", defaults).ok());
  CHECK(s->permission_roles("ws1", "api-bypass-rate-limit").value() == defaults);
  // Seeded only when new: a second ensure with other defaults keeps the first roles.
  CHECK(s->ensure_permission("ws1", "api-bypass-rate-limit", {"user"}).ok());
  CHECK(s->permission_roles("ws1", "api-bypass-rate-limit").value() == defaults);
  CHECK(s->ensure_permission("ws1", "create-token", {}).ok());
  CHECK(s->permission_roles("ws1", "create-token").value().empty());
}

TEST_CASE("postgres: audit" * doctest::skip(no_server())) {
  ScratchDatabase db("audit");
  auto s = db.open();
  auto event = [](std::int64_t t, std::string ws, std::string outcome) {
    host::AuditRecord r;
    r.time_ms = t;
    r.workspace = std::move(ws);
    r.action = "users.createToken";
    r.caller_id = "CALLER";
    r.target_id = "TARGET";
    r.client_address = "127.0.0.1";
    r.outcome = std::move(outcome);
    r.reason = r.outcome == "ok" ? "" : "gate-closed";
    return r;
  };
  CHECK(s->append_audit(event(100, "ws1", "ok")).ok());
  CHECK(s->append_audit(event(200, "ws1", "refused")).ok());
  CHECK(s->append_audit(event(300, "ws2", "ok")).ok());

  auto all = s->list_audit({});  // newest first; no workspace row needed
  REQUIRE(all->size() == 3);
  CHECK(all.value()[2].id > 0);
  CHECK(all.value()[0].id > all.value()[1].id);
  CHECK(all.value()[0].time_ms == 300);
  CHECK(all.value()[1].reason == "gate-closed");
  CHECK(all.value()[1].client_address == "127.0.0.1");

  host::AuditFilter f;
  f.workspace = "ws1";
  CHECK(s->list_audit(f)->size() == 2);
  f.outcome = "refused";
  CHECK(s->list_audit(f)->size() == 1);
  f = {};
  f.since_ms = 200;
  CHECK(s->list_audit(f)->size() == 2);
  f.limit = 1;
  CHECK(s->list_audit(f)->front().time_ms == 300);
  f.limit = 0;  // no limit
  CHECK(s->list_audit(f)->size() == 2);
  f = {};
  f.caller_id = "someone else";
  CHECK(s->list_audit(f)->empty());
}
