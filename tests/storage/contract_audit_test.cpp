// Storage contract: the audit trail, appended and listed newest first with filters.
// Appends from many threads all land, each with its own id.
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "support/storage_backends.h"
#include "support/test_records.h"

using namespace rct_test;

namespace {

host::AuditRecord event(const std::string& ws, std::int64_t time, const std::string& caller,
                        const std::string& target, const std::string& outcome,
                        const std::string& reason) {
  host::AuditRecord r;
  r.time_ms = time;
  r.workspace = ws;
  r.action = "users.createToken";
  r.caller_id = caller;
  r.target_id = target;
  r.client_address = "192.0.2.7";
  r.outcome = outcome;
  r.reason = reason;
  return r;
}

}  // namespace

TEST_CASE("audit: append and list with filters") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string a = f.unique("a");  // audit needs no workspace row
    std::string b = f.unique("b");
    REQUIRE(s.append_audit(event(a, 100, "admin", "u1", "issued", "")).ok());
    REQUIRE(s.append_audit(event(a, 200, "mallory", "u1", "refused", "permission-missing")).ok());
    REQUIRE(s.append_audit(event(a, 300, "admin", "", "refused", "unknown-user")).ok());
    REQUIRE(s.append_audit(event(b, 400, "admin", "u9", "issued", "")).ok());

    host::AuditFilter filter;
    filter.workspace = a;
    auto all = s.list_audit(filter);
    REQUIRE(all.ok());
    REQUIRE(all->size() == 3);
    CHECK((*all)[0].time_ms == 300);  // newest first
    CHECK((*all)[2].time_ms == 100);
    CHECK((*all)[0].id > (*all)[1].id);
    const auto& refused = (*all)[1];
    CHECK(refused.workspace == a);
    CHECK(refused.action == "users.createToken");
    CHECK(refused.caller_id == "mallory");
    CHECK(refused.target_id == "u1");
    CHECK(refused.client_address == "192.0.2.7");
    CHECK(refused.outcome == "refused");
    CHECK(refused.reason == "permission-missing");

    filter.caller_id = "admin";
    CHECK(s.list_audit(filter)->size() == 2);
    filter.outcome = "issued";
    REQUIRE(s.list_audit(filter)->size() == 1);
    CHECK(s.list_audit(filter)->front().time_ms == 100);

    host::AuditFilter by_target;
    by_target.workspace = a;
    by_target.target_id = "u1";
    CHECK(s.list_audit(by_target)->size() == 2);

    host::AuditFilter since;
    since.workspace = a;
    since.since_ms = 200;
    CHECK(s.list_audit(since)->size() == 2);
    since.limit = 1;
    REQUIRE(s.list_audit(since)->size() == 1);
    CHECK(s.list_audit(since)->front().time_ms == 300);

    host::AuditFilter other;
    other.workspace = b;
    CHECK(s.list_audit(other)->size() == 1);
  });
}

TEST_CASE("audit: filters combine, and apply across workspaces when none is given") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    // Unique ids: the database may be shared with other tests, and no workspace narrows it.
    std::string a = f.unique("a"), b = f.unique("b");
    std::string admin = f.unique("admin"), mallory = f.unique("mallory");
    std::string u1 = f.unique("u1"), u2 = f.unique("u2");
    REQUIRE(s.append_audit(event(a, 100, admin, u1, "issued", "")).ok());
    REQUIRE(s.append_audit(event(b, 150, admin, u1, "issued", "")).ok());
    REQUIRE(s.append_audit(event(a, 200, admin, u2, "refused", "deactivated")).ok());
    REQUIRE(s.append_audit(event(b, 250, mallory, u1, "refused", "permission-missing")).ok());
    REQUIRE(s.append_audit(event(b, 300, admin, u1, "failed", "")).ok());

    host::AuditFilter by_caller;  // every workspace
    by_caller.caller_id = admin;
    auto all_admin = s.list_audit(by_caller);
    REQUIRE(all_admin.ok());
    CHECK(all_admin->size() == 4);
    CHECK(all_admin->front().time_ms == 300);  // newest first across workspaces

    host::AuditFilter every;  // all five filters at once
    every.workspace = b;
    every.caller_id = admin;
    every.target_id = u1;
    every.outcome = "issued";
    every.since_ms = 150;
    auto one = s.list_audit(every);
    REQUIRE(one.ok());
    REQUIRE(one->size() == 1);
    CHECK(one->front().time_ms == 150);
    every.since_ms = 151;
    CHECK(s.list_audit(every)->empty());

    host::AuditFilter target_since;
    target_since.target_id = u1;
    target_since.since_ms = 150;
    auto recent = s.list_audit(target_since);
    REQUIRE(recent.ok());
    CHECK(recent->size() == 3);
    target_since.outcome = "refused";
    REQUIRE(s.list_audit(target_since)->size() == 1);
    CHECK(s.list_audit(target_since)->front().caller_id == mallory);

    host::AuditFilter limited;
    limited.caller_id = admin;
    limited.limit = 2;
    auto newest = s.list_audit(limited);
    REQUIRE(newest.ok());
    REQUIRE(newest->size() == 2);
    CHECK((*newest)[0].time_ms == 300);
    CHECK((*newest)[1].time_ms == 200);
    limited.limit = 0;  // no limit
    CHECK(s.list_audit(limited)->size() == 4);

    host::AuditFilter nobody;
    nobody.caller_id = f.unique("nobody");
    CHECK(s.list_audit(nobody)->empty());
  });
}

TEST_CASE("audit: concurrent appends all land with distinct ids") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.unique("w");
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          CHECK(s.append_audit(event(ws, t * 100 + i, std::string("c").append(std::to_string(t)),
                                     "", "issued", ""))
                    .ok());
        }
      });
    }
    for (auto& t : threads) t.join();
    host::AuditFilter filter;
    filter.workspace = ws;
    filter.limit = 0;  // no limit
    auto all = s.list_audit(filter);
    REQUIRE(all.ok());
    CHECK(all->size() == 200);
    std::set<std::int64_t> ids;
    for (const auto& r : *all) ids.insert(r.id);
    CHECK(ids.size() == 200);
  });
}
