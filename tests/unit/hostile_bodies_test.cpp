// Bodies the JSON library accepts or throws on in surprising ways, on the mock host: values
// beyond double range, repeated keys, a NUL byte ending the input early. Each is a 400.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "expected_bodies.h"
#include "support/plugin_fixture.h"

TEST_CASE("hostile bodies: out-of-range numbers, repeated keys and NUL are invalid params") {
  unit::PluginFixture fixture;
  fixture.open_gate();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"username":"alice","n":1e999999})",
       "Request body is not valid JSON (a value is out of range)"},
      {R"({"username":-1e400})", "Request body is not valid JSON (a value is out of range)"},
      {R"({"username":"alice","n":)" + std::string(400, '9') + "}",
       "Request body is not valid JSON (a value is out of range)"},
      {R"({"username":"alice","username":"bob"})",
       "Request body repeats a key; each may appear only once"},
      {R"({"secret":"a","user":"alice","secret":"b"})",
       "Request body repeats a key; each may appear only once"},
      {std::string(R"({"username":"alice"})") + '\0' + R"({"username":"bob"})",
       "Request body contains a NUL byte"},
  };
  for (const auto& [body, problem] : cases) {
    CAPTURE(body);
    const auto response = fixture.post("admin", body);
    CHECK(response.status == 400);
    CHECK(response.body == rct::invalid_params_body(problem));
  }
}

TEST_CASE("hostile bodies: repeated keys deeper than the top level are ignored like the field") {
  unit::PluginFixture fixture;
  fixture.open_gate();
  const auto response = fixture.post("admin", R"({"x":{"a":1,"a":2},"username":"alice"})");
  CHECK(response.status == 200);
}
