// Group commit of the PostgreSQL backend: concurrent writes (and requests' units of writes)
// share one transaction, a failing write rolls back alone, and a deadlock between two hosts'
// batches is retried exactly once.
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_env.h"
#include "storage/commit_scope.h"
#include "storage/postgres/pg_errors.h"
#include "storage/postgres/pg_executor.h"

using hostsdk::StatusCode;
using rct_pg_test::no_server;
using rct_pg_test::ScratchDatabase;
using namespace std::chrono_literals;

namespace {

void exec(const ScratchDatabase& db, const std::string& sql) {
  pqxx::connection conn(db.url());
  pqxx::nontransaction txn(conn);
  txn.exec(sql);
}

// One host's write path on the scratch database: a pool and its executor.
struct Host {
  Host(const ScratchDatabase& db, std::size_t committers) {
    options.committers = committers;
    auto conninfo = host::pg::build_conninfo(db.url(), options);
    REQUIRE(conninfo.ok());
    pool = std::make_unique<host::pg::ConnectionPool>(conninfo.value(), options);
    executor = std::make_unique<host::pg::Executor>(*pool, options);
  }
  host::PostgresOptions options;
  std::unique_ptr<host::pg::ConnectionPool> pool;
  std::unique_ptr<host::pg::Executor> executor;
};

// Runs `sql` as a write and reports the top-level transaction it ran in.
std::future<std::pair<host::Status, std::string>> write_async(host::pg::Executor& executor,
                                                              std::string sql) {
  return std::async(std::launch::async, [&executor, sql = std::move(sql)] {
    std::string txid;
    host::Status status = executor.write([&](pqxx::transaction_base& txn) {
      txid = txn.exec("SELECT txid_current()")[0][0].c_str();
      txn.exec(sql);
      return host::Status::Ok();
    });
    return std::make_pair(status, txid);
  });
}

// Keeps the single committer busy so that the writes submitted meanwhile form one batch.
std::future<std::pair<host::Status, std::string>> occupy(host::pg::Executor& executor) {
  auto busy = write_async(executor, "SELECT pg_sleep(0.4)");
  std::this_thread::sleep_for(100ms);
  return busy;
}

}  // namespace

TEST_CASE("postgres group commit: concurrent writes share one durable transaction" *
          doctest::skip(no_server())) {
  ScratchDatabase db("batch");
  exec(db, "CREATE TABLE t (id int PRIMARY KEY)");
  Host h(db, 1);
  auto busy = occupy(*h.executor);
  std::vector<std::future<std::pair<host::Status, std::string>>> writes;
  for (int i = 0; i < 16; ++i) {
    writes.push_back(write_async(*h.executor, "INSERT INTO t VALUES (" + std::to_string(i) + ")"));
  }
  std::set<std::string> txids;
  for (auto& w : writes) {
    auto [status, txid] = w.get();
    CHECK_MESSAGE(status.ok(), status.message());
    txids.insert(txid);
  }
  CHECK(busy.get().first.ok());
  CHECK(db.query_one("SELECT count(*) FROM t") == "16");
  // Queued behind the busy batch, the 16 writes run in one or two transactions, not 16.
  CHECK(txids.size() <= 2);
}

TEST_CASE("postgres group commit: a failing write rolls back alone" * doctest::skip(no_server())) {
  ScratchDatabase db("isolation");
  exec(db, "CREATE TABLE t (id int PRIMARY KEY)");
  exec(db, "INSERT INTO t VALUES (100)");
  Host h(db, 1);
  auto busy = occupy(*h.executor);
  auto good1 = write_async(*h.executor, "INSERT INTO t VALUES (1)");
  auto duplicate = write_async(*h.executor, "INSERT INTO t VALUES (100)");
  auto partial = std::async(std::launch::async, [&] {
    return h.executor->write([](pqxx::transaction_base& txn) {
      txn.exec("INSERT INTO t VALUES (7)");
      return host::Status::NotFound("changed its mind");  // its insert must not stay
    });
  });
  auto invalid = std::async(std::launch::async, [&] {
    return h.executor->write([](pqxx::transaction_base& txn) {
      txn.exec("INSERT INTO t VALUES (8)");
      txn.exec_params("SELECT $1", host::pg::text(std::string("a\0b", 3)));
      return host::Status::Ok();
    });
  });
  auto good2 = write_async(*h.executor, "INSERT INTO t VALUES (2)");

  auto [s1, tx1] = good1.get();
  auto [s2, tx2] = good2.get();
  CHECK(s1.ok());
  CHECK(s2.ok());
  CHECK(tx1 == tx2);  // one batch, so the failures below shared their transaction
  CHECK(duplicate.get().first.code() == StatusCode::kConflict);
  CHECK(partial.get().code() == StatusCode::kNotFound);
  CHECK(invalid.get().code() == StatusCode::kInvalidArgument);
  CHECK(busy.get().first.ok());
  CHECK(db.query_one("SELECT string_agg(id::text, ',' ORDER BY id) FROM t") == "1,2,100");
}

