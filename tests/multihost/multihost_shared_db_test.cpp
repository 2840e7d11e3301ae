// Two rchost processes on one PostgreSQL database: a token works on the other host at once, a
// logout within 1 s, and the per-user cap holds exactly with mints spread over both hosts.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "host_pair.h"
#include "pg_database.h"

using namespace rct_multihost;
using namespace std::chrono_literals;

namespace {

bool no_server() { return env("RCT_PG_URL").empty(); }

// A database with admin [admin] and alice [user], the endpoint open, two hosts serving it.
struct SharedDb {
  PgDatabase db;
  std::string alice_id;
  HostPair hosts;
  Account admin;

  SharedDb(const std::string& tag, const Env& host_env) : db(tag), hosts(db.url(), host_env, 4) {
    add_user(db.url(), "admin", "admin-password-1", "admin");
    alice_id = add_user(db.url(), "alice", "alice-password-1", "user");
    set_setting(db.url(), "CREATE_TOKENS_FOR_USERS", "true");
    hosts.start();
    admin = login(hosts.port(0), "admin", "admin-password-1");
  }
};

}  // namespace

TEST_CASE("multihost: PostgreSQL server") {
  if (no_server()) MESSAGE("RCT_PG_URL is not set: run through scripts/pg.sh run");
}

TEST_CASE("multihost: a token minted on A works on B at once; logout on A ends it on B" *
          doctest::skip(no_server())) {
  SharedDb s("crosshost", {});
  const unsigned short a = s.hosts.port(0), b = s.hosts.port(1);
  REQUIRE(a != b);

  auto created = create_token(a, s.admin, "alice");
  REQUIRE(created.status == 200);
  Account alice = minted(created);
  REQUIRE(alice.id == s.alice_id);
  // No delay on purpose: B reads the same committed row.
  auto on_b = call(b, "GET", "/api/v1/me", {}, auth(alice));
  CHECK(on_b.status == 200);
  CHECK(on_b.json().value("username", "") == "alice");

  // A login on B works on A too.
  Account admin_b = login(b, "admin", "admin-password-1");
  CHECK(call(a, "GET", "/api/v1/me", {}, auth(admin_b)).status == 200);

  CHECK(call(a, "POST", "/api/v1/logout", {}, auth(alice)).status == 200);
  const auto logged_out = std::chrono::steady_clock::now();
  CHECK(call(a, "GET", "/api/v1/me", {}, auth(alice)).status == 401);  // at once where it was
  // Elsewhere as soon as B reads the session again: its read cache (serve --cache-ttl-ms,
  // 500 ms by default) may serve it that long. Never longer than one second.
  int on_b_after = 200;
  while (on_b_after != 401 && std::chrono::steady_clock::now() - logged_out < 1500ms) {
    on_b_after = call(b, "GET", "/api/v1/me", {}, auth(alice)).status;
    if (on_b_after != 401) std::this_thread::sleep_for(20ms);
  }
  CHECK(on_b_after == 401);
  CHECK(std::chrono::steady_clock::now() - logged_out <= 1000ms);
  // The other sessions are untouched.
  CHECK(call(b, "GET", "/api/v1/me", {}, auth(s.admin)).status == 200);
}

TEST_CASE("multihost: 200 concurrent mints over two hosts leave exactly the cap valid" *
          doctest::skip(no_server())) {
  constexpr int kMints = 200;
  constexpr int kThreads = 16;
  constexpr std::int64_t kCap = 10;
  SharedDb s("cap", {{"MAX_RESUME_LOGIN_TOKENS", std::to_string(kCap)}});

  std::atomic<int> next{0};
  std::mutex mutex;
  std::vector<Account> tokens;
  std::vector<int> other_statuses;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kMints; i = next++) {
        auto r = create_token(s.hosts.port(i % 2), s.admin, "alice");
        std::lock_guard lock(mutex);
        if (r.status == 200) {
          tokens.push_back(minted(r));
        } else {
          other_statuses.push_back(r.status);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(other_statuses.empty());
  REQUIRE(tokens.size() == static_cast<std::size_t>(kMints));

  int valid = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto r = call(s.hosts.port(i % 2), "GET", "/api/v1/me", {}, auth(tokens[i]));
    CHECK((r.status == 200 || r.status == 401));
    if (r.status == 200) ++valid;
  }
  CHECK(valid == kCap);
  CHECK(s.db.count("SELECT count(*) FROM sessions WHERE user_id = '" + s.alice_id + "'") == kCap);
  // Every mint was audited, whichever host served it.
  CHECK(s.db.count("SELECT count(*) FROM audit WHERE target_id = '" + s.alice_id +
                   "' AND outcome = 'issued'") == kMints);
}
