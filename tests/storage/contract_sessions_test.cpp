// Storage contract: sessions add/find/delete/list and the per-user cap, exactly, including
// under concurrent writers and with two storage instances on one database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include <doctest/doctest.h>

#include "support/storage_backends.h"
#include "support/test_records.h"

using namespace rct_test;

namespace {

std::vector<std::int64_t> created_of(const std::vector<host::SessionRecord>& sessions) {
  std::vector<std::int64_t> created;
  for (const auto& s : sessions) created.push_back(s.created_ms);
  std::sort(created.begin(), created.end());
  return created;
}

// The `cap` largest values of `all`, sorted ascending.
std::vector<std::int64_t> newest(std::vector<std::int64_t> all, std::size_t cap) {
  std::sort(all.begin(), all.end());
  return std::vector<std::int64_t>(all.end() - static_cast<std::ptrdiff_t>(cap), all.end());
}

// Issues one session per entry of `created`, from `threads` threads, while an observer checks
// that no committed state ever holds more than `cap` sessions.
void add_concurrently(std::vector<host::Storage*> stores, const std::string& ws,
                      const std::string& user, const std::vector<std::int64_t>& created,
                      std::size_t cap, int threads) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> max_seen{0};
  std::thread observer([&] {
    while (!done) {
      auto listed = stores[0]->list_sessions(ws, user);
      if (listed.ok()) max_seen = std::max(max_seen.load(), listed->size());
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      host::Storage& s = *stores[static_cast<std::size_t>(t) % stores.size()];
      for (std::size_t i; (i = next++) < created.size();) {
        auto session = make_session(ws, user, "hash-" + std::to_string(i), created[i]);
        if (!s.add_session(session, cap).ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  observer.join();
  CHECK(failures == 0);
  CHECK(max_seen <= cap);
}

std::vector<std::int64_t> shuffled_times(std::size_t count) {
  std::vector<std::int64_t> times(count);
  for (std::size_t i = 0; i < count; ++i) times[i] = 1'000'000 + static_cast<std::int64_t>(i);
  std::shuffle(times.begin(), times.end(), std::mt19937(42));  // insertion order != age order
  return times;
}

}  // namespace

TEST_CASE("sessions: add, find, list newest first, delete") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "u1", "user1")).ok());

    auto first = make_session(ws, "u1", "hash-1", 100);
    REQUIRE(s.add_session(first, 50).ok());
    REQUIRE(s.add_session(make_session(ws, "u1", "hash-2", 200), 50).ok());

    auto found = s.find_session(ws, "u1", "hash-1");
    REQUIRE(found.ok());
    CHECK(found->workspace == ws);
    CHECK(found->user_id == "u1");
    CHECK(found->token_hash == "hash-1");
    CHECK(found->created_ms == 100);
    CHECK(found->expires_ms == first.expires_ms);

    auto listed = s.list_sessions(ws, "u1");
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].token_hash == "hash-2");
    CHECK((*listed)[1].token_hash == "hash-1");
    // Listed rows are complete: rchost token list / revoke use them as they are.
    CHECK((*listed)[1].workspace == ws);
    CHECK((*listed)[1].user_id == "u1");
    CHECK((*listed)[1].created_ms == 100);
    CHECK((*listed)[1].expires_ms == first.expires_ms);

    CHECK(s.find_session(ws, "u1", "HASH-1").status().code() == StatusCode::kNotFound);
    CHECK(s.add_session(make_session(ws, "u1", "hash-1", 300), 50).code() == StatusCode::kConflict);
    CHECK(s.add_session(make_session(ws, "nobody", "hash-x", 300), 50).code() ==
          StatusCode::kNotFound);
    CHECK(s.add_session(make_session(ws, "u1", "hash-3", 300), 0).code() ==
          StatusCode::kInvalidArgument);

    REQUIRE(s.delete_session(ws, "u1", "hash-1").ok());
    CHECK(s.find_session(ws, "u1", "hash-1").status().code() == StatusCode::kNotFound);
    CHECK(s.find_session(ws, "u1", "hash-2").ok());
    CHECK(s.delete_session(ws, "u1", "hash-1").code() == StatusCode::kNotFound);
    CHECK(s.list_sessions(ws, "u1")->size() == 1);
  });
}

TEST_CASE("sessions: the cap keeps exactly the newest, per user") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "u1", "user1")).ok());
    REQUIRE(s.add_user(make_user(ws, "u2", "user2")).ok());
    REQUIRE(s.add_session(make_session(ws, "u2", "other", 1), 3).ok());

    // Out of age order: 50, 10, 40, 20, 30 -> the three newest are 30, 40, 50.
    for (std::int64_t t : {50, 10, 40, 20, 30}) {
      REQUIRE(
          s.add_session(make_session(ws, "u1", std::string("h").append(std::to_string(t)), t), 3)
              .ok());
    }
    CHECK(created_of(*s.list_sessions(ws, "u1")) == std::vector<std::int64_t>{30, 40, 50});
    CHECK(s.list_sessions(ws, "u2")->size() == 1);  // another user's sessions are untouched

    // Equal ages: the later insert counts as newer.
    REQUIRE(s.add_session(make_session(ws, "u1", "tie-a", 60), 2).ok());
    REQUIRE(s.add_session(make_session(ws, "u1", "tie-b", 60), 2).ok());
    REQUIRE(s.add_session(make_session(ws, "u1", "tie-c", 60), 2).ok());
    auto listed = *s.list_sessions(ws, "u1");
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].token_hash == "tie-c");
    CHECK(listed[1].token_hash == "tie-b");

    // Cap 1 leaves only the session just added.
    REQUIRE(s.add_session(make_session(ws, "u1", "solo", 70), 1).ok());
    CHECK(s.list_sessions(ws, "u1")->size() == 1);
    CHECK(s.find_session(ws, "u1", "solo").ok());
  });
}

TEST_CASE("sessions: 200 concurrent adds from 8 threads leave exactly the cap, the newest") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "u1", "user1")).ok());
    constexpr std::size_t kCap = 50;
    auto times = shuffled_times(200);

    auto start = std::chrono::steady_clock::now();
    add_concurrently({&s}, ws, "u1", times, kCap, 8);
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    MESSAGE("200 add_session from 8 threads: " << elapsed.count() * 1000 << " ms ("
                                               << 200 / elapsed.count() << "/s)");

    auto listed = s.list_sessions(ws, "u1");
    REQUIRE(listed.ok());
    CHECK(listed->size() == kCap);
    CHECK(created_of(*listed) == newest(times, kCap));
  });
}

TEST_CASE("sessions: the cap holds across two storage instances on one database") {
  for_each_backend([](BackendFixture& f) {
    auto& s = f.storage();
    std::string ws = f.workspace("w");
    REQUIRE(s.add_user(make_user(ws, "u1", "user1")).ok());
    auto second = host::open_storage(f.url());
    REQUIRE(second.ok());
    constexpr std::size_t kCap = 10;
    auto times = shuffled_times(60);

    add_concurrently({&s, second->get()}, ws, "u1", times, kCap, 4);

    CHECK(created_of(*s.list_sessions(ws, "u1")) == newest(times, kCap));
    CHECK(created_of(*second.value()->list_sessions(ws, "u1")) == newest(times, kCap));
  });
}
