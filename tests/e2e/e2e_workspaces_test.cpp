// Workspaces on one host: tokens and user ids never cross, settings are read live, and
// enabling or disabling the plugin takes effect within a second without a restart and
// without failing requests that other connections have in flight.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A change must be served within a second; the slack covers the polling request itself.
constexpr long long kEffectMs = 1000 + 250;

struct WorkspaceHost {
  rct::HostProcess host{rct::HostOptions{{}, false, 4, {}}};
  rct::SeededWorkspace a, b;
  std::string dave;  // a user of b only

  WorkspaceHost() {
    a = rct::seed_workspace(host, "wsa");
    b = rct::seed_workspace(host, "wsb");
    rct::CommandResult added = host.cli({"user", "add", "--workspace", "wsb", "--username", "dave",
                                         "--password", rct::password_for("dave")});
    REQUIRE(added.exit_code == 0);
    dave = added.out.substr(0, added.out.find('\n'));
    rct::set_setting(host, "wsa", "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(host, "wsb", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
  }

  rct::HttpResult post(const rct::SeededWorkspace& ws, const rct::Credentials& caller,
                       const std::string& body) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body,
                             rct::auth_headers(ws.host, caller));
  }
  int me(const rct::SeededWorkspace& ws, const rct::Credentials& who) {
    return rct::http_request(host.port(), "GET", "/api/v1/me", {}, rct::auth_headers(ws.host, who))
        .status;
  }

  // Milliseconds from now until `probe` is true, polling; -1 after 5 s.
  template <typename Probe>
  long long until(Probe probe) {
    auto started = Clock::now();
    while (Clock::now() - started < std::chrono::seconds(5)) {
      if (probe()) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
            .count();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
};

WorkspaceHost& shared() {
  static WorkspaceHost instance;
  return instance;
}

}  // namespace

TEST_CASE("a token minted in one workspace never authenticates in another") {
  WorkspaceHost& s = shared();
  rct::Credentials admin_a = rct::login(s.host.port(), s.a.host, "admin");
  rct::HttpResult minted = s.post(s.a, admin_a, R"({"username":"alice"})");
  REQUIRE(minted.status == 200);
  const std::string token = minted.json()["data"]["authToken"];
  CHECK(s.me(s.a, {s.a.ids.at("alice"), token}) == 200);
  // Neither with the user id it was minted for, nor with b's user of the same name.
  CHECK(s.me(s.b, {s.a.ids.at("alice"), token}) == 401);
  CHECK(s.me(s.b, {s.b.ids.at("alice"), token}) == 401);
  CHECK(s.post(s.b, {s.a.ids.at("alice"), token}, R"({"username":"alice"})").status == 401);
  CHECK(s.post(s.b, {s.b.ids.at("alice"), token}, R"({"username":"alice"})").status == 401);
  // Same for a login session.
  CHECK(s.me(s.b, {admin_a.user_id, admin_a.token}) == 401);
}

TEST_CASE("a user of one workspace never resolves in another, by id or by name") {
  WorkspaceHost& s = shared();
  rct::Credentials admin_a = rct::login(s.host.port(), s.a.host, "admin");
  rct::Credentials admin_b = rct::login(s.host.port(), s.b.host, "admin");
  for (const std::string& body :
       {json{{"userId", s.b.ids.at("alice")}}.dump(), json{{"userId", s.dave}}.dump(),
        std::string(R"({"username":"dave"})")}) {
    CAPTURE(body);
    rct::HttpResult r = s.post(s.a, admin_a, body);
    CHECK(r.status == 400);
    CHECK(r.json()["errorType"] == "error-invalid-user");
  }
  rct::HttpResult r = s.post(s.b, admin_b, json{{"userId", s.a.ids.at("bob")}}.dump());
  CHECK(r.json()["errorType"] == "error-invalid-user");
  CHECK(s.post(s.b, admin_b, R"({"username":"dave"})").status == 200);
}

