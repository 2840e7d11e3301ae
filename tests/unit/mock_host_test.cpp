// The mock host itself: ids, session tokens (format, hashing, expiry, cap, revoke),
// settings order, authorization, registry, failure injection and dispatch.
#include <doctest/doctest.h>

#include <sodium.h>

#include <set>
#include <thread>

#include "hostsdk/mock/mock_host.h"

namespace {

using hostsdk::StatusCode;
using hostsdk::mock::MockHost;
using hostsdk::mock::MockService;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr const char* kWs = "default";

std::string expected_hash(const std::string& token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof(out), digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

std::string issue(MockHost& host, const std::string& user_id) {
  auto token = host.sessions().issue(kWs, user_id);
  REQUIRE(token.ok());
  return token.value();
}

bool valid(MockHost& host, const std::string& user_id, const std::string& token) {
  return host.sessions().verify(kWs, user_id, token).ok();
}

}  // namespace

TEST_CASE("mock: user ids are 17 characters of the Rocket.Chat alphabet") {
  MockHost host;
  const std::string alphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    const auto id = host.add_user(kWs, "user" + std::to_string(i), {"user"});
    CHECK(id.size() == 17);
    CHECK(id.find_first_not_of(alphabet) == std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 200);
  CHECK_THROWS_AS(host.add_user(kWs, "USER7", {}), std::invalid_argument);
  CHECK_NOTHROW(host.add_user("elsewhere", "user7", {}));
}

TEST_CASE("mock: users are found by exact id or case-insensitive username per workspace") {
  MockHost host;
  const auto id = host.add_user(kWs, "Alice", {"user"});
  CHECK(host.users().find_by_id(kWs, id).value().username == "Alice");
  CHECK(host.users().find_by_username(kWs, "aLICE").value().id == id);
  CHECK(host.users().find_by_id("other", id).status().code() == StatusCode::kNotFound);
  CHECK(host.users().find_by_username("other", "alice").status().code() == StatusCode::kNotFound);
  host.set_unavailable(MockService::kUsers, true);
  CHECK(host.users().find_by_id(kWs, id).status().code() == StatusCode::kUnavailable);
  CHECK(host.calls(MockService::kUsers) == 5);
  CHECK(host.calls(MockService::kSessions) == 0);
  host.clear_records();
  CHECK(host.calls(MockService::kUsers) == 0);
}

TEST_CASE("mock: tokens are 43 base64url characters stored only as base64 SHA-256") {
  MockHost host;
  const auto id = host.add_user(kWs, "alice", {});
  const auto token = issue(host, id);
  CHECK(token.size() == 43);
  CHECK(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  const auto hashes = host.stored_token_hashes(kWs, id);
  REQUIRE(hashes.size() == 1);
  CHECK(hashes[0].size() == 44);
  CHECK(hashes[0] == expected_hash(token));
  CHECK(valid(host, id, token));
  CHECK_FALSE(valid(host, id, token.substr(1)));
  CHECK(host.sessions().issue(kWs, "nobody").status().code() == StatusCode::kNotFound);
}

TEST_CASE("mock: sessions expire after Accounts_LoginExpiration days") {
  MockHost host;
  const auto id = host.add_user(kWs, "alice", {});
  SUBCASE("default 90 days") {
    const auto token = issue(host, id);
    host.advance_ms(90 * kDayMs - 1);
    CHECK(valid(host, id, token));
    host.advance_ms(1);
    CHECK_FALSE(valid(host, id, token));
  }
  SUBCASE("setting of 2 days") {
    host.set_setting(kWs, "Accounts_LoginExpiration", "2");
    const auto token = issue(host, id);
    host.advance_ms(2 * kDayMs - 1);
    CHECK(valid(host, id, token));
    host.advance_ms(1);
    CHECK_FALSE(valid(host, id, token));
  }
  for (const std::string bad : {"0", "-5", "abc", "", "7days"}) {
    INFO("Accounts_LoginExpiration = '", bad, "'");
    MockHost fresh;
    const auto user = fresh.add_user(kWs, "bob", {});
    fresh.set_env("Accounts_LoginExpiration", bad);
    const auto token = issue(fresh, user);
    fresh.advance_ms(90 * kDayMs - 1);
    CHECK(valid(fresh, user, token));
    fresh.advance_ms(1);
    CHECK_FALSE(valid(fresh, user, token));
  }
}

TEST_CASE("mock: only the newest MAX_RESUME_LOGIN_TOKENS sessions remain") {
  MockHost host;
  const auto id = host.add_user(kWs, "alice", {});
  const auto other = host.add_user(kWs, "bob", {});
  SUBCASE("cap from the environment") {
    host.set_env("MAX_RESUME_LOGIN_TOKENS", "3");
    const auto bobs = issue(host, other);
    std::vector<std::string> tokens;
    for (int i = 0; i < 5; ++i) tokens.push_back(issue(host, id));  // same millisecond
    CHECK_FALSE(valid(host, id, tokens[0]));
    CHECK_FALSE(valid(host, id, tokens[1]));
    for (int i = 2; i < 5; ++i) CHECK(valid(host, id, tokens[i]));
    CHECK(host.session_count(kWs, id) == 3);
    CHECK(valid(host, other, bobs));  // other users keep theirs
  }
  SUBCASE("default 50") {
    const auto first = issue(host, id);
    for (int i = 0; i < 49; ++i) issue(host, id);
    CHECK(valid(host, id, first));
    issue(host, id);
    CHECK_FALSE(valid(host, id, first));
    CHECK(host.session_count(kWs, id) == 50);
  }
  SUBCASE("holds under concurrent issues") {
    host.set_env("MAX_RESUME_LOGIN_TOKENS", "5");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) (void)host.sessions().issue(kWs, id);
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(host.session_count(kWs, id) == 5);
  }
}

TEST_CASE("mock: revoke removes one token and inactive users do not verify") {
  MockHost host;
  const auto id = host.add_user(kWs, "alice", {});
  const auto a = issue(host, id);
  const auto b = issue(host, id);
  CHECK(host.sessions().revoke(kWs, id, a).ok());
  CHECK_FALSE(valid(host, id, a));
  CHECK(valid(host, id, b));
  CHECK(host.sessions().revoke(kWs, id, a).code() == StatusCode::kNotFound);
  host.set_user_active(kWs, id, false);
  CHECK(host.sessions().verify(kWs, id, b).status().code() == StatusCode::kNotFound);
  host.set_unavailable(MockService::kSessions, true);
  CHECK(host.sessions().issue(kWs, id).status().code() == StatusCode::kUnavailable);
}

TEST_CASE("mock: settings resolve workspace value then environment then default") {
  MockHost host;
  CHECK(host.settings().get(kWs, "X").status().code() == StatusCode::kNotFound);
  host.set_setting_default("X", "default");
  CHECK(host.settings().get(kWs, "X").value() == "default");
  host.set_env("X", "env");
  CHECK(host.settings().get(kWs, "X").value() == "env");
  host.set_setting(kWs, "X", "workspace");
  CHECK(host.settings().get(kWs, "X").value() == "workspace");
  CHECK(host.settings().get("other", "X").value() == "env");
  host.clear_setting(kWs, "X");
  host.unset_env("X");
  CHECK(host.settings().get(kWs, "X").value() == "default");
  host.set_unavailable(MockService::kSettings, true);
  CHECK(host.settings().get(kWs, "X").status().code() == StatusCode::kUnavailable);
}

TEST_CASE("mock: permissions follow roles seeded by add_permission") {
  MockHost host;
  const auto admin = host.add_user(kWs, "admin", {"admin"});
  const auto alice = host.add_user(kWs, "alice", {"user"});
  REQUIRE(host.registry().add_permission("p", {"admin"}).ok());
  CHECK(host.registry().add_permission("p", {"user"}).code() == StatusCode::kConflict);
  CHECK(host.authorization().has_permission(kWs, admin, "p").value());
  CHECK_FALSE(host.authorization().has_permission(kWs, alice, "p").value());
  CHECK_FALSE(host.authorization().has_permission(kWs, admin, "unknown").value());
  host.set_permission_roles(kWs, "p", {"user"});
  CHECK(host.authorization().has_permission(kWs, alice, "p").value());
  CHECK_FALSE(host.authorization().has_permission(kWs, admin, "p").value());
  host.set_unavailable(MockService::kAuthorization, true);
  CHECK(host.authorization().has_permission(kWs, alice, "p").status().code() ==
        StatusCode::kUnavailable);
}

TEST_CASE("mock: audit logger and metrics keep owned copies") {
  MockHost host;
  {
    std::string caller = "caller-id";
    hostsdk::AuditEvent event;
    event.workspace = kWs;
    event.action = "a";
    event.caller_id = caller;
    event.outcome = "refused";
    event.reason = "gate-closed";
    REQUIRE(host.audit().record(event).ok());
    caller.assign("overwritten");
  }
  host.logger().log(hostsdk::LogLevel::kWarn, "line");
  host.metrics().count("c_total", "", 2);
  host.metrics().count("c_total", R"(reason="x")", 1);
  host.metrics().count("c_total", "", 3);
  REQUIRE(host.audit_events().size() == 1);
  CHECK(host.audit_events()[0].caller_id == "caller-id");
  CHECK(host.audit_events()[0].time_ms == host.now_ms());
  CHECK(host.log_text() == "line\n");
  CHECK(host.counter("c_total") == 5);
  CHECK(host.counter("c_total", R"(reason="x")") == 1);
  CHECK(host.counters().count(R"(c_total{reason="x"})") == 1);
  host.set_unavailable(MockService::kAudit, true);
  CHECK(host.audit().record(hostsdk::AuditEvent{}).code() == StatusCode::kUnavailable);
  CHECK(host.audit_events().size() == 1);  // the failed record left nothing
  host.clear_records();
  CHECK(host.audit_events().empty());
  CHECK(host.log_lines().empty());
  CHECK(host.counters().empty());
}

TEST_CASE("mock: dispatch authenticates before the handler runs") {
  struct Echo final : hostsdk::RouteHandler {
    int calls = 0;
    std::string seen;
    void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
      ++calls;
      seen = request.caller != nullptr ? std::string(request.caller->username) : "-";
      seen += "|" + std::string(request.header("content-type")) + "|" +
              std::string(request.workspace) + "|" + std::string(request.body);
      response.body = "{}";
    }
  } echo;
  MockHost host;
  const auto alice = host.add_user(kWs, "alice", {"user"});
  const auto carol = host.add_user(kWs, "carol", {"user"}, false);
  hostsdk::RouteSpec spec;
  spec.method = "POST";
  spec.path = "/p";
  REQUIRE(host.registry().add_route(spec, echo).ok());
  CHECK(host.registry().add_route(spec, echo).code() == StatusCode::kConflict);
  REQUIRE(host.routes().size() == 1);

