// Host behaviour around plugins, over HTTP: per-workspace enablement without restart,
// rate limits and their exemption, expiry through the test clock, workspace isolation,
// the exception guard, and refused plugins leaving the host serving.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "fixture_plugins.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

// The real plugin, the good fixture and broken ones; two workspaces with the gate open.
struct FeatureHost {
  rct::TempDir plugins;
  rct::HostProcess host;
  rct::SeededWorkspace main_ws, other_ws;

  FeatureHost() : host(options(plugins)) {
    main_ws = rct::seed_workspace(host, "main");
    other_ws = rct::seed_workspace(host, "other");
    rct::set_setting(host, "main", "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(host, "other", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
  }

  static rct::HostOptions options(const rct::TempDir& dir) {
    rct::install_real_plugin(dir.path());
    rct::install_fixture(dir.path(), "good");
    for (const char* kind : {"bad_fingerprint", "start_throws", "extra_route", "no_descriptor"}) {
      rct::install_fixture(dir.path(), kind);
    }
    std::filesystem::create_directories(dir.path() / "broken-manifest");
    std::ofstream(dir.path() / "broken-manifest" / "manifest.json") << "{\"id\": ";
    rct::HostOptions o;
    o.plugins_dir = dir.path();
    o.test_clock = true;
    return o;
  }

  rct::HttpResult create_token(const rct::SeededWorkspace& ws, const rct::Credentials& caller,
                               const std::string& body) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body,
                             rct::auth_headers(ws.host, caller));
  }
};

FeatureHost& shared() {
  static FeatureHost instance;
  return instance;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("refused plugins: one log line each, naming the check; the rest is served") {
  FeatureHost& s = shared();
  std::string log = s.host.log();
  CHECK(count(log, "plugin \"fixture-bad-fingerprint\"") == 1);
  CHECK(log.find("check descriptor.build_fingerprint failed") != std::string::npos);
  CHECK(count(log, "plugin \"fixture-start-throws\"") == 1);
  CHECK(log.find("fixture start failure") != std::string::npos);
  CHECK(count(log, "plugin \"fixture-extra-route\"") == 1);
  CHECK(log.find("check registered routes failed") != std::string::npos);
  CHECK(count(log, "plugin \"fixture-no-descriptor\"") == 1);
  CHECK(count(log, "plugin \"broken-manifest\"") == 1);

  // Half-registered routes of refused plugins are not served.
  CHECK(rct::http_request(s.host.port(), "GET", "/api/v1/fixture.extra").status == 404);
  rct::HttpResult ping = rct::http_request(s.host.port(), "GET", "/api/v1/fixture.ping");
  CHECK(ping.status == 200);
  CHECK(ping.json()["pong"] == true);
}

TEST_CASE("an exception escaping a handler is a JSON 500 and a log line") {
  FeatureHost& s = shared();
  rct::HttpResult r = rct::http_request(s.host.port(), "GET", "/api/v1/fixture.throw");
  CHECK(r.status == 500);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.json()["success"] == false);
  CHECK(s.host.log().find("threw: fixture handler failure") != std::string::npos);
  CHECK(rct::http_request(s.host.port(), "GET", "/health").status == 200);
}

TEST_CASE("the handler sees the caller and the workspace chosen by the Host header") {
  FeatureHost& s = shared();
  rct::Credentials bob = rct::login(s.host.port(), s.other_ws.host, "bob");
  rct::HttpResult r = rct::http_request(s.host.port(), "GET", "/api/v1/fixture.whoami", {},
                                        {{"host", "OTHER.test:" + std::to_string(s.host.port())},
                                         {"x-user-id", bob.user_id},
                                         {"x-auth-token", bob.token}});
  CHECK(r.status == 200);
  CHECK(r.json()["userId"] == s.other_ws.ids.at("bob"));
  CHECK(r.json()["workspace"] == "other");
}

TEST_CASE("workspaces are isolated: a session of one is 401 in another") {
  FeatureHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.main_ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  rct::HttpResult r = s.create_token(s.other_ws, admin, R"({"username":"alice"})");
  CHECK(r.status == 401);
  // And an admin of "other" cannot reach a user of "main" by id.
  rct::Credentials other_admin = rct::login(s.host.port(), s.other_ws.host, "admin");
  json body = {{"userId", s.main_ws.ids.at("alice")}};
  CHECK(s.create_token(s.other_ws, other_admin, body.dump()).json()["errorType"] ==
        "error-invalid-user");
}

