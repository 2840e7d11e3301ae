// One table row per spec rule beyond the conformance cases (§2–§5), each asserting the
// exact status and body, plus the rules that need more than one request to show.
#include <doctest/doctest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "expected_bodies.h"
#include "support/plugin_fixture.h"

namespace {

using unit::PluginFixture;
using Setup = std::function<void(PluginFixture&)>;

struct Row {
  const char* rule;
  Setup setup;
  std::optional<std::string> caller;  // fixture username; none: no credentials
  std::string body;                   // "@name" stands for that user's id
  int status = 400;
  std::string expected_body;  // exact body of an error
  std::string issued_to;      // fixture username a 200 must name
};

Setup env(std::string name, std::string value) {
  return [=](PluginFixture& f) { f.host().set_env(name, value); };
}
Setup setting(std::string name, std::string value) {
  return [=](PluginFixture& f) { f.host().set_setting(unit::kWorkspace, name, value); };
}
Setup both(Setup a, Setup b) {
  return [=](PluginFixture& f) {
    a(f);
    b(f);
  };
}
const Setup kOpen = env("CREATE_TOKENS_FOR_USERS", "true");
const Setup kSecret = env("CREATE_TOKENS_FOR_USERS_SECRET", "s3cr3t-value");

Row ok(const char* rule, Setup setup, const char* caller, std::string body, const char* target) {
  return Row{rule, std::move(setup), std::string(caller), std::move(body), 200, {}, target};
}
Row refused(const char* rule, Setup setup, std::optional<std::string> caller, std::string body,
            int status, std::string_view expected) {
  return Row{
      rule, std::move(setup), std::move(caller), std::move(body), status, std::string(expected),
      {}};
}
Row not_authorized(const char* rule, Setup setup, const char* caller, std::string body) {
  return refused(rule, std::move(setup), std::string(caller), std::move(body), 400,
                 rct::kNotAuthorizedBody);
}
Row bad_body(const char* rule, std::string body, std::string_view problem) {
  return refused(rule, kOpen, std::string("admin"), std::move(body), 400,
                 rct::invalid_params_body(problem));
}

std::string nested(std::size_t depth, bool closed) {
  std::string text = R"({"username":)";
  text.append(depth, '[');
  if (closed) text.append(depth, ']').append("}");
  return text;
}

std::vector<Row> rows() {
  const std::string not_json = "Request body is not valid JSON (syntax error near byte ";
  return {
      // §3 feature gate: exactly "yes" or "true".
      not_authorized("gate value with a leading space is closed",
                     env("CREATE_TOKENS_FOR_USERS", " true"), "admin", R"({"username":"alice"})"),
      not_authorized("gate value with a trailing space is closed",
                     env("CREATE_TOKENS_FOR_USERS", "true "), "admin", R"({"username":"alice"})"),
      not_authorized("empty gate value is closed", env("CREATE_TOKENS_FOR_USERS", ""), "admin",
                     R"({"username":"alice"})"),
      not_authorized("gate value Yes is closed", env("CREATE_TOKENS_FOR_USERS", "Yes"), "admin",
                     R"({"username":"alice"})"),
      ok("gate opened by a workspace setting", setting("CREATE_TOKENS_FOR_USERS", "yes"), "admin",
         R"({"username":"alice"})", "alice"),
      not_authorized("workspace setting wins over the environment",
                     both(kOpen, setting("CREATE_TOKENS_FOR_USERS", "no")), "admin",
                     R"({"username":"alice"})"),
      // §3 shared secret.
      ok("secret mode with gate also open and right secret", both(kOpen, kSecret), "admin",
         R"({"username":"alice","secret":"s3cr3t-value"})", "alice"),
      not_authorized("secret mode empty secret", kSecret, "admin",
                     R"({"username":"alice","secret":""})"),
      not_authorized("secret mode prefix of the secret", kSecret, "admin",
                     R"({"username":"alice","secret":"s3cr3t"})"),
      not_authorized("secret mode secret plus a suffix", kSecret, "admin",
                     R"({"username":"alice","secret":"s3cr3t-value-"})"),
      not_authorized("secret mode secret of other case", kSecret, "admin",
                     R"({"username":"alice","secret":"S3CR3T-VALUE"})"),
      not_authorized("secret mode null secret", kSecret, "admin",
                     R"({"username":"alice","secret":null})"),
      not_authorized("secret mode secret in an array", kSecret, "admin",
                     R"({"username":"alice","secret":["s3cr3t-value"]})"),
      ok("secret mode non-ASCII secret",
         env("CREATE_TOKENS_FOR_USERS_SECRET", "gr\xC3\xBC\xC3\x9F"), "admin",
         "{\"username\":\"alice\",\"secret\":\"gr\\u00fc\xC3\x9F\"}", "alice"),
      ok("empty configured secret does not turn secret mode on",
         both(kOpen, env("CREATE_TOKENS_FOR_USERS_SECRET", "")), "admin", R"({"username":"alice"})",
         "alice"),
      not_authorized("empty configured secret does not open the gate",
                     env("CREATE_TOKENS_FOR_USERS_SECRET", ""), "admin",
                     R"({"username":"alice","secret":""})"),
      ok("secret of any type is ignored outside secret mode", kOpen, "admin",
         R"({"username":"alice","secret":12345})", "alice"),
      not_authorized("secret mode is checked before the target is looked up", kSecret, "admin",
                     R"({"username":"nobody-here","secret":"wrong"})"),
      // §2 step 3 target selection.
      ok("userId wins over username", kOpen, "admin", R"({"userId":"@bob","username":"alice"})",
         "bob"),
      ok("username wins over user", kOpen, "admin", R"({"username":"bob","user":"alice"})", "bob"),
      ok("blank userId falls back to username", kOpen, "admin",
         R"({"userId":" \t\n","username":"bob"})", "bob"),
      ok("blank userId and username fall back to user", kOpen, "admin",
         R"({"userId":"","username":"  ","user":"bob"})", "bob"),
      refused("whitespace-only username", kOpen, "admin", R"({"username":" \r\n\t "})", 400,
              rct::kUserParamNotProvidedBody),
      refused("no-break space only is blank", kOpen, "admin",
              R"({"userId":"\u00a0","user":"\ufeff"})", 400, rct::kUserParamNotProvidedBody),
      refused("only unknown keys", kOpen, "admin", R"({"name":"alice","id":"@alice"})", 400,
              rct::kUserParamNotProvidedBody),
      ok("username is trimmed", kOpen, "admin", R"({"username":"  alice\t"})", "alice"),
      ok("userId is trimmed", kOpen, "admin", R"({"userId":" @alice "})", "alice"),
      ok("username matches ignoring case", kOpen, "admin", R"({"username":"ALIce"})", "alice"),
      refused("userId matches exactly only", kOpen, "admin", R"({"userId":"alice"})", 400,
              rct::kInvalidUserBody),
      refused("user of another workspace by id", kOpen, "admin", R"({"userId":"@dave"})", 400,
              rct::kInvalidUserBody),
      refused("user of another workspace by username", kOpen, "admin", R"({"username":"dave"})",
              400, rct::kInvalidUserBody),
      ok("unknown extra keys are ignored", kOpen, "admin",
         R"({"username":"alice","extra":[1,{"x":null}],"n":null,"roles":["admin"]})", "alice"),
      // §2 step 2 body shape: wrong target types.
      bad_body("username of type number", R"({"username":42})",
               R"(Parameter "username" must be a string, not number)"),
      bad_body("username of type array", R"({"username":["alice"]})",
               R"(Parameter "username" must be a string, not array)"),
      bad_body("username of type object", R"({"username":{"name":"alice"}})",
               R"(Parameter "username" must be a string, not object)"),
      bad_body("username of type null", R"({"username":null})",
               R"(Parameter "username" must be a string, not null)"),
      bad_body("username of type boolean", R"({"username":true})",
               R"(Parameter "username" must be a string, not boolean)"),
      bad_body("userId of type number", R"({"userId":1.5})",
               R"(Parameter "userId" must be a string, not number)"),
      bad_body("user of type object", R"({"user":{}})",
               R"(Parameter "user" must be a string, not object)"),
      bad_body("wrong type beside a good target", R"({"userId":"@alice","username":7})",
               R"(Parameter "username" must be a string, not number)"),
      // §2 step 2 body shape: not an object, not JSON.
      bad_body("body null", "null", "Request body must be a JSON object, not null"),
      bad_body("body string", R"("alice")", "Request body must be a JSON object, not string"),
      bad_body("body empty array", "[]", "Request body must be a JSON object, not array"),
      bad_body("body number", "42", "Request body must be a JSON object, not number"),
      bad_body("body boolean", "true", "Request body must be a JSON object, not boolean"),
      bad_body("body empty", "", "Request body is empty; expected a JSON object"),
      bad_body("body whitespace only", " \n ", "Request body is empty; expected a JSON object"),
      bad_body("body truncated", R"({"username":"ali)", not_json + "17)"),
      bad_body("body with trailing garbage", R"({"username":"alice"} x)", not_json + "22)"),
      bad_body("body with a comment", R"({"username":"alice"/* hi */})", not_json + "20)"),
      bad_body("body with a lone surrogate escape", R"({"username":"\ud800"})", not_json + "20)"),
      bad_body("10000 levels of nesting", nested(10000, true),
               "Request body nests deeper than 32 levels"),
      bad_body("10000 unclosed levels", nested(10000, false), not_json + "10013)"),
      bad_body("invalid UTF-8 byte", "{\"username\":\"al\xFFice\"}",
               "Request body is not valid UTF-8"),
      bad_body("overlong UTF-8 encoding", "{\"username\":\"\xC0\xAF\"}",
               "Request body is not valid UTF-8"),
      bad_body("UTF-8 encoded surrogate", "{\"username\":\"\xED\xA0\x80\"}",
               "Request body is not valid UTF-8"),
      bad_body("truncated UTF-8 sequence", "{\"username\":\"\xE2\x82\"}",
               "Request body is not valid UTF-8"),
      refused("bad body without credentials is 401", kOpen, std::nullopt, "\xFF", 401,
              rct::kNotLoggedInBody),
      refused("caller of another workspace is 401", kOpen, std::string("dave"),
              R"({"username":"alice"})", 401, rct::kNotLoggedInBody),
      refused("deactivated caller is 401", kOpen, std::string("carol"), R"({"username":"carol"})",
              401, rct::kNotLoggedInBody),
      // §2 step 2 comes before step 4: a closed gate does not hide a bad body.
      refused("bad body with the gate closed", {}, std::string("admin"), "[]", 400,
              rct::invalid_params_body("Request body must be a JSON object, not array")),
      refused("no target with the gate closed", {}, std::string("admin"), "{}", 400,
              rct::kUserParamNotProvidedBody),
      // §2 step 5 permission.
      ok("self by username ignoring case", kOpen, "alice", R"({"username":"ALICE"})", "alice"),
      ok("self by user alias", kOpen, "alice", R"({"user":"alice"})", "alice"),
      not_authorized("user for other by id", kOpen, "alice", R"({"userId":"@bob"})"),
      not_authorized("user for deactivated other", kOpen, "alice", R"({"username":"carol"})"),
      not_authorized("user for unknown id", kOpen, "alice", R"({"userId":"AAAAAAAAAAAAAAAAA"})"),
      ok("another admin may mint", kOpen, "ops", R"({"username":"alice"})", "alice"),
      ok("permission granted to role user in the workspace",
         both(kOpen,
              [](PluginFixture& f) {
                f.host().set_permission_roles(unit::kWorkspace, "user-generate-access-token",
                                              {"user"});
              }),
         "alice", R"({"username":"bob"})", "bob"),
      not_authorized("permission taken from admin in the workspace",
                     both(kOpen,
                          [](PluginFixture& f) {
                            f.host().set_permission_roles(unit::kWorkspace,
                                                          "user-generate-access-token", {});
                          }),
                     "admin", R"({"username":"alice"})"),
      ok("self needs no permission even when authorization is down",
         both(kOpen,
              [](PluginFixture& f) {
                f.host().set_unavailable(hostsdk::mock::MockService::kAuthorization, true);
              }),
         "bob", R"({"userId":"@bob"})", "bob"),
      // §2 step 7 target state.
      refused("deactivated target by id", kOpen, std::string("admin"), R"({"userId":"@carol"})",
              400, rct::kUserNotActivatedBody),
      refused("deactivated beats protected role",
              both(kOpen, setting("protectedRoles", R"(["user"])")), std::string("admin"),
              R"({"username":"carol"})", 400, rct::kUserNotActivatedBody),
      not_authorized("protected role as a comma list",
                     both(kOpen, setting("protectedRoles", "bot, admin")), "admin",
                     R"({"username":"ops"})"),
      not_authorized("protected role in a malformed array",
                     both(kOpen, setting("protectedRoles", R"(["admin")")), "admin",
                     R"({"username":"ops"})"),
      not_authorized("protected role by userId",
                     both(kOpen, setting("protectedRoles", R"(["admin"])")), "admin",
                     R"({"userId":"@ops"})"),
      ok("unlisted role is not protected", both(kOpen, setting("protectedRoles", R"(["bot"])")),
         "admin", R"({"username":"ops"})", "ops"),
      ok("empty protected list", both(kOpen, setting("protectedRoles", "[]")), "admin",
         R"({"username":"ops"})", "ops"),
      ok("protected self by userId", both(kOpen, setting("protectedRoles", R"(["admin"])")),
         "admin", R"({"userId":"@admin"})", "admin"),
  };
}

