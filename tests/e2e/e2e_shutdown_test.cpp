// Graceful shutdown of the real host: SIGTERM with idle keep-alive connections open and a
// request in flight ends in exit code 0, plugins stopped after the drain.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "host_process.h"
#include "http_client.h"

TEST_CASE("SIGTERM drains, stops the plugin, exits 0") {
  rct::HostProcess host;
  host.start();

  // An idle keep-alive connection must not hold up the shutdown.
  rct::HttpConnection idle(host.port());
  REQUIRE(idle.request("GET", "/health").status == 200);
  // A request whose body is still arriving is answered before the host exits.
  rct::HttpConnection busy(host.port());
  REQUIRE(
      busy.send_raw("POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\n"
                    "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"user\":"));

  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the head has been read

  auto started = std::chrono::steady_clock::now();
  REQUIRE(kill(host.pid(), SIGTERM) == 0);
  // Shutdown has begun (no longer accepting) while the request is still incomplete.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (host.log().find("shutting down") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(host.log().find("draining 2 connection(s)") != std::string::npos);
  REQUIRE(busy.send_raw("\"nobody\",\"password\":\"secret-pw\"}"));
  rct::HttpResult answered = busy.read_response();
  CHECK(answered.status == 401);
  CHECK(answered.header("Connection") == "close");
  CHECK(idle.closed_by_peer());

  int code = host.wait_exit(std::chrono::seconds(10));
  CHECK(code == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(8));

  std::string log = host.log();
  auto drained = log.find("all connections closed");
  auto stopped = log.find("users.createToken plugin stopped");
  CHECK(drained != std::string::npos);
  CHECK(stopped != std::string::npos);
  CHECK(drained < stopped);
  CHECK(log.find("secret-pw") == std::string::npos);
}

TEST_CASE("SIGINT also shuts down cleanly; a second host can then use the port") {
  rct::HostProcess host;
  host.start();
  unsigned short port = host.port();
  REQUIRE(kill(host.pid(), SIGINT) == 0);
  CHECK(host.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK(rct::http_request(port, "GET", "/api/info").status == 0);
}
