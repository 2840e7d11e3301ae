// `rchost serve --log-format json`: every line the host writes to stderr is one JSON object
// (time, level, msg), request lines carry their fields, hostile paths are escaped, and no
// token or password is written.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

}  // namespace

TEST_CASE("json log format: one object per line, request lines with their fields") {
  rct::HostOptions options;
  options.extra_args = {"--log-format", "json"};
  rct::HostProcess host(options);
  rct::SeededWorkspace ws = rct::seed_workspace(host, "default");
  rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
  host.start();
  const unsigned short port = host.port();

  rct::Credentials admin = rct::login(port, ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  rct::HttpResult minted =
      rct::http_request(port, "POST", "/api/v1/users.createToken", R"({"username":"alice"})",
                        rct::auth_headers(ws.host, admin));
  REQUIRE(minted.status == 200);
  const std::string token = minted.json()["data"]["authToken"];
  const std::string request_id = minted.header("X-Request-Id");
  REQUIRE(!request_id.empty());
  // Quotes, backslashes, control-like escapes and bytes that are not UTF-8 in the path.
  const std::string hostile = "/a\"b\\c%0A\xff\xfe/\xc3\xa9t\xc3\xa9";
  CHECK(rct::http_request(port, "GET", hostile).status == 404);
  CHECK(rct::http_request(port, "GET", "/metrics").status == 200);
  REQUIRE(host.stop() == 0);

  std::istringstream log(host.log());
  std::size_t lines = 0;
  std::set<std::string> request_ids;
  bool saw_mint = false, saw_hostile = false, saw_plugin_line = false;
  for (std::string line; std::getline(log, line);) {
    ++lines;
    CAPTURE(line);
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE(j.is_object());
    CHECK(j["time"].is_string());
    CHECK(j["time"].get<std::string>().size() == 24);  // 2024-05-01T12:00:00.123Z
    CHECK(j["level"].is_string());
    CHECK(j["msg"].is_string());
    if (j.contains("request_id")) {
      CHECK(j["method"].is_string());
      CHECK(j["route"].is_string());
      CHECK(j["status"].is_number_integer());
      CHECK(j["duration_ms"].is_number());
      CHECK(request_ids.insert(j["request_id"].get<std::string>()).second);  // one line each
    }
    if (j["request_id"] == request_id) {
      saw_mint = true;
      CHECK(j["method"] == "POST");
      CHECK(j["path"] == "/api/v1/users.createToken");
      CHECK(j["route"] == "/api/v1/users.createToken");
      CHECK(j["status"] == 200);
      CHECK(j["workspace"] == "default");
      CHECK(j["caller_id"] == admin.user_id);
    }
    if (j["status"] == 404 && j["path"].is_string() &&
        j["path"].get<std::string>().find("/a\"b\\c") == 0) {
      saw_hostile = true;
      CHECK(j["route"] == "unmatched");
      CHECK(j["caller_id"].is_null());
    }
    if (j["msg"].get<std::string>().find("users.createToken issued") == 0) saw_plugin_line = true;
    CHECK(line.find(token) == std::string::npos);
    CHECK(line.find(admin.token) == std::string::npos);
    CHECK(line.find(rct::password_for("admin")) == std::string::npos);
  }
  CHECK(lines > 5);
  CHECK(saw_mint);
  CHECK(saw_hostile);
  CHECK(saw_plugin_line);
}

TEST_CASE("text log format: the request line names method, path, status, workspace and caller") {
  rct::HostProcess host;
  rct::SeededWorkspace ws = rct::seed_workspace(host, "default");
  host.start();
  rct::Credentials admin = rct::login(host.port(), ws.host, "admin");
  REQUIRE(!admin.user_id.empty());
  rct::HttpResult me =
      rct::http_request(host.port(), "GET", "/api/v1/me", {}, rct::auth_headers(ws.host, admin));
  REQUIRE(me.status == 200);
  // Written before the answer left: no need to wait or to stop the host.
  const std::string log = host.log();
  CHECK(log.find(" info GET /api/v1/me 200 ") != std::string::npos);
  CHECK(log.find("ws=default caller=" + admin.user_id + " req=" + me.header("X-Request-Id")) !=
        std::string::npos);
  CHECK(log.find(admin.token) == std::string::npos);
}
