// Crash durability on SQLite: the host is killed with SIGKILL while clients mint tokens and
// started again on the same file (tests/support/crash_harness.h does the cycles and the
// portable checks). Here besides: SQLite's own view that the file is intact.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crash_harness.h"
#include "db_peek.h"
#include "host_process.h"

namespace {

constexpr int kBusyClients = 64;  // of which kCappedClients mint in the capped workspace
constexpr int kCappedClients = 16;

}  // namespace

TEST_CASE("SIGKILL under load loses no answered token and leaves nothing half-written") {
  rct::HostProcess host;
  rct::crash::Backend sqlite;
  sqlite.query = [&host](const std::string& sql) { return rct::DbPeek(host.data_dir()).rows(sql); };
  sqlite.cli = [&host](const std::vector<std::string>& args) {
    const rct::CommandResult r = host.cli(args);
    if (r.exit_code != 0) throw std::runtime_error(args.at(0) + " " + args.at(1) + ": " + r.err);
  };
  sqlite.token_hash = rct::token_hash;
  sqlite.storage_checks = [&host] {
    rct::DbPeek db(host.data_dir());
    CHECK(db.rows("PRAGMA integrity_check") == rct::crash::Rows{{"ok"}});
    CHECK(db.count("SELECT count(*) FROM pragma_foreign_key_check()") == 0);
  };

  rct::crash::Plan plan;
  // Three kills under 64 busy clients (their writes share group commits), then three with
  // one client alone: a request alone in flight tries each write as it is made, and a crash
  // between its session and its audit row would show there (it did, before they were
  // committed together).
  plan.cycles = {{kBusyClients, kCappedClients},
                 {kBusyClients, kCappedClients},
                 {kBusyClients, kCappedClients},
                 {1, 0},
                 {1, 0},
                 {1, 0}};
  rct::crash::CrashHarness(host, sqlite, plan).run();
}
