// Smoke test of an outage: with the server stopped every call answers kUnavailable quickly,
// and once it is back the same Storage recovers by itself, with committed data intact.
#include <chrono>
#include <thread>
#include <vector>

#include "pg_test_env.h"

using hostsdk::StatusCode;
using rct_pg_test::env;
using rct_pg_test::no_server;
using rct_pg_test::pg_script;
using rct_pg_test::ScratchDatabase;
using Clock = std::chrono::steady_clock;

namespace {

// Restarts the server even when a check fails, so later test cases still have one.
struct ResumeOnExit {
  ~ResumeOnExit() {
    if (halted) pg_script("resume");
  }
  bool halted = false;
};

}  // namespace

TEST_CASE("postgres: unavailable while the server is down, recovers after restart" *
          doctest::skip(no_server())) {
  if (env("RCT_PG_DIR").empty()) {
    MESSAGE("RCT_PG_DIR is not set (server not from scripts/pg.sh): outage case skipped");
    return;
  }
  ScratchDatabase db("outage");
  auto s = db.open();
  REQUIRE(s->set_setting("ws1", "before", "kept").ok());
  // Several idle pooled connections, all of which the restart will break.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i) warm.emplace_back([&] { (void)s->get_setting("ws1", "before"); });
  for (auto& t : warm) t.join();

  ResumeOnExit guard;
  REQUIRE(pg_script("halt"));
  guard.halted = true;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    CHECK(s->get_setting("ws1", "before").status().code() == StatusCode::kUnavailable);
    CHECK(s->set_setting("ws1", "during", "x").code() == StatusCode::kUnavailable);
    CHECK(Clock::now() - start < std::chrono::seconds(3));
  }

  REQUIRE(pg_script("resume"));
  guard.halted = false;
  // Past the reconnect backoff, the first call must already succeed: stale connections are
  // dropped and the statement retried on a new one.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto after = s->get_setting("ws1", "before");
  REQUIRE_MESSAGE(after.ok(), after.status().message());
  CHECK(after.value() == "kept");
  CHECK(s->set_setting("ws1", "after", "y").ok());
  CHECK(s->get_setting("ws1", "during").status().code() == StatusCode::kNotFound);
  for (int i = 0; i < 20; ++i) CHECK(s->get_setting("ws1", "after").ok());
}

TEST_CASE("postgres: a restart while idle goes unnoticed by callers" * doctest::skip(no_server())) {
  if (env("RCT_PG_DIR").empty()) return;
  ScratchDatabase db("restart");
  auto s = db.open();
  REQUIRE(s->set_setting("ws1", "before", "kept").ok());
  {
    ResumeOnExit guard;
    REQUIRE(pg_script("halt"));
    guard.halted = true;
    REQUIRE(pg_script("resume"));
    guard.halted = false;
  }
  // The pooled connection is stale; the backend notices, reconnects and retries once.
  auto read = s->get_setting("ws1", "before");
  REQUIRE_MESSAGE(read.ok(), read.status().message());
  CHECK(read.value() == "kept");
  CHECK(s->set_setting("ws1", "after", "y").ok());
}