void check_row(const Row& row) {
  PluginFixture fixture;
  if (row.setup) row.setup(fixture);
  const auto response = fixture.post(row.caller, fixture.expand_ids(row.body));
  CHECK(response.status == row.status);
  CHECK(response.content_type == "application/json");
  if (row.status != 200) {
    CHECK(response.body == row.expected_body);
    return;
  }
  const auto answer = nlohmann::json::parse(response.body, nullptr, false);
  REQUIRE(answer.is_object());
  const std::string token = answer["data"].value("authToken", "");
  const std::string& target_id = fixture.id(row.issued_to);
  CHECK(unit::is_base64url_token(token));
  CHECK(response.body == rct::success_body(target_id, token));
  CHECK(fixture.host().sessions().verify(unit::kWorkspace, target_id, token).ok());
}

}  // namespace

TEST_CASE("rules: one row per spec rule gives the exact status and body") {
  const auto table = rows();
  for (const auto& row : table) {
    const std::string rule = row.rule;  // INFO keeps a reference; print text, not a pointer
    INFO("rule: ", rule);
    check_row(row);
  }
}

TEST_CASE("rules: an unprivileged caller cannot tell existing users from unknown ones") {
  PluginFixture fixture;
  fixture.open_gate();
  fixture.host().set_setting(unit::kWorkspace, "protectedRoles", R"(["admin"])");
  // If the plugin looked the target up first, this would turn every answer into a 503.
  fixture.host().set_unavailable(hostsdk::mock::MockService::kUsers, true);
  for (const std::string body :
       {R"({"username":"bob"})", R"({"username":"nobody-here"})", R"({"username":"carol"})",
        R"({"username":"ops"})", R"({"userId":"@bob"})", R"({"userId":"AAAAAAAAAAAAAAAAA"})"}) {
    INFO("body: ", body);
    const auto response = fixture.post("alice", fixture.expand_ids(body));
    CHECK(response.status == 400);
    CHECK(response.body == rct::kNotAuthorizedBody);
  }
  for (const auto& event : fixture.host().audit_events()) CHECK(event.target_id.empty());
  CHECK(fixture.host().calls(hostsdk::mock::MockService::kUsers) == 0);
}

