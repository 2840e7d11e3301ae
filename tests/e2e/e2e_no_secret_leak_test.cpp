// A full mixed session at trace log level — logins, mints, refusals, secret mode, logout —
// then everything the host wrote is searched for every token, password and secret.
#include <doctest/doctest.h>

#include <map>

#include "db_peek.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

constexpr const char* kSecret = "Shared-Secret-4f1c9e77ab";
constexpr const char* kWrongSecret = "Wrong-Secret-b0b5e3d2c1";
constexpr const char* kWrongPassword = "Not-The-Password-77e1a9";

}  // namespace

TEST_CASE("no token, password or secret appears in logs, audit, metrics or the database") {
  // The secret comes from the host's environment, its default settings source: whatever of
  // it reaches a file was written by the host. "default" stores an empty secret, which wins
  // over the environment and leaves that workspace in plain gate mode.
  rct::HostOptions options{{}, false, 2, {"--log-level", "trace"}};
  options.environment = {{"CREATE_TOKENS_FOR_USERS_SECRET", kSecret}};
  rct::HostProcess host{options};
  rct::SeededWorkspace open = rct::seed_workspace(host, "default");
  rct::SeededWorkspace secret = rct::seed_workspace(host, "vault");
  rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
  rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS_SECRET", "");
  host.start();
  const unsigned short port = host.port();

  std::vector<std::string> tokens;
  std::vector<std::string> secrets = {kSecret, kWrongSecret, kWrongPassword};
  for (const char* user : {"admin", "alice", "bob", "carol", "ops"}) {
    secrets.push_back(rct::password_for(user));
  }
  auto keep = [&](const rct::HttpResult& r) {
    json j = r.json();
    if (r.status == 200 && j.contains("data") && j["data"].contains("authToken")) {
      tokens.push_back(j["data"]["authToken"]);
    }
    return r.status;
  };
  auto post = [&](const rct::SeededWorkspace& ws, const rct::Credentials& caller,
                  const std::string& body) {
    return keep(rct::http_request(port, "POST", "/api/v1/users.createToken", body,
                                  rct::auth_headers(ws.host, caller)));
  };

  std::map<std::string, rct::Credentials> callers;
  for (const auto* ws : {&open, &secret}) {
    for (const char* user : {"admin", "alice", "bob", "ops"}) {
      rct::Credentials c = rct::login(port, ws->host, user);
      REQUIRE(!c.user_id.empty());
      tokens.push_back(c.token);
      callers[ws->name + "/" + user] = c;
    }
  }
  // Failed logins: wrong password, deactivated user, unknown user.
  for (const auto& [user, password] : {std::pair<std::string, std::string>{"alice", kWrongPassword},
                                       {"carol", rct::password_for("carol")},
                                       {"nobody", rct::password_for("alice")}}) {
    json body = {{"user", user}, {"password", password}};
    CHECK(keep(rct::http_request(port, "POST", "/api/v1/login", body.dump(),
                                 {{"Host", open.host}})) == 401);
  }

  const rct::Credentials& admin = callers["default/admin"];
  const rct::Credentials& vault_admin = callers["vault/admin"];
  CHECK(post(open, admin, R"({"username":"alice"})") == 200);
  CHECK(post(open, admin, R"({"userId":")" + open.ids.at("bob") + R"("})") == 200);
  CHECK(post(open, callers["default/alice"], R"({"username":"alice"})") == 200);
  CHECK(post(open, callers["default/alice"], R"({"username":"bob"})") == 400);
  CHECK(post(open, admin, R"({"username":"carol"})") == 400);
  CHECK(post(open, admin, R"({"username":"ghost"})") == 400);
  CHECK(post(secret, vault_admin, json{{"username", "bob"}, {"secret", kSecret}}.dump()) == 200);
  CHECK(post(secret, vault_admin, json{{"username", "bob"}, {"secret", kWrongSecret}}.dump()) ==
        400);
  // Malformed bodies that carry the secret must not be echoed in errors or logs.
  CHECK(post(secret, vault_admin, std::string(R"({"username":"bob","secret":")") + kSecret) == 400);
  CHECK(post(secret, vault_admin, std::string(R"({"secret":")") + kSecret + R"(","user":5})") ==
        400);
  // A token used as the body, as a header of an unknown route, and after logout.
  const std::string minted = tokens.back();
  CHECK(post(open, admin, json{{"username", minted}}.dump()) == 400);
  rct::http_request(port, "GET", "/api/v1/nothing", {}, rct::auth_headers(open.host, admin));
  rct::Credentials bob_minted{secret.ids.at("bob"), minted};
  CHECK(rct::http_request(port, "POST", "/api/v1/logout", {},
                          rct::auth_headers(secret.host, bob_minted))
            .status == 200);
  CHECK(rct::http_request(port, "GET", "/api/v1/me", {}, rct::auth_headers(secret.host, bob_minted))
            .status == 401);
  REQUIRE(tokens.size() >= 12);

  const std::string metrics = rct::http_request(port, "GET", "/metrics").body;
  REQUIRE(host.stop() == 0);  // flushes the log
  const std::string log = host.log();
  REQUIRE(log.find("users.createToken issued") != std::string::npos);  // trace level did log
  rct::CommandResult audit = host.cli({"audit", "list", "--json"});
  rct::CommandResult audit_text = host.cli({"audit", "list"});
  rct::CommandResult users = host.cli({"user", "list", "--json", "--workspace", "vault"});
  REQUIRE(audit.exit_code == 0);
  REQUIRE(audit.out.size() > 100);
  const std::string database = rct::database_bytes(host.data_dir());

  const std::vector<std::pair<std::string, const std::string*>> places = {
      {"host log", &log},           {"metrics", &metrics},
      {"audit --json", &audit.out}, {"audit text", &audit_text.out},
      {"user list", &users.out},    {"database files", &database}};
  for (const auto& [where, text] : places) {
    CAPTURE(where);
    for (const auto& token : tokens) CHECK_MESSAGE(text->find(token) == std::string::npos, token);
    for (const auto& s : secrets) CHECK_MESSAGE(text->find(s) == std::string::npos, s);
  }
}
