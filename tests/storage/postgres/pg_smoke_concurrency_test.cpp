// Smoke test of concurrency: 200 add_session calls from 8 threads on two hosts leave exactly
// the cap newest sessions; lock and pool waits end in kUnavailable instead of hanging.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <pqxx/transaction>

#include "pg_test_env.h"
#include "storage/postgres/pg_pool.h"

using hostsdk::StatusCode;
using rct_pg_test::no_server;
using rct_pg_test::ScratchDatabase;

TEST_CASE("postgres: session cap exact under concurrency from two hosts" *
          doctest::skip(no_server())) {
  constexpr int kSessions = 200;
  constexpr int kThreads = 8;
  constexpr std::size_t kCap = 50;

  ScratchDatabase db("cap");
  host::PostgresOptions options;
  options.pool_size = 3;  // fewer connections than threads: the pool must queue callers
  auto host_a = db.open(options);
  auto host_b = db.open(options);
  host::UserRecord u;
  u.workspace = "ws1";
  u.id = "CAPUSER";
  u.username = "capuser";
  REQUIRE(host_a->add_user(u).ok());
  u.workspace = "ws2";  // same id, other workspace: must not count against ws1's cap
  REQUIRE(host_a->add_user(u).ok());
  REQUIRE(host_a->add_session({"ws2", "CAPUSER", "other-ws", 1, 2}, kCap).ok());

  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      host::Storage& s = t % 2 == 0 ? *host_a : *host_b;
      for (int i = next++; i < kSessions; i = next++) {
        host::SessionRecord session{"ws1", "CAPUSER", "token-" + std::to_string(i), 1'000'000 + i,
                                    9'000'000};
        if (!s.add_session(session, kCap).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);

  auto listed = host_b->list_sessions("ws1", "CAPUSER");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == kCap);
  std::vector<std::int64_t> created;
  for (const auto& s : listed.value()) created.push_back(s.created_ms);
  std::sort(created.begin(), created.end());
  for (std::size_t i = 0; i < kCap; ++i) {
    CHECK(created[i] == 1'000'000 + (kSessions - static_cast<int>(kCap)) + static_cast<int>(i));
  }
  CHECK(host_a->list_sessions("ws2", "CAPUSER")->size() == 1);
}

TEST_CASE("postgres: a user row locked elsewhere gives kUnavailable, not a hang" *
          doctest::skip(no_server())) {
  ScratchDatabase db("lockwait");
  host::PostgresOptions options;
  options.statement_timeout = std::chrono::milliseconds(300);
  auto s = db.open(options);
  host::UserRecord u;
  u.workspace = "ws1";
  u.id = "LOCKED";
  u.username = "locked";
  REQUIRE(s->add_user(u).ok());

  pqxx::connection other(db.url());
  pqxx::work holder(other);  // another host stuck mid-transaction on the same user
  holder.exec("SELECT 1 FROM users WHERE id = 'LOCKED' FOR UPDATE");
  const auto start = std::chrono::steady_clock::now();
  CHECK(s->add_session({"ws1", "LOCKED", "t1", 1, 2}, 5).code() == StatusCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  holder.abort();
  CHECK(s->add_session({"ws1", "LOCKED", "t1", 1, 2}, 5).ok());
}

TEST_CASE("postgres: the pool waits for a free connection at most acquire_timeout" *
          doctest::skip(no_server())) {
  host::PostgresOptions options;
  options.pool_size = 1;
  options.acquire_timeout = std::chrono::milliseconds(200);
  auto conninfo = host::pg::build_conninfo(rct_pg_test::env("RCT_PG_URL"), options);
  REQUIRE(conninfo.ok());
  host::pg::ConnectionPool pool(conninfo.value(), options);
  {
    auto first = pool.acquire();
    REQUIRE(first.ok());
    const auto start = std::chrono::steady_clock::now();
    auto second = pool.acquire();
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(second.status().code() == StatusCode::kUnavailable);
    CHECK(waited >= std::chrono::milliseconds(190));
    CHECK(waited < std::chrono::seconds(2));
  }
  auto again = pool.acquire();  // the first lease came back
  REQUIRE(again.ok());
  CHECK(again.value().reused());
}