TEST_CASE("rules: a caller targeting themself is never asked for the permission") {
  PluginFixture fixture;
  fixture.open_gate();
  CHECK(fixture.post("bob", R"({"username":"BOB"})").status == 200);
  CHECK(fixture.post("bob", fixture.expand_ids(R"({"userId":"@bob"})")).status == 200);
  CHECK(fixture.host().calls(hostsdk::mock::MockService::kAuthorization) == 0);
  CHECK(fixture.post("bob", R"({"username":"alice"})").body == rct::kNotAuthorizedBody);
  CHECK(fixture.host().calls(hostsdk::mock::MockService::kAuthorization) == 1);
}

TEST_CASE("rules: 503 when a service is unavailable and nothing is half-written") {
  using hostsdk::mock::MockService;
  const std::vector<std::pair<std::string, MockService>> services = {
      {"settings", MockService::kSettings},
      {"authorization", MockService::kAuthorization},
      {"users", MockService::kUsers},
      {"sessions", MockService::kSessions},
      {"audit", MockService::kAudit}};
  for (const auto& [name, service] : services) {
    INFO("unavailable: ", name);
    PluginFixture fixture;
    fixture.open_gate();
    fixture.host().set_unavailable(service, true);
    const auto response = fixture.post("admin", R"({"username":"bob"})");
    CHECK(response.status == 503);
    CHECK(response.body == rct::kServiceUnavailableBody);
    CHECK(fixture.host().session_count(unit::kWorkspace, fixture.id("bob")) == 0);
  }
}

