// Every error body of spec §5, byte for byte, from the real host over HTTP — including the
// 503 of a locked database file, after which nothing of the attempt may exist.
#include <doctest/doctest.h>

#include <regex>

#include "db_peek.h"
#include "expected_bodies.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

constexpr const char* kNotObject =
    R"({"success":false,"error":"Request body must be a JSON object, not array )"
    R"([error-invalid-params]","errorType":"error-invalid-params"})";
constexpr const char* kTooLarge = R"({"success":false,"error":"Request body too large"})";

// Gate open in "default"; "closed" has no gate; "secret" runs in secret mode; "limits" keeps
// the rate-limit counter of its own. A short busy timeout turns a held lock into a 503 fast.
struct ErrorHost {
  rct::HostProcess host{
      rct::HostOptions{{}, false, 2, {"--storage", "sqlite:{data}/host.db?busy_timeout_ms=50"}}};
  rct::SeededWorkspace ws, closed, secret, limits;

  ErrorHost() {
    ws = rct::seed_workspace(host, "default");
    closed = rct::seed_workspace(host, "closed");
    secret = rct::seed_workspace(host, "secret");
    limits = rct::seed_workspace(host, "limits");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(host, "default", "protectedRoles", R"(["admin"])");
    rct::set_setting(host, "secret", "CREATE_TOKENS_FOR_USERS_SECRET", "s3cret-for-errors");
    rct::set_setting(host, "limits", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
  }

  rct::HttpResult post(const rct::SeededWorkspace& where, const rct::Credentials& caller,
                       const std::string& body) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body,
                             rct::auth_headers(where.host, caller));
  }
};

ErrorHost& shared() {
  static ErrorHost instance;
  return instance;
}

void check_json_type(const rct::HttpResult& r) {
  CHECK(r.header("Content-Type") == "application/json");
}

}  // namespace

TEST_CASE("401: no headers, an empty X-User-Id, a wrong token — one exact body") {
  ErrorHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  std::vector<rct::HeaderList> callers = {
      {{"Host", s.ws.host}},
      {{"Host", s.ws.host}, {"X-User-Id", ""}, {"X-Auth-Token", admin.token}},
      {{"Host", s.ws.host}, {"X-User-Id", admin.user_id}, {"X-Auth-Token", ""}},
      {{"Host", s.ws.host}, {"X-User-Id", admin.user_id}, {"X-Auth-Token", admin.token + "x"}}};
  for (const auto& headers : callers) {
    rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken",
                                          R"({"username":"alice"})", headers);
    CHECK(r.status == 401);
    CHECK(r.body == rct::kNotLoggedInBody);
    check_json_type(r);
  }
}

TEST_CASE("not-authorized: gate closed, wrong secret, missing permission, protected target") {
  ErrorHost& s = shared();
  rct::Credentials closed_admin = rct::login(s.host.port(), s.closed.host, "admin");
  rct::Credentials secret_admin = rct::login(s.host.port(), s.secret.host, "admin");
  rct::Credentials alice = rct::login(s.host.port(), s.ws.host, "alice");
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  std::vector<rct::HttpResult> answers = {
      s.post(s.closed, closed_admin, R"({"username":"alice"})"),
      s.post(s.secret, secret_admin, R"({"username":"alice","secret":"wrong"})"),
      s.post(s.ws, alice, R"({"username":"bob"})"),
      s.post(s.ws, admin, R"({"username":"ops"})")};  // ops holds the protected role admin
  for (const auto& r : answers) {
    CHECK(r.status == 400);
    CHECK(r.body == rct::kNotAuthorizedBody);
    check_json_type(r);
  }
}

TEST_CASE("no target, unknown target, deactivated target: exact bodies") {
  ErrorHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  for (const char* body : {"{}", R"({"userId":"  ","username":""})"}) {
    rct::HttpResult r = s.post(s.ws, admin, body);
    CHECK(r.status == 400);
    CHECK(r.body == rct::kUserParamNotProvidedBody);
  }
  rct::HttpResult unknown = s.post(s.ws, admin, R"({"username":"nobody-at-all"})");
  CHECK(unknown.status == 400);
  CHECK(unknown.body == rct::kInvalidUserBody);
  rct::HttpResult deactivated = s.post(s.ws, admin, R"({"username":"carol"})");
  CHECK(deactivated.status == 400);
  CHECK(deactivated.body == rct::kUserNotActivatedBody);
  check_json_type(deactivated);
}

