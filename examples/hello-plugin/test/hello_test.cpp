// The hello plugin on the SDK's in-memory mock host: registration, the greeting, login
// through headers, and the 401/403/503 answers.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "hello/hello_plugin.h"
#include "hostsdk/mock/mock_host.h"

namespace {

using hostsdk::mock::MockHost;
using hostsdk::mock::MockService;

constexpr const char* kWs = MockHost::kDefaultWorkspace;

// A mock host with the plugin started on it, as a real host would have it after loading.
struct Fixture {
  MockHost host;
  hello::HelloPlugin plugin;
  Fixture() { REQUIRE(plugin.start(host).ok()); }
  ~Fixture() { plugin.stop(); }

  hostsdk::Response get_as(const std::string& user_id) {
    return host.dispatch("GET", "/api/v1/hello", kWs, user_id, "");
  }
};

}  // namespace

TEST_CASE("start registers GET /api/v1/hello with auth and the view-hello permission") {
  Fixture f;
  auto routes = f.host.routes();
  REQUIRE(routes.size() == 1);
  CHECK(routes[0].method == "GET");
  CHECK(routes[0].path == "/api/v1/hello");
  CHECK(routes[0].requires_auth);
  auto permissions = f.host.permissions();
  REQUIRE(permissions.size() == 1);
  CHECK(permissions[0].id == "view-hello");
  CHECK(permissions[0].default_roles == std::vector<std::string>{"admin", "user"});
}

TEST_CASE("a user is greeted by username") {
  Fixture f;
  auto response = f.get_as(f.host.add_user(kWs, "alice", {"user"}));
  CHECK(response.status == 200);
  CHECK(response.content_type == "application/json");
  CHECK(response.body == R"({"message":"hello alice","success":true})");
  CHECK(f.host.counter("hello_requests_total", R"(outcome="ok")") == 1);
}

TEST_CASE("the caller may log in with X-User-Id and X-Auth-Token, as on a real host") {
  Fixture f;
  const auto id = f.host.add_user(kWs, "bob", {"user"});
  auto token = f.host.sessions().issue(kWs, id);
  REQUIRE(token.ok());
  auto response = f.host.dispatch("GET", "/api/v1/hello", kWs, std::nullopt, "",
                                  {{"X-User-Id", id}, {"X-Auth-Token", token.value()}});
  CHECK(response.status == 200);
  CHECK(response.body == R"({"message":"hello bob","success":true})");
}

TEST_CASE("without a login the host answers 401 and the handler does not run") {
  Fixture f;
  auto response = f.host.dispatch("GET", "/api/v1/hello", kWs, std::nullopt, "");
  CHECK(response.status == 401);
  CHECK(response.body == MockHost::not_logged_in_body());
  CHECK(f.host.calls(MockService::kAuthorization) == 0);
}

TEST_CASE("a caller without view-hello gets 403") {
  Fixture f;
  auto response = f.get_as(f.host.add_user(kWs, "guest1", {"guest"}));
  CHECK(response.status == 403);
  CHECK(response.body.find("error-unauthorized") != std::string::npos);
  CHECK(f.host.counter("hello_requests_total", R"(outcome="denied")") == 1);

  // A workspace may take the permission away from the default roles.
  f.host.set_permission_roles(kWs, "view-hello", {"admin"});
  CHECK(f.get_as(f.host.add_user(kWs, "carol", {"user"})).status == 403);
}

TEST_CASE("the username is escaped inside the JSON body") {
  Fixture f;
  auto response = f.get_as(f.host.add_user(kWs, R"(o"brien\)", {"user"}));
  CHECK(response.body == R"({"message":"hello o\"brien\\","success":true})");
}

TEST_CASE("authorization down: 503 and an error log line, not a guess") {
  Fixture f;
  const auto id = f.host.add_user(kWs, "dave", {"user"});
  f.host.set_unavailable(MockService::kAuthorization, true);
  auto response = f.get_as(id);
  CHECK(response.status == 503);
  CHECK(f.host.log_text().find("authorization unavailable") != std::string::npos);
}
