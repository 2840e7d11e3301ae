// Runs every case of tests/createToken.cases.json (RCT_CASES_FILE) on the mock host and
// checks status, errorType, the spec's exact bodies, and that issued tokens work.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "expected_bodies.h"
#include "support/plugin_fixture.h"

namespace {

using Json = nlohmann::json;

Json load_cases() {
  std::ifstream in(RCT_CASES_FILE);
  REQUIRE_MESSAGE(in.good(), "cannot open " RCT_CASES_FILE);
  return Json::parse(in);
}

// Builds the request body text of a case: rawBody verbatim, else body with "@name" ids.
std::string body_of(const Json& test_case, const unit::PluginFixture& fixture) {
  if (test_case.contains("rawBody")) return test_case["rawBody"].get<std::string>();
  Json body = test_case.value("body", Json::object());
  if (body.is_object() && body.contains("userId") && body["userId"].is_string()) {
    body["userId"] = fixture.expand_ids(body["userId"].get<std::string>());
  }
  return body.dump();
}

void apply_settings(const Json& test_case, unit::PluginFixture& fixture) {
  // Named copies: items() of a temporary would dangle.
  const Json env = test_case.value("env", Json::object());
  const Json settings = test_case.value("settings", Json::object());
  for (const auto& [name, value] : env.items()) {
    fixture.host().set_env(name, value.is_string() ? value.get<std::string>() : value.dump());
  }
  for (const auto& [name, value] : settings.items()) {
    // Settings cross the SDK as text; arrays travel as their JSON text.
    fixture.host().set_setting(unit::kWorkspace, name,
                               value.is_string() ? value.get<std::string>() : value.dump());
  }
}

void check_case(const Json& test_case) {
  unit::PluginFixture fixture;
  apply_settings(test_case, fixture);
  std::optional<std::string> caller;
  if (!test_case["caller"].is_null()) caller = test_case["caller"].get<std::string>();
  const auto response = fixture.post(caller, body_of(test_case, fixture));
  const Json& expect = test_case["expect"];
  const int status = expect["status"].get<int>();

  CHECK(response.status == status);
  CHECK(response.content_type == "application/json");
  const Json answer = Json::parse(response.body, nullptr, false);
  REQUIRE_FALSE(answer.is_discarded());

  if (status == 401) {
    CHECK(response.body == rct::kNotLoggedInBody);
    return;
  }
  if (expect.contains("errorType")) {
    const auto error_type = expect["errorType"].get<std::string>();
    CHECK(answer.value("errorType", "") == error_type);
    CHECK(answer["success"] == false);
    const auto exact = rct::exact_body_for(error_type);
    if (!exact.empty()) {
      CHECK(response.body == exact);
    } else {
      // error-invalid-params: the text names the problem, in Rocket.Chat's form.
      const auto error = answer.value("error", "");
      CHECK(error.size() > std::string(" [error-invalid-params]").size());
      CHECK(error.find(" [error-invalid-params]") == error.size() - 23);
    }
    return;
  }

  const auto& target_id = fixture.id(expect["userId"].get<std::string>());
  REQUIRE(answer.contains("data"));
  const auto token = answer["data"].value("authToken", "");
  CHECK(unit::is_base64url_token(token));
  CHECK(response.body == rct::success_body(target_id, token));
  const auto verified = fixture.host().sessions().verify(unit::kWorkspace, target_id, token);
  REQUIRE(verified.ok());
  CHECK(verified.value().id == target_id);
}

}  // namespace

TEST_CASE("conformance: every case of the cases file passes on the mock host") {
  const Json cases = load_cases();
  REQUIRE(cases["cases"].size() >= 27);
  std::size_t ran = 0;
  for (const auto& test_case : cases["cases"]) {
    const auto name = test_case["name"].get<std::string>();  // INFO keeps a reference
    INFO("case: ", name);
    check_case(test_case);
    ++ran;
  }
  CHECK(ran == cases["cases"].size());
}
