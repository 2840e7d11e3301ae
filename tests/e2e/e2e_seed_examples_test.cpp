// The seed's example calls and the flows around them, against the real host: mint by
// userId and by username, use the token, the exact error bodies, self-service, logout.
#include <doctest/doctest.h>

#include <regex>

#include "expected_bodies.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

// One host for the whole file, started on first use, with the gate open in "default".
struct SeedHost {
  rct::HostProcess host;
  rct::SeededWorkspace ws;
  SeedHost() {
    ws = rct::seed_workspace(host, "default");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
  }
  rct::HttpResult create_token(const rct::Credentials& caller, const std::string& body) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body,
                             rct::auth_headers(ws.host, caller));
  }
  rct::HttpResult me(const rct::Credentials& who) {
    return rct::http_request(host.port(), "GET", "/api/v1/me", {}, rct::auth_headers(ws.host, who));
  }
};

SeedHost& seed() {
  static SeedHost instance;
  return instance;
}

const std::regex kTokenShape("^[A-Za-z0-9_-]{43}$");

}  // namespace

TEST_CASE("admin mints by username and by userId; the token answers /api/v1/me") {
  SeedHost& s = seed();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  const std::string alice = s.ws.ids.at("alice");

  for (const std::string& body :
       {std::string(R"({ "username": "alice" })"), R"({ "userId": ")" + alice + R"(" })"}) {
    CAPTURE(body);
    rct::HttpResult r = s.create_token(admin, body);
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json");
    json j = r.json();
    CHECK(j["success"] == true);
    CHECK(j["data"]["userId"] == alice);
    std::string token = j["data"]["authToken"];
    CHECK(token.size() == 43);
    CHECK(std::regex_match(token, kTokenShape));

    rct::HttpResult me = s.me({alice, token});
    CHECK(me.status == 200);
    CHECK(me.json()["success"] == true);
    CHECK(me.json()["_id"] == alice);
    CHECK(me.json()["username"] == "alice");
    // Never written to the log; one line per request with who and where.
    std::string log = s.host.log();
    CHECK(log.find(token) == std::string::npos);
    CHECK(log.find("POST /api/v1/users.createToken 200 ") != std::string::npos);
    CHECK(log.find("ws=default caller=" + admin.user_id + " req=") != std::string::npos);
    CHECK(!r.header("X-Request-Id").empty());
    CHECK(log.find("req=" + r.header("X-Request-Id")) != std::string::npos);
  }
}

TEST_CASE("no credentials: the exact 401 body, before the body is read") {
  SeedHost& s = seed();
  for (const char* body : {R"({"username":"alice"})", "{not json"}) {
    rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", body,
                                          {{"Host", s.ws.host}});
    CHECK(r.status == 401);
    CHECK(r.body == rct::kNotLoggedInBody);
  }
  // A wrong token is the same 401.
  rct::HttpResult r =
      s.create_token({s.ws.ids.at("admin"), std::string(43, 'A')}, R"({"username":"alice"})");
  CHECK(r.status == 401);
  CHECK(r.body == rct::kNotLoggedInBody);
}

TEST_CASE("unknown user: 400 error-invalid-user, exact body") {
  SeedHost& s = seed();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  rct::HttpResult r = s.create_token(admin, R"({"username":"nobody-here"})");
  CHECK(r.status == 400);
  CHECK(r.body == rct::kInvalidUserBody);
}

TEST_CASE("non-admin: refused for someone else, allowed for themselves") {
  SeedHost& s = seed();
  rct::Credentials alice = rct::login(s.host.port(), s.ws.host, "alice");
  REQUIRE(!alice.user_id.empty());

  rct::HttpResult other = s.create_token(alice, R"({"username":"bob"})");
  CHECK(other.status == 400);
  CHECK(other.body == rct::kNotAuthorizedBody);

  rct::HttpResult self = s.create_token(alice, R"({"username":"ALICE"})");
  CHECK(self.status == 200);
  CHECK(self.json()["data"]["userId"] == alice.user_id);
  // Rate limit headers for a caller without api-bypass-rate-limit.
  CHECK(self.header("X-RateLimit-Limit") == "10");
  CHECK(!self.header("X-RateLimit-Remaining").empty());
  CHECK(self.header("X-RateLimit-Reset").size() >= 13);  // epoch milliseconds
}

TEST_CASE("logout revokes only that token") {
  SeedHost& s = seed();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  rct::HttpResult minted = s.create_token(admin, R"({"username":"bob"})");
  REQUIRE(minted.status == 200);
  rct::Credentials bob{s.ws.ids.at("bob"), minted.json()["data"]["authToken"]};
  rct::Credentials bob_login = rct::login(s.host.port(), s.ws.host, "bob");
  REQUIRE(s.me(bob).status == 200);

  rct::HttpResult out = rct::http_request(s.host.port(), "POST", "/api/v1/logout", {},
                                          rct::auth_headers(s.ws.host, bob));
  CHECK(out.status == 200);
  CHECK(out.json() ==
        json::parse(R"({"status":"success","data":{"message":"You've been logged out!"}})"));

  rct::HttpResult after = s.me(bob);
  CHECK(after.status == 401);
  CHECK(after.body == rct::kNotLoggedInBody);
  CHECK(s.me(bob_login).status == 200);  // the other session still works
}

TEST_CASE("every attempt is audited, without tokens") {
  SeedHost& s = seed();
  rct::CommandResult audit = s.host.cli({"audit", "list", "--json"});
  REQUIRE(audit.exit_code == 0);
  CHECK(audit.out.find("\"outcome\":\"issued\"") != std::string::npos);
  CHECK(audit.out.find("\"reason\":\"permission-missing\"") != std::string::npos);
  CHECK(audit.out.find("authToken") == std::string::npos);
}
