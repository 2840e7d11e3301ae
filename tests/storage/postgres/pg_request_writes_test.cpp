// A request's writes on PostgreSQL (RequestWrites): its session and audit rows commit in one
// transaction at the request's commit, several requests share one group commit with a
// savepoint each, a request alone still hears of a failed write at once, and a commit whose
// outcome is unknown leaves no session behind.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/transaction>

#include "pg_test_env.h"
#include "storage/commit_scope.h"
#include "storage/postgres/pg_storage.h"

using hostsdk::StatusCode;
using rct_pg_test::env;
using rct_pg_test::no_server;
using rct_pg_test::pg_script;
using rct_pg_test::ScratchDatabase;
using namespace std::chrono_literals;
using Mode = host::RequestWrites::Mode;

namespace {

constexpr std::int64_t kFar = 9'000'000'000'000;

host::UserRecord user(const std::string& id) {
  host::UserRecord u;
  u.workspace = "ws1";
  u.id = id;
  u.username = id;
  u.roles = {"user"};
  return u;
}

host::SessionRecord session(const std::string& user_id, const std::string& hash) {
  return {"ws1", user_id, hash, 1000, kFar};
}

host::AuditRecord issued(const std::string& target) {
  host::AuditRecord record;
  record.time_ms = 1000;
  record.workspace = "ws1";
  record.action = "users.createToken";
  record.caller_id = "admin";
  record.target_id = target;
  record.outcome = "issued";
  return record;
}

std::string count(const ScratchDatabase& db, const std::string& table,
                  const std::string& where = "true") {
  return db.query_one("SELECT count(*) FROM " + table + " WHERE " + where);
}

// The transaction that wrote a row: its xmin.
std::string xmin_of_session(const ScratchDatabase& db, const std::string& hash) {
  return db.query_one("SELECT xmin::text FROM sessions WHERE token_hash = '" + hash + "'");
}
std::string xmin_of_audit(const ScratchDatabase& db, const std::string& target) {
  return db.query_one("SELECT xmin::text FROM audit WHERE target_id = '" + target + "'");
}

// What a createToken request writes: a session, then its audit row; committed as the host does.
struct Request {
  explicit Request(Mode mode) { writes.set_mode(mode); }
  host::RequestWrites writes;
};

bool wait_for_sweeper(host::PostgresStorage& s) {
  const auto start = std::chrono::steady_clock::now();
  while (s.sessions_pending_deletion() > 0 && std::chrono::steady_clock::now() - start < 10s) {
    std::this_thread::sleep_for(50ms);
  }
  return s.sessions_pending_deletion() == 0;
}

}  // namespace

TEST_CASE("postgres request writes: session and audit commit in one transaction, at the commit" *
          doctest::skip(no_server())) {
  ScratchDatabase db("unit");
  auto s = db.open();
  REQUIRE(s->add_user(user("U1")).ok());

  Request request(Mode::kDeferred);
  {
    host::CommitScope scope(request.writes);
    CHECK(s->add_session(session("U1", "h1"), 10).ok());
    CHECK(s->append_audit(issued("U1")).ok());
  }
  // Deferred: nothing is written before the request's commit.
  CHECK(count(db, "sessions") == "0");
  CHECK(count(db, "audit") == "0");
  host::Status committed = request.writes.wait();
  CHECK_MESSAGE(committed.ok(), committed.message());
  CHECK(count(db, "sessions") == "1");
  CHECK(count(db, "audit") == "1");
  CHECK(xmin_of_session(db, "h1") == xmin_of_audit(db, "U1"));
}