TEST_CASE("disabling the plugin in one workspace unroutes it there only, without restart") {
  FeatureHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.other_ws.host, "admin");
  REQUIRE(s.create_token(s.other_ws, admin, R"({"username":"bob"})").status == 200);

  REQUIRE(
      s.host.cli({"plugin", "disable", "--workspace", "other", "users-create-token"}).exit_code ==
      0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // enablement cache: <= 1 s
  rct::HttpResult gone = s.create_token(s.other_ws, admin, R"({"username":"bob"})");
  CHECK(gone.status == 404);
  CHECK(gone.json() == json::parse(R"({"success":false,"error":"Not found"})"));
  // Still served in "main".
  rct::Credentials main_admin = rct::login(s.host.port(), s.main_ws.host, "admin");
  CHECK(s.create_token(s.main_ws, main_admin, R"({"username":"bob"})").status == 200);

  REQUIRE(
      s.host.cli({"plugin", "enable", "--workspace", "other", "users-create-token"}).exit_code ==
      0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(s.create_token(s.other_ws, admin, R"({"username":"bob"})").status == 200);
}

TEST_CASE("rate limit: 10 per minute for a plain user, with headers; 429 body; admins exempt") {
  FeatureHost& s = shared();
  rct::SeededWorkspace ws = rct::seed_workspace(s.host, "limits");
  rct::set_setting(s.host, "limits", "CREATE_TOKENS_FOR_USERS", "true");
  rct::Credentials alice = rct::login(s.host.port(), ws.host, "alice");
  rct::Credentials admin = rct::login(s.host.port(), ws.host, "admin");

  for (int i = 0; i < 10; ++i) {
    rct::HttpResult r = s.create_token(ws, alice, R"({"username":"alice"})");
    CHECK(r.status == 200);
    CHECK(r.header("X-RateLimit-Limit") == "10");
    CHECK(r.header("X-RateLimit-Remaining") == std::to_string(9 - i));
  }
  rct::HttpResult limited = s.create_token(ws, alice, R"({"username":"alice"})");
  CHECK(limited.status == 429);
  CHECK(limited.header("X-RateLimit-Remaining") == "0");
  long long reset = std::stoll(limited.header("X-RateLimit-Reset"));
  long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  CHECK(reset > now);
  CHECK(reset <= now + 61'000);
  std::string wait = std::to_string((reset - now + 999) / 1000);
  json body = limited.json();
  CHECK(body["success"] == false);
  std::string error = body["error"];
  CHECK(error.rfind("Error, too many requests. Please slow down. You must wait ", 0) == 0);
  CHECK(error.find(" seconds before trying this endpoint again. [error-too-many-requests]") !=
        std::string::npos);

  // Admins hold api-bypass-rate-limit: no limit, no headers.
  for (int i = 0; i < 12; ++i) {
    rct::HttpResult r = s.create_token(ws, admin, R"({"username":"bob"})");
    CHECK(r.status == 200);
    CHECK(r.header("X-RateLimit-Limit").empty());
  }
  // The refusal is audited as rate-limited and counted.
  rct::CommandResult audit = s.host.cli({"audit", "list", "--json", "--workspace", "limits"});
  CHECK(audit.out.find("\"reason\":\"rate-limited\"") != std::string::npos);
  rct::HttpResult metrics = rct::http_request(s.host.port(), "GET", "/metrics");
  CHECK(metrics.body.find("rchost_rate_limited_total{route=\"/api/v1/users.createToken\"}") !=
        std::string::npos);
}

TEST_CASE("a route without auth is limited per client address (manifest: 3 per 60 s)") {
  FeatureHost& s = shared();
  rct::HeaderList host = {{"Host", "pings.example"}};
  int ok = 0, limited = 0;
  for (int i = 0; i < 5; ++i) {
    int status = rct::http_request(s.host.port(), "GET", "/api/v1/fixture.ping", {}, host).status;
    ok += status == 200;
    limited += status == 429;
  }
  // The first test already pinged once in this workspace and window.
  CHECK(ok + limited == 5);
  CHECK(limited >= 2);
}

TEST_CASE("tokens expire after Accounts_LoginExpiration days (test clock)") {
  FeatureHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.main_ws.host, "admin");
  rct::HttpResult minted = s.create_token(s.main_ws, admin, R"({"username":"alice"})");
  REQUIRE(minted.status == 200);
  rct::Credentials alice{s.main_ws.ids.at("alice"), minted.json()["data"]["authToken"]};
  auto me = [&] {
    return rct::http_request(s.host.port(), "GET", "/api/v1/me", {},
                             rct::auth_headers(s.main_ws.host, alice))
        .status;
  };
  CHECK(me() == 200);
  auto advance = [&](long long ms) {
    json body = {{"ms", ms}};
    return rct::http_request(s.host.port(), "POST", "/api/test/clock/advance", body.dump()).status;
  };
  REQUIRE(advance(89LL * 24 * 3600 * 1000) == 200);
  CHECK(me() == 200);
  REQUIRE(advance(2LL * 24 * 3600 * 1000) == 200);
  CHECK(me() == 401);
}
