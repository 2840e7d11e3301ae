// Crash durability on PostgreSQL: the host is killed with SIGKILL while clients mint tokens and
// started again on the same database (tests/support/crash_harness.h does the cycles and the
// checks; its SQLite twin is tests/e2e/e2e_crash_durability_test.cpp). A session and its
// "issued" audit row commit in one transaction, the foreign keys hold the rest.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crash_harness.h"
#include "host_pair.h"
#include "pg_database.h"

using namespace rct_multihost;

namespace {

bool no_server() { return env("RCT_PG_URL").empty(); }

constexpr int kBusyClients = 48;  // of which kCappedClients mint in the capped workspace
constexpr int kCappedClients = 12;

}  // namespace

TEST_CASE("multihost crash: PostgreSQL server") {
  if (no_server()) MESSAGE("RCT_PG_URL is not set: run through scripts/pg.sh run");
}

TEST_CASE(
    "multihost crash: SIGKILL under load on PostgreSQL loses no answered token and "
    "leaves nothing half-written" *
    doctest::skip(no_server())) {
  PgDatabase db{"crash"};
  rct::HostOptions options;
  options.threads = 4;
  options.extra_args = {"--storage", db.url()};
  rct::HostProcess host(options);

  rct::crash::Backend postgres;
  postgres.query = [&db](const std::string& sql) { return db.rows(sql); };
  postgres.cli = [&db](const std::vector<std::string>& args) {
    const rct::CommandResult r = cli(db.url(), args);
    if (r.exit_code != 0) throw std::runtime_error(args.at(0) + " " + args.at(1) + ": " + r.err);
  };
  postgres.token_hash = token_hash;

  rct::crash::Plan plan;
  // Three kills under busy clients (their requests' writes share group commits, each request
  // one savepoint), then two with one client alone: a request alone in flight tries each
  // write as it is made, and a crash between its session and its audit row would show there.
  plan.cycles = {{kBusyClients, kCappedClients},
                 {kBusyClients, kCappedClients},
                 {kBusyClients, kCappedClients},
                 {1, 0},
                 {1, 0}};
  rct::crash::CrashHarness(host, postgres, plan).run();
}