TEST_CASE("postgres request writes: a request alone tries each write at once" *
          doctest::skip(no_server())) {
  ScratchDatabase db("tried");
  auto s = db.open();
  REQUIRE(s->add_user(user("U1")).ok());

  SUBCASE("tried writes are rolled back, then committed together") {
    Request request(Mode::kImmediate);
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session("U1", "h1"), 10).ok());
      CHECK(count(db, "sessions") == "0");
      CHECK(s->append_audit(issued("U1")).ok());
      CHECK(count(db, "sessions") == "0");
      CHECK(count(db, "audit") == "0");
    }
    CHECK(request.writes.wait().ok());
    CHECK(count(db, "sessions") == "1");
    CHECK(count(db, "audit") == "1");
    CHECK(xmin_of_session(db, "h1") == xmin_of_audit(db, "U1"));
  }

  SUBCASE("a failing write reaches the caller, and only what succeeded commits") {
    Request request(Mode::kImmediate);
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session("NOBODY", "h2"), 10).code() == StatusCode::kNotFound);
      CHECK(s->add_session(session("U1", "h3"), 10).ok());
      CHECK(s->add_session(session("U1", "h3"), 10).code() == StatusCode::kConflict);
      host::AuditRecord refused = issued("NOBODY");
      refused.outcome = "refused";
      CHECK(s->append_audit(refused).ok());
    }
    CHECK(request.writes.wait().ok());
    CHECK(count(db, "sessions") == "1");
    CHECK(count(db, "sessions", "token_hash = 'h3'") == "1");
    CHECK(count(db, "audit", "outcome = 'refused'") == "1");
  }

  SUBCASE("a revocation sees the request's own session: neither is stored") {
    Request request(Mode::kImmediate);
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session("U1", "h4"), 10).ok());
      CHECK(s->delete_session("ws1", "U1", "h4").ok());
      CHECK(s->delete_session("ws1", "U1", "never").code() == StatusCode::kNotFound);
    }
    CHECK(request.writes.wait().ok());
    CHECK(count(db, "sessions") == "0");
  }
}

TEST_CASE("postgres request writes: requests committed together, a failing one rolls back alone" *
          doctest::skip(no_server())) {
  constexpr int kRequests = 8;
  ScratchDatabase db("shared");
  host::PostgresOptions options;
  options.committers = 1;
  auto s = db.open(options);
  REQUIRE(s->add_user(user("BLOCK")).ok());
  for (int i = 0; i < kRequests; ++i) REQUIRE(s->add_user(user("U" + std::to_string(i))).ok());

  // Another client holds BLOCK's row: the one committer waits on it with a lone write, so the
  // requests committed meanwhile queue up and then go in one batch.
  pqxx::connection holder(db.url());
  pqxx::work lock(holder);
  lock.exec("SELECT 1 FROM users WHERE workspace = 'ws1' AND id = 'BLOCK' FOR UPDATE");
  auto blocked =
      std::async(std::launch::async, [&] { return s->add_session(session("BLOCK", "hb"), 10); });
  std::this_thread::sleep_for(100ms);

  std::vector<std::unique_ptr<Request>> requests;
  std::vector<std::promise<host::Status>> ended(kRequests + 1);
  for (int i = 0; i <= kRequests; ++i) {
    requests.push_back(std::make_unique<Request>(Mode::kDeferred));
    Request& request = *requests.back();
    // The last request's session is for a user that does not exist: its unit fails.
    const std::string id = i < kRequests ? "U" + std::to_string(i) : "NOBODY";
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session(id, "h-" + id), 10).ok());
      CHECK(s->append_audit(issued(id)).ok());
    }
    request.writes.commit([&ended, i](host::Status status) { ended[i].set_value(status); });
  }
  std::this_thread::sleep_for(100ms);
  lock.abort();  // the committer goes on

  CHECK(blocked.get().ok());
  std::set<std::string> transactions;
  for (int i = 0; i < kRequests; ++i) {
    const std::string id = "U" + std::to_string(i);
    host::Status status = ended[i].get_future().get();
    CHECK_MESSAGE(status.ok(), status.message());
    CHECK(xmin_of_session(db, "h-" + id) == xmin_of_audit(db, id));
    transactions.insert(xmin_of_session(db, "h-" + id));
  }
  CHECK(ended[kRequests].get_future().get().code() == StatusCode::kNotFound);
  // Rows carry their savepoint's transaction id: one per request, shared by its two rows.
  // (That the savepoints share one COMMIT is checked in pg_group_commit_test.cpp.)
  CHECK(transactions.size() == kRequests);
  CHECK(count(db, "sessions") == std::to_string(kRequests + 1));
  CHECK(count(db, "audit") == std::to_string(kRequests));  // not NOBODY's: rolled back with it
}

