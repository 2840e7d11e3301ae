// Spec §6: one audit event per authenticated attempt with the right outcome and reason,
// counters that move, and neither the token nor the secret in audit, logs or errors.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "expected_bodies.h"
#include "support/plugin_fixture.h"

namespace {

using unit::PluginFixture;

struct Attempt {
  const char* reason;  // expected audit reason; "" for an issued token
  const char* caller;
  const char* body;
  const char* target;  // fixture user the event must name; "" when unresolved
  const char* secret_env = "";
  const char* protected_roles = "";
  bool gate_open = true;
};

const std::vector<Attempt> kAttempts = {
    {"", "admin", R"({"username":"alice"})", "alice"},
    {"", "alice", R"({"userId":"@alice"})", "alice"},
    {"invalid-params", "admin", R"({"username":1})", ""},
    {"invalid-params", "admin", "{not json", ""},
    {"no-target", "admin", R"({"username":" "})", ""},
    {"gate-closed", "admin", R"({"username":"alice"})", "", "", "", false},
    {"secret-mismatch", "admin", R"({"username":"alice","secret":"nope"})", "", "s3cr3t-value"},
    {"permission-missing", "alice", R"({"username":"bob"})", ""},
    {"permission-missing", "alice", R"({"username":"nobody-here"})", ""},
    {"unknown-user", "admin", R"({"username":"nobody-here"})", ""},
    {"deactivated", "admin", R"({"username":"carol"})", "carol"},
    {"protected-target", "admin", R"({"username":"ops"})", "ops", "", R"(["admin"])"},
};

hostsdk::Response attempt(PluginFixture& fixture, const Attempt& a) {
  if (a.gate_open) fixture.open_gate();
  if (*a.secret_env != '\0') fixture.host().set_env("CREATE_TOKENS_FOR_USERS_SECRET", a.secret_env);
  if (*a.protected_roles != '\0') {
    fixture.host().set_setting(unit::kWorkspace, "protectedRoles", a.protected_roles);
  }
  hostsdk::mock::MockRequest request;
  request.path = std::string(unit::kRoute);
  request.caller_id = fixture.id(a.caller);
  request.body = fixture.expand_ids(a.body);
  request.client_address = "203.0.113.7";
  return fixture.host().dispatch(request);
}

}  // namespace

TEST_CASE("audit: one event per authenticated attempt with outcome and reason") {
  for (const auto& a : kAttempts) {
    const std::string what = std::string(a.body) + " by " + a.caller;  // INFO keeps a reference
    INFO("attempt: ", what);
    PluginFixture fixture;
    attempt(fixture, a);
    const auto events = fixture.host().audit_events();
    REQUIRE(events.size() == 1);
    const auto& event = events[0];
    CHECK(event.workspace == unit::kWorkspace);
    CHECK(event.action == "users.createToken");
    CHECK(event.caller_id == fixture.id(a.caller));
    CHECK(event.client_address == "203.0.113.7");
    CHECK(event.target_id == (*a.target == '\0' ? std::string() : fixture.id(a.target)));
    CHECK(event.outcome == (*a.reason == '\0' ? "issued" : "refused"));
    CHECK(event.reason == a.reason);
  }
}

TEST_CASE("audit: an unauthenticated request writes no event") {
  PluginFixture fixture;
  fixture.open_gate();
  CHECK(fixture.post(std::nullopt, R"({"username":"alice"})").status == 401);
  CHECK(fixture.host().audit_events().empty());
  CHECK(fixture.host().counters().empty());
}

TEST_CASE("metrics: issued and refusal counters move by one per attempt") {
  for (const auto& a : kAttempts) {
    const std::string what = std::string(a.body) + " by " + a.caller;
    INFO("attempt: ", what);
    PluginFixture fixture;
    attempt(fixture, a);
    const auto counters = fixture.host().counters();
    REQUIRE(counters.size() == 1);
    if (*a.reason == '\0') {
      CHECK(fixture.host().counter("createtoken_tokens_issued_total") == 1);
    } else {
      const std::string labels = std::string("reason=\"") + a.reason + "\"";
      CHECK(fixture.host().counter("createtoken_refusals_total", labels) == 1);
    }
  }
  PluginFixture fixture;
  fixture.open_gate();
  for (int i = 0; i < 3; ++i) fixture.post("admin", R"({"username":"alice"})");
  fixture.post("alice", R"({"username":"bob"})");
  CHECK(fixture.host().counter("createtoken_tokens_issued_total") == 3);
  CHECK(fixture.host().counter("createtoken_refusals_total", R"(reason="permission-missing")") ==
        1);
}