TEST_CASE("postgres group commit: a write failing in the first pass runs once, the rest commit" *
          doctest::skip(no_server())) {
  // The batch first runs with no savepoints; a failure reruns the others under savepoints, but
  // not the failed write itself: its outcome stands. nextval() is not rolled back, so the
  // sequence counts how often it ran.
  ScratchDatabase db("firstpass");
  exec(db, "CREATE TABLE t (id int PRIMARY KEY)");
  exec(db, "CREATE SEQUENCE runs");
  Host h(db, 1);
  auto busy = occupy(*h.executor);
  auto good1 = write_async(*h.executor, "INSERT INTO t VALUES (1)");
  auto failing = std::async(std::launch::async, [&] {
    return h.executor->write([](pqxx::transaction_base& txn) {
      txn.exec("SELECT nextval('runs')");
      txn.exec("INSERT INTO t VALUES (7)");
      return host::Status::NotFound("changed its mind");
    });
  });
  auto good2 = write_async(*h.executor, "INSERT INTO t VALUES (2)");
  auto [s1, tx1] = good1.get();
  auto [s2, tx2] = good2.get();
  CHECK(s1.ok());
  CHECK(s2.ok());
  CHECK(tx1 == tx2);
  CHECK(failing.get().code() == StatusCode::kNotFound);
  CHECK(busy.get().first.ok());
  CHECK(db.query_one("SELECT string_agg(id::text, ',' ORDER BY id) FROM t") == "1,2");
  CHECK(db.query_one("SELECT last_value FROM runs") == "1");
}

TEST_CASE("postgres group commit: a write using exec_params rolls back alone too" *
          doctest::skip(no_server())) {
  // libpqxx 6.4 sets a subtransaction's savepoint on its first exec(), not on exec_params():
  // the batcher must set it itself, or these writes would share the batch's fate.
  ScratchDatabase db("params");
  exec(db, "CREATE TABLE t (id int PRIMARY KEY)");
  exec(db, "INSERT INTO t VALUES (100)");
  Host h(db, 1);
  auto insert = [&](int id, host::Status result) {
    return std::async(std::launch::async, [&h, id, result] {
      return h.executor->write([&](pqxx::transaction_base& txn) {
        txn.exec_params("INSERT INTO t VALUES ($1)", id);
        return result;
      });
    });
  };
  auto busy = occupy(*h.executor);
  auto good1 = insert(1, host::Status::Ok());
  auto duplicate = insert(100, host::Status::Ok());                    // fails in the database
  auto changed_mind = insert(7, host::Status::NotFound("undo this"));  // fails after its insert
  auto good2 = insert(2, host::Status::Ok());
  CHECK(good1.get().ok());
  CHECK(good2.get().ok());
  CHECK(duplicate.get().code() == StatusCode::kConflict);
  CHECK(changed_mind.get().code() == StatusCode::kNotFound);
  CHECK(busy.get().first.ok());
  CHECK(db.query_one("SELECT string_agg(id::text, ',' ORDER BY id) FROM t") == "1,2,100");
}