TEST_CASE("rules: 503 when the whole storage is down") {
  PluginFixture fixture;
  fixture.open_gate();
  fixture.host().set_storage_unavailable(true);
  const auto response = fixture.post("admin", R"({"username":"bob"})");
  CHECK(response.status == 503);
  CHECK(response.body == rct::kServiceUnavailableBody);
  fixture.host().set_storage_unavailable(false);
  CHECK(fixture.host().session_count(unit::kWorkspace, fixture.id("bob")) == 0);
}

TEST_CASE("rules: an exception in a handler becomes a JSON 500 and a log line") {
  // The SDK's services are noexcept, so an exception can only start in handler code; this
  // handler stands in for a plugin bug, on the same host as the plugin.
  struct ThrowingHandler final : hostsdk::RouteHandler {
    bool standard = true;
    void handle(const hostsdk::Request&, hostsdk::Response&) override {
      if (standard) throw std::runtime_error("boom in handler");
      throw 42;
    }
  } handler;
  PluginFixture fixture;
  hostsdk::RouteSpec spec;
  spec.method = "POST";
  spec.path = "/api/v1/test.throws";
  REQUIRE(fixture.host().registry().add_route(spec, handler).ok());
  for (bool standard : {true, false}) {
    handler.standard = standard;
    const auto response = fixture.host().dispatch("POST", "/api/v1/test.throws", unit::kWorkspace,
                                                  fixture.id("alice"), "{}");
    CHECK(response.status == 500);
    CHECK(response.body == hostsdk::mock::MockHost::internal_error_body());
    CHECK(nlohmann::json::parse(response.body)["success"] == false);
  }
  const auto lines = fixture.host().log_lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].level == hostsdk::LogLevel::kError);
  CHECK(lines[0].message.find("boom in handler") != std::string::npos);
  CHECK(lines[1].message.find("non-standard exception") != std::string::npos);
  // The plugin's own route is unaffected.
  fixture.open_gate();
  CHECK(fixture.post("admin", R"({"username":"alice"})").status == 200);
}