  CHECK(host.dispatch("POST", "/p", kWs, std::nullopt, "{").body == MockHost::not_logged_in_body());
  CHECK(host.dispatch("POST", "/p", kWs, "unknown", "{").status == 401);
  CHECK(host.dispatch("POST", "/p", kWs, carol, "{").status == 401);
  CHECK(host.dispatch("POST", "/p", "other", alice, "{").status == 401);
  CHECK(echo.calls == 0);
  CHECK(host.dispatch("GET", "/p", kWs, alice, "").status == 404);
  CHECK(host.dispatch("POST", "/q", kWs, alice, "").body == MockHost::not_found_body());

  const auto ok = host.dispatch("POST", "/p", kWs, alice, "body", {{"Content-Type", "text/x"}});
  CHECK(ok.status == 200);
  CHECK(echo.seen == "alice|text/x|default|body");

  const auto token = issue(host, alice);
  auto by_token = host.dispatch("POST", "/p", kWs, std::nullopt, "b",
                                {{"x-user-id", alice}, {"x-auth-token", token}});
  CHECK(by_token.status == 200);
  CHECK(echo.seen == "alice||default|b");
  by_token = host.dispatch("POST", "/p", kWs, std::nullopt, "b",
                           {{"X-User-Id", alice}, {"X-Auth-Token", token + "x"}});
  CHECK(by_token.status == 401);
  // The host's own authentication is not subject to injected failures.
  host.set_storage_unavailable(true);
  CHECK(host.dispatch("POST", "/p", kWs, std::nullopt, "b",
                      {{"X-User-Id", alice}, {"X-Auth-Token", token}})
            .status == 200);

  spec.path = "/open";
  spec.requires_auth = false;
  REQUIRE(host.registry().add_route(spec, echo).ok());
  CHECK(host.dispatch("POST", "/open", kWs, std::nullopt, "").status == 200);
  CHECK(echo.seen == "-||default|");
}