TEST_CASE("postgres request writes: a deferred revocation of a session gone by then succeeds" *
          doctest::skip(no_server())) {
  ScratchDatabase db("revoke");
  auto s = db.open();
  REQUIRE(s->add_user(user("U1")).ok());
  REQUIRE(s->add_session(session("U1", "gone"), 10).ok());
  REQUIRE(s->add_session(session("U1", "kept"), 10).ok());
  Request request(Mode::kDeferred);
  {
    host::CommitScope scope(request.writes);
    CHECK(s->delete_session("ws1", "U1", "gone").ok());
  }
  REQUIRE(s->delete_session("ws1", "U1", "gone").ok());  // another host, meanwhile
  CHECK(request.writes.wait().ok());
  CHECK(count(db, "sessions") == "1");
}

TEST_CASE("postgres request writes: a request whose commit meets an outage leaves no session" *
          doctest::skip(no_server())) {
  if (env("RCT_PG_DIR").empty()) return;
  ScratchDatabase db("outage_unit");
  auto opened = db.open();
  auto* s = dynamic_cast<host::PostgresStorage*>(opened.get());
  REQUIRE(s != nullptr);
  REQUIRE(s->add_user(user("U1")).ok());

  struct ResumeOnExit {
    ~ResumeOnExit() {
      if (halted) pg_script("resume");
    }
    bool halted = false;
  } guard;

  SUBCASE("deferred: the commit fails, its sessions go to the sweeper") {
    Request request(Mode::kDeferred);
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session("U1", "h1"), 10).ok());
      CHECK(s->append_audit(issued("U1")).ok());
    }
    REQUIRE(pg_script("halt"));
    guard.halted = true;
    CHECK(request.writes.wait().code() == StatusCode::kUnavailable);
    // Whether that COMMIT landed is unknown to the host: the session is deleted later.
    CHECK(s->sessions_pending_deletion() == 1);
  }

  SUBCASE("alone: the audit fails at once, the revocation is kept for the commit") {
    Request request(Mode::kImmediate);
    {
      host::CommitScope scope(request.writes);
      CHECK(s->add_session(session("U1", "h1"), 10).ok());
      REQUIRE(pg_script("halt"));
      guard.halted = true;
      CHECK(s->append_audit(issued("U1")).code() == StatusCode::kUnavailable);
      CHECK(s->delete_session("ws1", "U1", "h1").code() == StatusCode::kUnavailable);
    }
    CHECK(request.writes.wait().code() == StatusCode::kUnavailable);
    CHECK(s->sessions_pending_deletion() >= 1);
  }

  REQUIRE(pg_script("resume"));
  guard.halted = false;
  CHECK(wait_for_sweeper(*s));
  CHECK(count(db, "sessions") == "0");
  CHECK(count(db, "audit") == "0");
}

TEST_CASE("postgres request writes: many requests at once, alone or not, all commit whole" *
          doctest::skip(no_server())) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  constexpr int kUsers = 4;  // few users: the requests contend for their rows
  ScratchDatabase db("stress");
  host::PostgresOptions options;
  options.max_batch = 4;  // many small batches, each with savepoints, on four committers
  auto s = db.open(options);
  for (int u = 0; u < kUsers; ++u) REQUIRE(s->add_user(user("U" + std::to_string(u))).ok());
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "U" + std::to_string((t + i) % kUsers);
        const std::string hash = "h-" + std::to_string(t) + "-" + std::to_string(i);
        Request request(i % 2 == 0 ? Mode::kImmediate : Mode::kDeferred);
        host::Status a, b;
        {
          host::CommitScope scope(request.writes);
          a = s->add_session(session(id, hash), 1000);
          b = s->append_audit(issued(id));
        }
        host::Status c = request.writes.wait();
        if (!a.ok() || !b.ok() || !c.ok()) {
          ++failures;
          std::lock_guard lock(mutex);
          messages.push_back(a.message() + " | " + b.message() + " | " + c.message());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < messages.size() && i < 5; ++i) FAIL_CHECK(messages[i]);
  CHECK(failures == 0);
  CHECK(count(db, "sessions") == std::to_string(kThreads * kPerThread));
  CHECK(count(db, "audit") == std::to_string(kThreads * kPerThread));
}
