// Services suite, read cache and request commit scope: what this process changes is seen at
// once (logout, deactivation, cap pruning, settings), another process's within the TTL.
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "storage/commit_scope.h"
#include "support/services_fixture.h"

using namespace rct_test;
using namespace std::chrono_literals;

namespace {

constexpr auto kTtl = 300ms;

// Two Services over one SQLite file: `host` caches like rchost serve, `other` plays another
// process (the CLI).
struct CachedPair {
  CachedPair() {
    std::string url = "sqlite:" + dir.file("data/host.db");
    host::ServicesConfig config;
    config.storage_url = url;
    config.settings_from_environment = false;
    config.cache_ttl = kTtl;
    auto opened = host::Services::open(config, nullptr);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    host = std::move(opened).value();
    config.cache_ttl = 0ms;
    auto second = host::Services::open(config, nullptr);
    REQUIRE_MESSAGE(second.ok(), second.status().message());
    other = std::move(second).value();
  }

  std::string user(const std::string& username) {
    auto id = host->add_user("default", username, username, "", {"user"});
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return id.value();
  }
  std::string token(const std::string& id) {
    auto issued = host->sessions().issue("default", id);
    REQUIRE_MESSAGE(issued.ok(), issued.status().message());
    return issued.value();
  }
  bool works(const std::string& id, const std::string& token) {
    return host->authenticate("default", id, token).ok();
  }

  TempDir dir;
  std::unique_ptr<host::Services> host;
  std::unique_ptr<host::Services> other;
};

}  // namespace

TEST_CASE("cache: logout and deactivation in this process take effect at once") {
  CachedPair p;
  std::string alice = p.user("alice");
  std::string t1 = p.token(alice), t2 = p.token(alice);
  REQUIRE(p.works(alice, t1));  // now cached
  REQUIRE(p.works(alice, t2));
  REQUIRE(p.host->sessions().revoke("default", alice, t1).ok());
  CHECK_FALSE(p.works(alice, t1));
  CHECK(p.works(alice, t2));

  REQUIRE(p.host->storage().set_user_active("default", alice, false).ok());
  CHECK_FALSE(p.works(alice, t2));
  REQUIRE(p.host->storage().set_user_active("default", alice, true).ok());
  CHECK_FALSE(p.works(alice, t2));  // deactivation ended it for good
  CHECK(p.works(alice, p.token(alice)));
}

TEST_CASE("cache: tokens pruned by the per-user cap stop working at once") {
  CachedPair p;
  std::string bob = p.user("bob");
  REQUIRE(p.host->storage().set_setting("default", "MAX_RESUME_LOGIN_TOKENS", "2").ok());
  std::string oldest = p.token(bob);
  REQUIRE(p.works(bob, oldest));
  std::string second = p.token(bob);
  REQUIRE(p.works(bob, second));
  std::string third = p.token(bob);  // prunes `oldest`
  CHECK_FALSE(p.works(bob, oldest));
  CHECK(p.works(bob, second));
  CHECK(p.works(bob, third));
}

TEST_CASE("cache: another process's changes are seen within the TTL, a new token at once") {
  CachedPair p;
  std::string carol = p.user("carol");
  std::string token = p.token(carol);
  REQUIRE(p.works(carol, token));
  CHECK(p.host->settings().get("default", "protectedRoles").status().code() ==
        StatusCode::kNotFound);

  REQUIRE(p.other->storage().set_setting("default", "protectedRoles", "[\"admin\"]").ok());
  REQUIRE(p.other->storage().set_user_active("default", carol, false).ok());
  // A token minted elsewhere is never hidden by the cache (absent sessions are not cached).
  std::string dave = p.user("dave");
  auto minted = p.other->sessions().issue("default", dave);
  REQUIRE(minted.ok());
  CHECK(p.works(dave, minted.value()));

  std::this_thread::sleep_for(kTtl + 50ms);
  auto roles = p.host->settings().get("default", "protectedRoles");
  REQUIRE(roles.ok());
  CHECK(roles.value() == "[\"admin\"]");
  CHECK_FALSE(p.works(carol, token));
}

TEST_CASE("request writes: deferred ones commit together, durable once the commit reports") {
  CachedPair p;
  std::string erin = p.user("erin");
  hostsdk::AuditEvent event;
  event.workspace = "default";
  event.action = "users.createToken";
  event.caller_id = erin;
  event.target_id = erin;
  event.outcome = "issued";

  host::RequestWrites writes;
  writes.set_mode(host::RequestWrites::Mode::kDeferred);
  std::string token;
  {
    host::CommitScope scope(writes);
    auto issued = p.host->sessions().issue("default", erin);
    REQUIRE(issued.ok());
    token = issued.value();
    REQUIRE(p.host->audit().record(event).ok());
  }
  CHECK_FALSE(p.other->authenticate("default", erin, token).ok());  // queued, not written
  CHECK(writes.wait().ok());
  CHECK(p.other->authenticate("default", erin, token).ok());
  CHECK(p.works(erin, token));

  // One failing write fails the request's whole unit: its audit record is not kept either.
  auto audit_count = [&] { return p.other->storage().list_audit({}).value().size(); };
  std::size_t before = audit_count();
  host::RequestWrites failing;
  failing.set_mode(host::RequestWrites::Mode::kDeferred);
  {
    host::CommitScope scope(failing);
    REQUIRE(p.host->audit().record(event).ok());
    host::SessionRecord orphan{"default", "no-such-user", "hash-of-nothing", 1, 2};
    REQUIRE(p.host->storage().add_session(orphan, 50).ok());
  }
  CHECK(failing.wait().code() == StatusCode::kNotFound);
  CHECK(audit_count() == before);

  // Immediate mode (a request alone in flight): a write that cannot be made fails at once,
  // in the handler; the others are durable only with the request's commit, all together (a
  // crash in between must not keep a session without its audit record).
  host::RequestWrites immediate;
  immediate.set_mode(host::RequestWrites::Mode::kImmediate);
  std::string alone;
  before = audit_count();
  {
    host::CommitScope scope(immediate);
    host::SessionRecord orphan{"default", "no-such-user", "hash-of-nothing", 1, 2};
    CHECK(p.host->storage().add_session(orphan, 50).code() == StatusCode::kNotFound);
    auto issued = p.host->sessions().issue("default", erin);
    REQUIRE(issued.ok());
    alone = issued.value();
    REQUIRE(p.host->audit().record(event).ok());
    CHECK_FALSE(p.other->authenticate("default", erin, alone).ok());  // tried, not yet written
  }
  CHECK(audit_count() == before);
  CHECK(immediate.wait().ok());
  CHECK(p.other->authenticate("default", erin, alone).ok());
  CHECK(audit_count() == before + 1);
}
