// Hostile requests to users.createToken over HTTP: odd JSON, deep nesting, bad UTF-8, huge
// numbers, duplicate keys, valueless headers. Each gets a JSON answer (never a 500) and the
// host still answers /api/info after each.
#include <doctest/doctest.h>

#include "expected_bodies.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

struct HostileHost {
  rct::HostProcess host;
  rct::SeededWorkspace ws;
  rct::Credentials admin;
  HostileHost() {
    ws = rct::seed_workspace(host, "default");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
    admin = rct::login(host.port(), ws.host, "admin");
  }
};

HostileHost& shared() {
  static HostileHost instance;
  return instance;
}

void check_still_serving(HostileHost& s) {
  rct::HttpResult info = rct::http_request(s.host.port(), "GET", "/api/info");
  CHECK(info.status == 200);
  CHECK(info.json()["success"] == true);
}

void check_invalid_params(const rct::HttpResult& r) {
  CHECK(r.status == 400);
  CHECK(r.header("Content-Type") == "application/json");
  json j = r.json();
  REQUIRE_MESSAGE(j.is_object(), "body: " << r.body);
  CHECK(j["success"] == false);
  CHECK(j["errorType"] == "error-invalid-params");
  CHECK(j["error"].is_string());
}

std::string nested(int depth, const std::string& open, const std::string& close,
                   const std::string& inner = {}) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

}  // namespace

TEST_CASE("bodies that are not a usable JSON object: 400 invalid-params, host serving") {
  HostileHost& s = shared();
  REQUIRE(!s.admin.user_id.empty());
  const std::vector<std::pair<const char*, std::string>> bodies = {
      {"null", "null"},
      {"array", R"(["alice"])"},
      {"string", R"("alice")"},
      {"number", "42"},
      {"10000 nested arrays", nested(10'000, "[", "]")},
      {"10000 nested objects in a field",
       R"({"username":"alice","x":)" + nested(10'000, R"({"a":)", "}", "1") + "}"},
      {"not UTF-8 outside strings", "\xff\xfe{}"},
      {"not UTF-8 inside the target", "{\"username\":\"al\xc3\x28ice\"}"},
      {"overlong UTF-8",
       "{\"username\":\"\xc0\xaf"
       "alice\"}"},
      {"empty", ""},
      {"whitespace only", " \r\n\t "},
      {"huge exponent", R"({"username":"alice","n":1e999999})"},
      {"huge negative exponent in the target", R"({"username":-1e400})"},
      {"1000-digit number", R"({"username":"alice","n":)" + std::string(1000, '9') + "}"},
      {"duplicate target keys", R"({"username":"alice","username":"bob"})"},
      {"duplicate keys, same value", R"({"userId":"x","userId":"x"})"},
      {"NUL after the object",
       std::string(R"({"username":"alice"})") + '\0' + R"({"username":"bob"})"},
      {"trailing garbage", R"({"username":"alice"} {"username":"bob"})"},
  };
  for (const auto& [name, body] : bodies) {
    const std::string what = name;
    CAPTURE(what);
    rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", body,
                                          rct::auth_headers(s.ws.host, s.admin));
    check_invalid_params(r);
    check_still_serving(s);
  }
  CHECK(s.host.running());
  CHECK(s.host.log().find(" 500 ") == std::string::npos);
}

TEST_CASE("a header without a value: empty X-User-Id is the 401, an odd extra header is ignored") {
  HostileHost& s = shared();
  const std::string body = R"({"username":"alice"})";
  const std::string head =
      "POST /api/v1/users.createToken HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n";
  rct::HttpResult empty_id = rct::send_raw(
      s.host.port(), head + "X-User-Id:\r\nX-Auth-Token: " + s.admin.token + "\r\n\r\n" + body);
  CHECK(empty_id.status == 401);
  CHECK(empty_id.json()["success"] == false);
  rct::HttpResult empty_token = rct::send_raw(
      s.host.port(), head + "X-User-Id: " + s.admin.user_id + "\r\nX-Auth-Token:\r\n\r\n" + body);
  CHECK(empty_token.status == 401);
  check_still_serving(s);

  rct::HttpResult extra = rct::send_raw(s.host.port(), head + "X-User-Id: " + s.admin.user_id +
                                                           "\r\nX-Auth-Token: " + s.admin.token +
                                                           "\r\nX-Empty:\r\n\r\n" + body);
  CHECK(extra.status == 200);
  check_still_serving(s);
}

TEST_CASE("credential headers sent twice are the 401, whichever of them is valid") {
  HostileHost& s = shared();
  const std::string alice = s.ws.ids.at("alice");
  const std::vector<rct::HeaderList> doubled = {
      {{"X-User-Id", s.admin.user_id}, {"X-User-Id", alice}, {"X-Auth-Token", s.admin.token}},
      {{"X-User-Id", alice}, {"X-User-Id", s.admin.user_id}, {"X-Auth-Token", s.admin.token}},
      {{"X-User-Id", s.admin.user_id}, {"X-Auth-Token", s.admin.token}, {"X-Auth-Token", "x"}},
      {{"X-User-Id", s.admin.user_id},
       {"x-auth-token", s.admin.token},
       {"X-AUTH-TOKEN", s.admin.token}}};
  for (rct::HeaderList headers : doubled) {
    headers.emplace_back("Host", s.ws.host);
    rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken",
                                          R"({"username":"bob"})", headers);
    CHECK(r.status == 401);
    CHECK(r.body == rct::kNotLoggedInBody);
  }
  // Each once: the same caller is served.
  CHECK(rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken",
                          R"({"username":"bob"})", rct::auth_headers(s.ws.host, s.admin))
            .status == 200);
}
