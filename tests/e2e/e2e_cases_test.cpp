// Every case of createToken.cases.json over HTTP against the real rchost, plugin and SQLite.
// One host; one workspace per distinct env/settings combination, selected by Host header.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>

#include "expected_bodies.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

json load_cases() {
  std::ifstream in(RCT_CASES_FILE);
  REQUIRE(in.good());
  return json::parse(in);
}

// A setting value as text: strings as they are, arrays and the rest as JSON.
std::string setting_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// "@alice" in a body stands for alice's generated id.
json resolve_ids(json body, const rct::SeededWorkspace& ws) {
  if (!body.is_object()) return body;
  for (auto& [key, value] : body.items()) {
    if (value.is_string()) {
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > 1 && s[0] == '@') value = ws.ids.at(s.substr(1));
    }
  }
  return body;
}

}  // namespace

TEST_CASE("createToken conformance cases over HTTP") {
  json cases = load_cases()["cases"];
  REQUIRE(cases.size() > 0);

  rct::HostProcess host;
  std::map<std::string, rct::SeededWorkspace> workspaces;  // env+settings → workspace
  for (const auto& c : cases) {
    json env = c.value("env", json::object());
    json settings = c.value("settings", json::object());
    std::string key = env.dump() + settings.dump();
    if (workspaces.count(key) != 0) continue;
    std::string name = "case" + std::to_string(workspaces.size());
    rct::SeededWorkspace ws = rct::seed_workspace(host, name);
    for (const auto& [k, v] : env.items()) rct::set_setting(host, name, k, setting_text(v));
    for (const auto& [k, v] : settings.items()) rct::set_setting(host, name, k, setting_text(v));
    workspaces.emplace(key, std::move(ws));
  }
  host.start();

  std::map<std::string, rct::Credentials> sessions;  // "<workspace>/<user>"
  auto credentials = [&](const rct::SeededWorkspace& ws, const std::string& user) {
    auto& c = sessions[ws.name + "/" + user];
    if (c.user_id.empty()) c = rct::login(host.port(), ws.host, user);
    REQUIRE_MESSAGE(!c.user_id.empty(), "login failed for " << user);
    return c;
  };

  const std::regex token_shape("^[A-Za-z0-9_-]{43}$");
  int checked = 0;
  for (const auto& c : cases) {
    const std::string name = c["name"];
    CAPTURE(name);
    json env = c.value("env", json::object());
    json settings = c.value("settings", json::object());
    const rct::SeededWorkspace& ws = workspaces.at(env.dump() + settings.dump());

    rct::HeaderList headers = {{"Host", ws.host}};
    if (!c["caller"].is_null()) headers = rct::auth_headers(ws.host, credentials(ws, c["caller"]));
    std::string body =
        c.contains("rawBody") ? c["rawBody"].get<std::string>() : resolve_ids(c["body"], ws).dump();

    rct::HttpResult r =
        rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body, headers);
    const json& expect = c["expect"];
    CHECK(r.status == expect["status"].get<int>());
    CHECK(r.header("Content-Type") == "application/json");
    json got = r.json();
    REQUIRE_MESSAGE(got.is_object(), "body: " << r.body);

    if (expect.contains("errorType")) {
      CHECK(got["success"] == false);
      CHECK(got["errorType"] == expect["errorType"]);
    } else if (r.status == 401) {
      CHECK(r.body == rct::kNotLoggedInBody);
    } else {
      CHECK(got["success"] == true);
      const std::string target = ws.ids.at(expect["userId"]);
      CHECK(got["data"]["userId"] == target);
      std::string token = got["data"].value("authToken", "");
      CHECK(std::regex_match(token, token_shape));
      // The minted token is a live session of the target.
      rct::HttpResult me = rct::http_request(host.port(), "GET", "/api/v1/me", {},
                                             rct::auth_headers(ws.host, {target, token}));
      CHECK(me.status == 200);
      CHECK(me.json()["_id"] == target);
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(cases.size()));
  CHECK(host.log().find(" error ") == std::string::npos);
}