TEST_CASE("protectedRoles and the gate are read live: a CLI change works within a second") {
  WorkspaceHost& s = shared();
  rct::Credentials admin = rct::login(s.host.port(), s.a.host, "admin");
  auto ops_status = [&] { return s.post(s.a, admin, R"({"username":"ops"})").status; };
  REQUIRE(ops_status() == 200);

  rct::set_setting(s.host, "wsa", "protectedRoles", R"(["admin"])");
  long long ms = s.until([&] { return ops_status() == 400; });
  CHECK(ms >= 0);
  CHECK(ms <= kEffectMs);
  CHECK(s.post(s.a, admin, R"({"username":"ops"})").json()["errorType"] == "error-not-authorized");
  CHECK(s.post(s.b, rct::login(s.host.port(), s.b.host, "admin"), R"({"username":"ops"})").status ==
        200);  // the other workspace is untouched

  REQUIRE(s.host.cli({"setting", "unset", "--workspace", "wsa", "protectedRoles"}).exit_code == 0);
  ms = s.until([&] { return ops_status() == 200; });
  CHECK(ms >= 0);
  CHECK(ms <= kEffectMs);

  rct::set_setting(s.host, "wsa", "CREATE_TOKENS_FOR_USERS", "no");
  ms = s.until([&] { return ops_status() == 400; });
  CHECK(ms >= 0);
  CHECK(ms <= kEffectMs);
  rct::set_setting(s.host, "wsa", "CREATE_TOKENS_FOR_USERS", "true");
  CHECK(s.until([&] { return ops_status() == 200; }) >= 0);
}

TEST_CASE("disable and enable within a second, while other connections keep requesting") {
  WorkspaceHost& s = shared();
  rct::Credentials admin_a = rct::login(s.host.port(), s.a.host, "admin");
  rct::Credentials admin_b = rct::login(s.host.port(), s.b.host, "admin");
  REQUIRE(s.post(s.b, admin_b, R"({"username":"bob"})").status == 200);

  std::atomic<bool> stop{false};
  std::atomic<bool> b_disabled{false};  // a 404 in b is only expected while this is set
  std::mutex mutex;
  std::vector<std::string> failures;
  std::atomic<int> ok_a{0}, ok_b{0}, not_found_b{0}, info_ok{0};
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(mutex);
    failures.push_back(what);
  };
  auto worker = [&](const rct::SeededWorkspace& ws, const rct::Credentials& caller, bool is_b) {
    rct::HttpConnection c(s.host.port());  // kept alive across the toggles
    while (!stop) {
      bool may_404 = is_b && b_disabled;
      rct::HttpResult r = c.request("POST", "/api/v1/users.createToken", R"({"username":"bob"})",
                                    rct::auth_headers(ws.host, caller));
      may_404 = may_404 || (is_b && b_disabled);
      if (r.status == 200) {
        ++(is_b ? ok_b : ok_a);
      } else if (r.status == 404 && may_404) {
        ++not_found_b;
      } else {
        fail(ws.name + ": " + std::to_string(r.status) + " " + r.error + " " + r.body);
        if (r.status == 0) return;
      }
      rct::HttpResult info = c.request("GET", "/api/info", {}, {{"Host", ws.host}});
      if (info.status == 200) {
        ++info_ok;
      } else {
        fail(ws.name + " /api/info: " + std::to_string(info.status) + " " + info.error);
        if (info.status == 0) return;
      }
    }
  };
  std::vector<std::jthread> workers;
  workers.emplace_back(worker, std::cref(s.a), std::cref(admin_a), false);
  workers.emplace_back(worker, std::cref(s.b), std::cref(admin_b), true);
  workers.emplace_back(worker, std::cref(s.b), std::cref(admin_b), true);

  auto b_status = [&] { return s.post(s.b, admin_b, R"({"username":"bob"})").status; };
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    b_disabled = true;
    REQUIRE(
        s.host.cli({"plugin", "disable", "--workspace", "wsb", "users-create-token"}).exit_code ==
        0);
    long long ms = s.until([&] { return b_status() == 404; });
    CHECK(ms >= 0);
    CHECK(ms <= kEffectMs);
    REQUIRE(
        s.host.cli({"plugin", "enable", "--workspace", "wsb", "users-create-token"}).exit_code ==
        0);
    ms = s.until([&] { return b_status() == 200; });
    CHECK(ms >= 0);
    CHECK(ms <= kEffectMs);
    // Let every cached "disabled" expire before a 404 counts as a failure again.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    b_disabled = false;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  stop = true;
  workers.clear();

  CHECK(failures.empty());
  for (const auto& f : failures) MESSAGE(f);
  CHECK(ok_a > 10);
  CHECK(ok_b > 10);
  CHECK(not_found_b > 0);
  CHECK(info_ok > 20);
  CHECK(s.host.running());
}