TEST_CASE("audit: a service failure is counted and audited when the audit trail works") {
  PluginFixture fixture;
  fixture.open_gate();
  fixture.host().set_unavailable(hostsdk::mock::MockService::kSessions, true);
  CHECK(fixture.post("admin", R"({"username":"bob"})").status == 503);
  const auto events = fixture.host().audit_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].outcome == "refused");
  CHECK(events[0].reason == "service-unavailable");
  CHECK(events[0].target_id == fixture.id("bob"));
  CHECK(fixture.host().counter("createtoken_service_unavailable_total", R"(service="sessions")") ==
        1);
  CHECK(fixture.host().counter("createtoken_tokens_issued_total") == 0);
  const auto lines = fixture.host().log_lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].level == hostsdk::LogLevel::kWarn);
  CHECK(lines[0].message.find("sessions") != std::string::npos);
}

TEST_CASE("audit: when the audit cannot be written the issued token is taken back") {
  PluginFixture fixture;
  fixture.open_gate();
  fixture.host().set_unavailable(hostsdk::mock::MockService::kAudit, true);
  const auto response = fixture.post("admin", R"({"username":"bob"})");
  CHECK(response.status == 503);
  CHECK(response.body == rct::kServiceUnavailableBody);
  CHECK(fixture.host().session_count(unit::kWorkspace, fixture.id("bob")) == 0);
  CHECK(fixture.host().counter("createtoken_tokens_issued_total") == 0);
  CHECK(fixture.host().counter("createtoken_service_unavailable_total", R"(service="audit")") == 1);
  // A refusal that cannot be audited is a 503 too, not a silent 400.
  CHECK(fixture.post("alice", R"({"username":"bob"})").body == rct::kServiceUnavailableBody);
}

TEST_CASE("audit: the token never appears in audit events or log lines") {
  PluginFixture fixture;
  fixture.open_gate();
  std::vector<std::string> tokens;
  for (const char* caller : {"admin", "alice"}) {
    const auto response = fixture.post(caller, R"({"username":"alice"})");
    REQUIRE(response.status == 200);
    tokens.push_back(nlohmann::json::parse(response.body)["data"]["authToken"]);
  }
  const auto log = fixture.host().log_text();
  CHECK(log.find("issued") != std::string::npos);  // the lines exist
  for (const auto& token : tokens) {
    CHECK(log.find(token) == std::string::npos);
    for (const auto& event : fixture.host().audit_events()) {
      for (const auto* field : {&event.workspace, &event.action, &event.caller_id, &event.target_id,
                                &event.client_address, &event.outcome, &event.reason}) {
        CHECK(field->find(token) == std::string::npos);
      }
    }
  }
}

TEST_CASE("audit: the secret never appears in logs, audit events or error bodies") {
  const std::string secret = "s3cr3t-value";
  PluginFixture fixture;
  fixture.host().set_env("CREATE_TOKENS_FOR_USERS_SECRET", secret);
  std::vector<hostsdk::Response> responses;
  for (const std::string body : {R"({"username":"alice","secret":"s3cr3t-value"})",
                                 R"({"username":"alice","secret":"s3cr3t-valuX"})",
                                 R"({"username":7,"secret":"s3cr3t-value"})",
                                 R"({"username":"alice","secret":"s3cr3t-value)",
                                 R"({"secret":"s3cr3t-value"} s3cr3t-value)"}) {
    responses.push_back(fixture.post("admin", body));
  }
  CHECK(responses[0].status == 200);
  CHECK(responses[1].body == rct::kNotAuthorizedBody);
  for (const auto& response : responses) {
    CHECK(response.body.find(secret) == std::string::npos);
    CHECK(response.body.find("s3cr3t") == std::string::npos);
  }
  CHECK(fixture.host().log_text().find("s3cr3t") == std::string::npos);
  CHECK(fixture.host().audit_events().size() == responses.size());
  for (const auto& event : fixture.host().audit_events()) {
    CHECK(event.reason.find("s3cr3t") == std::string::npos);
  }
}
