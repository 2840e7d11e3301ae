// Sessions whose delete failed in an outage are deleted once the server is back, by the
// backend itself: a revocation asked for while the database was down still happens.
#include <chrono>
#include <thread>

#include "pg_test_env.h"
#include "storage/postgres/pg_storage.h"

using hostsdk::StatusCode;
using rct_pg_test::env;
using rct_pg_test::no_server;
using rct_pg_test::pg_script;
using rct_pg_test::ScratchDatabase;

TEST_CASE("postgres: a revocation refused in an outage lands once the server is back" *
          doctest::skip(no_server())) {
  if (env("RCT_PG_DIR").empty()) return;
  ScratchDatabase db("sweeper");
  auto opened = db.open();
  auto* s = dynamic_cast<host::PostgresStorage*>(opened.get());
  REQUIRE(s != nullptr);
  host::UserRecord u;
  u.workspace = "ws1";
  u.id = "SWEPT";
  u.username = "swept";
  REQUIRE(s->add_user(u).ok());
  REQUIRE(s->add_session({"ws1", "SWEPT", "revoked", 1, 9'000'000'000'000}, 10).ok());
  REQUIRE(s->add_session({"ws1", "SWEPT", "kept", 2, 9'000'000'000'000}, 10).ok());

  struct ResumeOnExit {
    ~ResumeOnExit() {
      if (halted) pg_script("resume");
    }
    bool halted = false;
  } guard;
  REQUIRE(pg_script("halt"));
  guard.halted = true;
  CHECK(s->delete_session("ws1", "SWEPT", "revoked").code() == StatusCode::kUnavailable);
  CHECK(s->sessions_pending_deletion() == 1);
  REQUIRE(pg_script("resume"));
  guard.halted = false;

  const auto start = std::chrono::steady_clock::now();
  while (s->sessions_pending_deletion() > 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(s->sessions_pending_deletion() == 0);
  CHECK(s->find_session("ws1", "SWEPT", "revoked").status().code() == StatusCode::kNotFound);
  CHECK(s->find_session("ws1", "SWEPT", "kept").ok());
}
