// What any client can send the host over HTTP: unknown routes, wrong methods, oversize
// bodies and heads, malformed requests, keep-alive and pipelining. JSON answers, no hangs.
#include <doctest/doctest.h>

#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

struct ProtocolHost {
  rct::HostProcess host{rct::HostOptions{{}, false, 2, {"--read-timeout", "2"}}};
  ProtocolHost() { host.start(); }
};

ProtocolHost& shared() {
  static ProtocolHost instance;
  return instance;
}

unsigned short port() { return shared().host.port(); }

void check_json_error(const rct::HttpResult& r, int status) {
  CHECK(r.status == status);
  CHECK(r.header("Content-Type") == "application/json");
  json j = r.json();
  REQUIRE_MESSAGE(j.is_object(), "body: " << r.body);
  CHECK(j["success"] == false);
  CHECK(j["error"].is_string());
}

}  // namespace

TEST_CASE("built-in routes answer JSON") {
  rct::HttpResult info = rct::http_request(port(), "GET", "/api/info");
  CHECK(info.status == 200);
  CHECK(info.header("Content-Type") == "application/json");
  CHECK(info.json()["success"] == true);
  CHECK(info.json()["version"].is_string());

  rct::HttpResult health = rct::http_request(port(), "GET", "/health");
  CHECK(health.status == 200);
  CHECK(health.json() == json::parse(R"({"status":"ok","success":true})"));

  rct::HttpResult metrics = rct::http_request(port(), "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.header("Content-Type") == "text/plain; version=0.0.4");
  CHECK(metrics.body.find("rchost_http_requests_total{method=\"GET\",route=\"/api/info\"") !=
        std::string::npos);
  CHECK(!metrics.header("X-Request-Id").empty());
}

TEST_CASE("unknown route is a JSON 404; a query string does not change the route") {
  rct::HttpResult r = rct::http_request(port(), "GET", "/api/v1/nothing.here");
  check_json_error(r, 404);
  CHECK(r.json() == json::parse(R"({"success":false,"error":"Not found"})"));
  CHECK(rct::http_request(port(), "GET", "/api/info?x=1&y").status == 200);
  check_json_error(rct::http_request(port(), "GET", "*"), 404);
}

TEST_CASE("known path, wrong method: JSON 405 with Allow") {
  rct::HttpResult r = rct::http_request(port(), "GET", "/api/v1/users.createToken");
  check_json_error(r, 405);
  CHECK(r.header("Allow") == "POST");
  check_json_error(rct::http_request(port(), "BREW", "/api/v1/login"), 405);
}

TEST_CASE("body over the limit: 413 JSON, for Content-Length and for chunked bodies") {
  std::string big(64 * 1024 + 1, 'x');
  check_json_error(rct::http_request(port(), "POST", "/api/v1/login", big), 413);

  rct::HttpConnection c(port());
  REQUIRE(c.connected());
  std::string chunked =
      "POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 70; ++i) chunked += "400\r\n" + std::string(1024, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  c.send_raw(chunked);
  check_json_error(c.read_response(), 413);
  CHECK(c.closed_by_peer());
}

TEST_CASE("request head over the limit: 431 JSON") {
  rct::HttpResult r =
      rct::http_request(port(), "GET", "/api/info", {}, {{"X-Filler", std::string(10'000, 'h')}});
  check_json_error(r, 431);
}

TEST_CASE("malformed HTTP: 400 JSON, then the connection closes") {
  for (const char* raw : {"GARBAGE\r\n\r\n", "GET /api/info HTTX/1.1\r\n\r\n",
                          "GET /api/info HTTP/1.1\r\nBad Header Line\r\n\r\n",
                          "POST /api/v1/login HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                          "GET /api/info HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                          "Content-Length: 2\r\n\r\nab"}) {
    CAPTURE(raw);
    rct::HttpConnection c(port());
    REQUIRE(c.connected());
    c.send_raw(raw);
    check_json_error(c.read_response(), 400);
    CHECK(c.closed_by_peer());
  }
}

TEST_CASE("a transfer coding other than chunked alone is refused, and its body never runs") {
  // Were the body ignored, the smuggled request after the head would be answered as the next.
  const std::string smuggled = "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::vector<std::pair<std::string, int>> codings = {{"gzip", 400},
                                                            {"identity", 400},
                                                            {"chunked, identity", 400},
                                                            {"foo", 400},
                                                            {"gzip, chunked", 501}};
  for (const auto& [coding, status] : codings) {
    for (const char* length : {"", "Content-Length: 35\r\n"}) {
      CAPTURE(coding);
      CAPTURE(length);
      rct::HttpConnection c(port());
      REQUIRE(c.connected());
      c.send_raw("POST /api/info HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + coding + "\r\n" +
                 length + "\r\n" + smuggled);
      // With a Content-Length as well the framing is contradictory: 400 whatever the coding.
      check_json_error(c.read_response(), *length != '\0' ? 400 : status);
      CHECK(c.closed_by_peer());
    }
  }
}

TEST_CASE("HTTP/1.1 needs exactly one Host; HTTP/1.0 may omit it") {
  for (const char* raw :
       {"GET /api/info HTTP/1.1\r\n\r\n", "GET /api/info HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /api/info HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"}) {
    CAPTURE(raw);
    rct::HttpConnection c(port());
    REQUIRE(c.connected());
    c.send_raw(raw);
    rct::HttpResult r = c.read_response();
    check_json_error(r, 400);
    CHECK(r.json()["error"] == "Exactly one Host header is required");
    CHECK(c.closed_by_peer());
  }
  rct::HttpConnection c(port());
  REQUIRE(c.connected());
  c.send_raw("GET /api/info HTTP/1.0\r\n\r\n");
  CHECK(c.read_response().status == 200);
}

TEST_CASE("an absolute-form target is served like its path, the authority naming the host") {
  rct::HttpConnection c(port());
  REQUIRE(c.connected());
  c.send_raw("GET http://localhost:1/api/info HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
  rct::HttpResult info = c.read_response();
  CHECK(info.status == 200);
  CHECK(info.json()["success"] == true);
  c.send_raw("GET HTTPS://localhost/nope?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  check_json_error(c.read_response(), 404);
  c.send_raw("GET http://localhost HTTP/1.1\r\nHost: localhost\r\n\r\n");
  check_json_error(c.read_response(), 404);  // the path "/" names no route
}

TEST_CASE("a request that stalls halfway gets 408 JSON after the read timeout") {
  rct::HttpConnection c(port());
  REQUIRE(c.connected());
  c.send_raw("POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\n{");
  check_json_error(c.read_response(), 408);
  CHECK(c.closed_by_peer());
}

TEST_CASE("keep-alive serves several requests; pipelined requests are answered in order") {
  rct::HttpConnection c(port());
  REQUIRE(c.connected());
  for (int i = 0; i < 5; ++i) CHECK(c.request("GET", "/health").status == 200);
  CHECK(c.request("GET", "/nope").status == 404);  // an error does not end the connection
  CHECK(c.request("GET", "/api/info").status == 200);

  rct::HttpConnection p(port());
  REQUIRE(
      p.send_raw("GET /health HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
                 "GET /api/info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  CHECK(p.read_response().status == 200);
  CHECK(p.read_response().status == 404);
  rct::HttpResult last = p.read_response();
  CHECK(last.status == 200);
  CHECK(last.header("Connection") == "close");
  CHECK(p.closed_by_peer());
}

TEST_CASE("Expect: 100-continue gets the interim answer, then the real one") {
  rct::HttpConnection c(port());
  REQUIRE(
      c.send_raw("POST /api/v1/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                 "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  rct::HttpResult interim = c.read_response();
  CHECK(interim.status == 100);
  REQUIRE(c.send_raw("{}"));
  check_json_error(c.read_response(), 401);
}

TEST_CASE("login failures: 401 Rocket.Chat body; bad JSON 400") {
  rct::HttpResult r =
      rct::http_request(port(), "POST", "/api/v1/login", R"({"user":"nobody","password":"x"})");
  CHECK(r.status == 401);
  json j = r.json();
  CHECK(j["status"] == "error");
  CHECK(j["error"] == "Unauthorized");
  CHECK(j["message"] == "Unauthorized");
  CHECK(j["success"] == false);
  check_json_error(rct::http_request(port(), "POST", "/api/v1/login", "[1,2"), 400);
  check_json_error(rct::http_request(port(), "GET", "/api/v1/me"), 401);
}

TEST_CASE("a flood of junk leaves the host serving") {
  for (int i = 0; i < 50; ++i) {
    rct::HttpConnection c(port());
    std::string junk(static_cast<std::size_t>(i * 37 % 300), static_cast<char>(i * 7));
    c.send_raw(junk + "\r\n\r\n");
  }
  CHECK(rct::http_request(port(), "GET", "/api/info").status == 200);
  CHECK(shared().host.running());
  CHECK(shared().host.log().find(" 500 ") == std::string::npos);
}
