// Services suite, sessions: token format, what is stored (hash only), expiry against the clock
// and Accounts_LoginExpiration, revoke, deactivation and the per-user cap.
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "services/crypto.h"
#include "support/services_fixture.h"

using namespace rct_test;

namespace {

bool is_base64url(const std::string& text) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Computed here independently of the host's code.
std::string expected_hash(const std::string& token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return out;
}

std::int64_t lifetime_ms(ServicesFixture& f, const std::string& user_id) {
  auto sessions = f.storage().list_sessions("default", user_id);
  REQUIRE(sessions.ok());
  REQUIRE(!sessions->empty());
  return sessions->front().expires_ms - sessions->front().created_ms;
}

}  // namespace

TEST_CASE("sessions: a token is 43 base64url characters, fresh every time") {
  ServicesFixture f;
  std::string id = f.user("alice");
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto token = f->sessions().issue("default", id);
    REQUIRE(token.ok());
    CHECK(token->size() == 43);
    CHECK(is_base64url(*token));
    seen.insert(*token);
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("sessions: storage holds base64(SHA-256(token)) and never the token") {
  ServicesFixture f;
  std::string id = f.user("alice");
  auto token = f->sessions().issue("default", id);
  REQUIRE(token.ok());

  auto sessions = f.storage().list_sessions("default", id);
  REQUIRE(sessions.ok());
  REQUIRE(sessions->size() == 1);
  const auto& stored = sessions->front();
  CHECK(stored.token_hash.size() == 44);
  CHECK(stored.token_hash == expected_hash(*token));
  CHECK(stored.token_hash != *token);

  std::string bytes = read_bytes(f.db_path) + read_bytes(f.db_path + "-wal");
  CHECK(bytes.find(stored.token_hash) != std::string::npos);  // the search does see rows
  CHECK(bytes.find(*token) == std::string::npos);
}

TEST_CASE("sessions: the stored hash is libsodium's base64 of SHA-256, for any token") {
  REQUIRE(host::crypto::init().ok());
  std::string token;
  for (int length = 0; length < 200; ++length) {
    CAPTURE(length);
    CHECK(host::crypto::token_hash(token) == expected_hash(token));
    token += static_cast<char>(length * 37 + 11);  // every byte value, not only base64url
  }
  for (int i = 0; i < 50; ++i) {
    std::string fresh = host::crypto::new_session_token();
    CHECK(host::crypto::token_hash(fresh) == expected_hash(fresh));
  }
}

TEST_CASE("sessions: a token verifies at once and expires after 90 days by default") {
  ServicesFixture f;
  std::string id = f.user("alice");
  auto token = f->sessions().issue("default", id);
  REQUIRE(token.ok());
  auto me = f->sessions().verify("default", id, *token);
  REQUIRE(me.ok());
  CHECK(me->id == id);
  CHECK(me->username == "alice");
  CHECK(lifetime_ms(f, id) == 90 * kDayMs);

  f.clock->advance_ms(90 * kDayMs - 1000);
  CHECK(f->sessions().verify("default", id, *token).ok());
  f.clock->advance_ms(1001);  // now at least 90 days + 1 ms after issue
  CHECK(f->sessions().verify("default", id, *token).status().code() == StatusCode::kNotFound);
  CHECK(f->authenticate("default", id, *token).status().code() == StatusCode::kNotFound);
}

TEST_CASE("sessions: Accounts_LoginExpiration values that are not positive numbers mean 90") {
  for (const char* value : {"0", "-3", "abc", "", "2x", "nan", "-inf"}) {
    CAPTURE(value);
    ServicesFixture f;
    std::string id = f.user("alice");
    REQUIRE(f.storage().set_setting("default", "Accounts_LoginExpiration", value).ok());
    REQUIRE(f->sessions().issue("default", id).ok());
    CHECK(lifetime_ms(f, id) == 90 * kDayMs);
  }
}

TEST_CASE("sessions: Accounts_LoginExpiration of 2 means two days") {
  ServicesFixture f;
  std::string id = f.user("alice");
  REQUIRE(f.storage().set_setting("default", "Accounts_LoginExpiration", "2").ok());
  auto token = f->sessions().issue("default", id);
  REQUIRE(token.ok());
  CHECK(lifetime_ms(f, id) == 2 * kDayMs);
  f.clock->advance_ms(2 * kDayMs - 1000);
  CHECK(f->sessions().verify("default", id, *token).ok());
  f.clock->advance_ms(1001);
  CHECK(f->sessions().verify("default", id, *token).status().code() == StatusCode::kNotFound);
}

TEST_CASE("sessions: a change of Accounts_LoginExpiration applies to tokens already issued") {
  ServicesFixture f;
  std::string id = f.user("alice");
  auto token = f->sessions().issue("default", id);  // under the default, 90 days
  REQUIRE(token.ok());
  f.clock->advance_ms(3 * kDayMs);
  CHECK(f->sessions().verify("default", id, *token).ok());
  REQUIRE(f.storage().set_setting("default", "Accounts_LoginExpiration", "2").ok());
  CHECK(f->sessions().verify("default", id, *token).status().code() == StatusCode::kNotFound);
  // Longer again: the same token lives again, as its age is all that is stored.
  REQUIRE(f.storage().set_setting("default", "Accounts_LoginExpiration", "4").ok());
  CHECK(f->sessions().verify("default", id, *token).ok());
}

TEST_CASE("sessions: verify needs the right user, workspace and token") {
  ServicesFixture f;
  REQUIRE(f.storage().add_workspace("other").ok());
  std::string alice = f.user("alice");
  std::string bob = f.user("bob");
  auto token = f->sessions().issue("default", alice);
  REQUIRE(token.ok());
  std::string wrong = *token;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  CHECK(f->sessions().verify("default", bob, *token).status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().verify("other", alice, *token).status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().verify("default", alice, wrong).status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().verify("default", alice, "").status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().verify("default", alice, std::string(10000, 'a')).status().code() ==
        StatusCode::kNotFound);
  CHECK(f->sessions().issue("default", "no-such-user").status().code() == StatusCode::kNotFound);
}

TEST_CASE("sessions: revoke ends that token only") {
  ServicesFixture f;
  std::string id = f.user("alice");
  auto first = f->sessions().issue("default", id);
  auto second = f->sessions().issue("default", id);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(f->sessions().revoke("default", id, *first).ok());
  CHECK(f->sessions().verify("default", id, *first).status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().verify("default", id, *second).ok());
  CHECK(f->sessions().revoke("default", id, *first).code() == StatusCode::kNotFound);
}

TEST_CASE("sessions: a deactivated user's tokens end for good and none are issued") {
  ServicesFixture f;
  std::string id = f.user("alice");
  auto token = f->sessions().issue("default", id);
  REQUIRE(token.ok());
  REQUIRE(f.storage().set_user_active("default", id, false).ok());
  CHECK(f->sessions().verify("default", id, *token).status().code() == StatusCode::kNotFound);
  CHECK(f->sessions().issue("default", id).status().code() == StatusCode::kPermissionDenied);
  REQUIRE(f.storage().set_user_active("default", id, true).ok());
  CHECK(f->sessions().verify("default", id, *token).status().code() == StatusCode::kNotFound);
  auto fresh = f->sessions().issue("default", id);
  REQUIRE(fresh.ok());
  CHECK(f->sessions().verify("default", id, *fresh).ok());
}

TEST_CASE("sessions: MAX_RESUME_LOGIN_TOKENS caps a user's tokens, oldest out first") {
  SUBCASE("from the environment") {
    ScopedEnv cap("MAX_RESUME_LOGIN_TOKENS", "3");
    ServicesFixture f(/*settings_from_environment=*/true);
    std::string id = f.user("alice");
    std::vector<std::string> tokens;
    for (int i = 0; i < 5; ++i) {
      tokens.push_back(f->sessions().issue("default", id).value());
      f.clock->advance_ms(1);
    }
    CHECK(f->sessions().verify("default", id, tokens[0]).status().code() == StatusCode::kNotFound);
    CHECK(f->sessions().verify("default", id, tokens[1]).status().code() == StatusCode::kNotFound);
    for (int i = 2; i < 5; ++i) CHECK(f->sessions().verify("default", id, tokens[i]).ok());
  }
  SUBCASE("from a workspace setting, default 50, invalid means 50") {
    ServicesFixture f;
    std::string id = f.user("alice");
    for (int i = 0; i < 55; ++i) REQUIRE(f->sessions().issue("default", id).ok());
    CHECK(f.storage().list_sessions("default", id)->size() == 50);
    REQUIRE(f.storage().set_setting("default", "MAX_RESUME_LOGIN_TOKENS", "zero").ok());
    REQUIRE(f->sessions().issue("default", id).ok());
    CHECK(f.storage().list_sessions("default", id)->size() == 50);
    REQUIRE(f.storage().set_setting("default", "MAX_RESUME_LOGIN_TOKENS", "2").ok());
    REQUIRE(f->sessions().issue("default", id).ok());
    CHECK(f.storage().list_sessions("default", id)->size() == 2);
  }
}

TEST_CASE("sessions: concurrent issues for one user keep exactly the cap of live tokens") {
  ServicesFixture f;
  std::string id = f.user("alice");
  REQUIRE(f.storage().set_setting("default", "MAX_RESUME_LOGIN_TOKENS", "50").ok());
  std::vector<std::string> tokens(200);
  std::atomic<std::size_t> next{0};
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i; (i = next++) < tokens.size();) {
        auto token = f->sessions().issue("default", id);
        if (token.ok()) {
          tokens[i] = *token;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  MESSAGE("200 Sessions::issue from 8 threads: " << elapsed.count() * 1000 << " ms ("
                                                 << 200 / elapsed.count() << "/s)");
  CHECK(failures == 0);
  int live = 0;
  for (const auto& token : tokens) live += f->sessions().verify("default", id, token).ok();
  CHECK(live == 50);
  CHECK(f.storage().list_sessions("default", id)->size() == 50);
}