TEST_CASE("rules: an issued token logs the target in and stays valid after another issue") {
  PluginFixture fixture;
  fixture.open_gate();
  const auto first = nlohmann::json::parse(fixture.post("admin", R"({"username":"alice"})").body);
  const std::string token = first["data"]["authToken"];
  const auto& alice = fixture.id("alice");

  const auto self = fixture.post_with_token(alice, token, R"({"username":"alice"})");
  CHECK(self.status == 200);
  const std::string second = nlohmann::json::parse(self.body)["data"]["authToken"];
  CHECK(second != token);
  CHECK(fixture.host().sessions().verify(unit::kWorkspace, alice, token).ok());
  CHECK(fixture.host().sessions().verify(unit::kWorkspace, alice, second).ok());

  REQUIRE(fixture.host().sessions().revoke(unit::kWorkspace, alice, token).ok());
  const auto revoked = fixture.post_with_token(alice, token, R"({"username":"alice"})");
  CHECK(revoked.status == 401);
  CHECK(revoked.body == rct::kNotLoggedInBody);
  CHECK(fixture.post_with_token(alice, second, "{}").body == rct::kUserParamNotProvidedBody);
}

TEST_CASE("rules: a workspace with the plugin disabled has no such route") {
  PluginFixture fixture;
  fixture.open_gate();
  fixture.host().set_routes_enabled(unit::kWorkspace, false);
  const auto response = fixture.post("admin", R"({"username":"alice"})");
  CHECK(response.status == 404);
  CHECK(response.body == hostsdk::mock::MockHost::not_found_body());
}

TEST_CASE("rules: no body however malformed gets a 500") {
  PluginFixture fixture;
  fixture.open_gate();
  const std::string valid = fixture.expand_ids(R"({"userId":"@alice","username":"bob","x":[1]})");
  std::vector<std::string> bodies;
  for (std::size_t cut = 0; cut <= valid.size(); ++cut) bodies.push_back(valid.substr(0, cut));
  std::mt19937 random(20240601);  // fixed seed: the same bodies every run
  for (int i = 0; i < 300; ++i) {
    std::string body = valid;
    for (int flips = 0; flips < 3; ++flips) {
      body[random() % body.size()] = static_cast<char>(random() % 256);
    }
    bodies.push_back(body);
  }
  for (const auto& body : bodies) {
    const auto response = fixture.post("admin", body);
    INFO("body: ", body);
    CHECK((response.status == 200 || response.status == 400));
    CHECK(nlohmann::json::accept(response.body));
  }
}