TEST_CASE("postgres group commit: several requests' units share one transaction" *
          doctest::skip(no_server())) {
  constexpr int kRequests = 12;
  ScratchDatabase db("units");
  exec(db, "CREATE TABLE t (id int PRIMARY KEY)");
  Host h(db, 1);
  struct Unit {
    host::RequestWrites writes;
    std::string txid;
    std::promise<host::Status> ended;
  };
  // Request i writes i and 100 + i; the last one's second write fails after its insert, so
  // its whole unit (both inserts) rolls back while the others commit.
  auto insert = [](int id, std::string* txid, bool fail) {
    host::pg::DeferrableWrite write;
    write.fn = [id, txid, fail](pqxx::transaction_base& txn) {
      if (txid != nullptr) *txid = txn.exec("SELECT txid_current()")[0][0].c_str();
      txn.exec_params("INSERT INTO t VALUES ($1)", id);
      return fail ? host::Status::NotFound("changed its mind") : host::Status::Ok();
    };
    return write;
  };
  auto busy = occupy(*h.executor);
  std::vector<std::unique_ptr<Unit>> units;
  for (int i = 0; i < kRequests; ++i) {
    units.push_back(std::make_unique<Unit>());
    Unit& unit = *units.back();
    unit.writes.set_mode(host::RequestWrites::Mode::kDeferred);
    {
      host::CommitScope scope(unit.writes);
      CHECK(h.executor->write_deferrable(insert(i, &unit.txid, false)).ok());
      CHECK(h.executor->write_deferrable(insert(100 + i, nullptr, i == kRequests - 1)).ok());
    }
    unit.writes.commit([&unit](host::Status status) { unit.ended.set_value(status); });
  }
  std::set<std::string> txids;
  for (int i = 0; i < kRequests; ++i) {
    host::Status status = units[i]->ended.get_future().get();
    if (i == kRequests - 1) {
      CHECK(status.code() == StatusCode::kNotFound);
    } else {
      CHECK_MESSAGE(status.ok(), status.message());
      txids.insert(units[i]->txid);
    }
  }
  CHECK(busy.get().first.ok());
  CHECK(txids.size() <= 2);  // queued behind the busy batch: one or two COMMITs, not 11
  CHECK(db.query_one("SELECT count(*) FROM t") == std::to_string(2 * (kRequests - 1)));
  CHECK(db.query_one("SELECT count(*) FROM t WHERE id IN (11, 111)") == "0");
}

TEST_CASE("postgres group commit: two hosts' batches deadlocking are retried exactly once" *
          doctest::skip(no_server())) {
  ScratchDatabase db("deadlock");
  exec(db, "CREATE TABLE r (id int PRIMARY KEY, hits int NOT NULL DEFAULT 0)");
  exec(db, "INSERT INTO r VALUES (1), (2)");
  exec(db, "CREATE TABLE filler (host text PRIMARY KEY, txid text NOT NULL)");
  Host a(db, 1);
  Host b(db, 1);
  // Each batch: a filler write, then one that locks both rows in the opposite order of the
  // other host's. One of them is chosen as the deadlock victim, rolled back to its savepoint
  // and run again after its batch (with the filler) has committed.
  auto crossing = [](host::pg::Executor& executor, int first, int second, std::string& txid) {
    return std::async(std::launch::async, [&executor, first, second, &txid] {
      return executor.write([&](pqxx::transaction_base& txn) {
        txid = txn.exec("SELECT txid_current()")[0][0].c_str();
        txn.exec("UPDATE r SET hits = hits + 1 WHERE id = " + std::to_string(first));
        txn.exec("SELECT pg_sleep(0.3)");
        txn.exec("UPDATE r SET hits = hits + 1 WHERE id = " + std::to_string(second));
        return host::Status::Ok();
      });
    });
  };
  auto busy_a = occupy(*a.executor);
  auto busy_b = occupy(*b.executor);
  auto fill_a = write_async(*a.executor, "INSERT INTO filler VALUES ('a', txid_current())");
  auto fill_b = write_async(*b.executor, "INSERT INTO filler VALUES ('b', txid_current())");
  std::this_thread::sleep_for(20ms);
  std::string txid_a, txid_b;
  auto cross_a = crossing(*a.executor, 1, 2, txid_a);
  auto cross_b = crossing(*b.executor, 2, 1, txid_b);

  const auto start = std::chrono::steady_clock::now();
  host::Status sa = cross_a.get();
  host::Status sb = cross_b.get();
  CHECK_MESSAGE(sa.ok(), sa.message());
  CHECK_MESSAGE(sb.ok(), sb.message());
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(fill_a.get().first.ok());
  CHECK(fill_b.get().first.ok());
  CHECK(busy_a.get().first.ok());
  CHECK(busy_b.get().first.ok());
  // Exactly once each, although the victim ran twice.
  CHECK(db.query_one("SELECT string_agg(hits::text, ',' ORDER BY id) FROM r") == "2,2");
  // The victim's final run was in a later transaction than its batch's filler.
  const std::string filler_a = db.query_one("SELECT txid FROM filler WHERE host = 'a'");
  const std::string filler_b = db.query_one("SELECT txid FROM filler WHERE host = 'b'");
  CHECK(((filler_a == txid_a) != (filler_b == txid_b)));
}