TEST_CASE("invalid-params: status, errorType, success false; exact for a non-object") {
  ErrorHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  rct::HttpResult array = s.post(s.ws, admin, "[]");
  CHECK(array.status == 400);
  CHECK(array.body == kNotObject);
  for (const char* body : {R"({"username":5})", R"({"userId":null})", "{\"username\":", "x"}) {
    CAPTURE(body);
    rct::HttpResult r = s.post(s.ws, admin, body);
    CHECK(r.status == 400);
    json j = r.json();
    REQUIRE(j.is_object());
    CHECK(j.size() == 3);
    CHECK(j["success"] == false);
    CHECK(j["errorType"] == "error-invalid-params");
    std::string error = j["error"];
    CHECK(error.size() > 24);
    CHECK(error.find(" [error-invalid-params]") == error.size() - 23);
  }
}

TEST_CASE("413: a body over the limit, even with valid credentials") {
  ErrorHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  std::string big = R"({"username":")" + std::string(70 * 1024, 'a') + R"("})";
  rct::HttpResult r = s.post(s.ws, admin, big);
  CHECK(r.status == 413);
  CHECK(r.body == kTooLarge);
  check_json_type(r);
}

TEST_CASE("429: the eleventh call in a minute, with the exact text and wait") {
  ErrorHost& s = shared();
  rct::Credentials alice = rct::login(s.host.port(), s.limits.host, "alice");
  for (int i = 0; i < 10; ++i)
    REQUIRE(s.post(s.limits, alice, R"({"user":"alice"})").status == 200);
  rct::HttpResult r = s.post(s.limits, alice, R"({"user":"alice"})");
  CHECK(r.status == 429);
  check_json_type(r);
  static const std::regex kBody(
      R"(\{"success":false,"error":"Error, too many requests\. Please slow down\. You must )"
      R"(wait ([0-9]+) seconds before trying this endpoint again\. \[error-too-many-requests\]"\})");
  std::smatch m;
  REQUIRE(std::regex_match(r.body, m, kBody));
  int wait = std::stoi(m[1]);
  CHECK(wait >= 1);
  CHECK(wait <= 60);
}

TEST_CASE("503: the database is locked by another process; nothing half-written remains") {
  ErrorHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  const std::string bob = s.ws.ids.at("bob");
  rct::DbPeek db(s.host.data_dir());
  const auto sessions_before = db.sessions("default", bob).size();
  const auto audit_before = db.count("SELECT count(*) FROM audit");

  db.exec("BEGIN EXCLUSIVE");
  rct::HttpResult r = s.post(s.ws, admin, R"({"username":"bob"})");
  rct::HttpResult login = rct::http_request(
      s.host.port(), "POST", "/api/v1/login",
      json{{"user", "bob"}, {"password", rct::password_for("bob")}}.dump(), {{"Host", s.ws.host}});
  db.exec("ROLLBACK");

  CHECK(r.status == 503);
  CHECK(r.body == rct::kServiceUnavailableBody);
  check_json_type(r);
  CHECK(login.status == 503);
  CHECK(login.json()["success"] == false);
  CHECK(db.sessions("default", bob).size() == sessions_before);
  CHECK(db.count("SELECT count(*) FROM audit") == audit_before);
  CHECK(s.host.log().find("answered 503: sessions service failed") != std::string::npos);

  // Once the lock is gone the same call succeeds and leaves one session and one event.
  rct::HttpResult again = s.post(s.ws, admin, R"({"username":"bob"})");
  CHECK(again.status == 200);
  CHECK(db.sessions("default", bob).size() == sessions_before + 1);
  CHECK(db.count("SELECT count(*) FROM audit") == audit_before + 1);
}
