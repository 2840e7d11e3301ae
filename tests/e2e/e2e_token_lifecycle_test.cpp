// Tokens over their life on the real host: format, stored only as base64 SHA-256 (read
// from the database file), expiry defaults, logout of one token, deactivation via the CLI.
#include <doctest/doctest.h>
#include <sodium.h>

#include <map>
#include <regex>
#include <set>
#include <thread>

#include "db_peek.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

struct LifeHost {
  rct::HostProcess host;
  rct::SeededWorkspace ws;
  rct::Credentials admin;

  explicit LifeHost(rct::HostOptions options = {}) : host(std::move(options)) {
    ws = rct::seed_workspace(host, "default");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
  }
  void start() {
    host.start();
    admin = rct::login(host.port(), ws.host, "admin");
    REQUIRE(!admin.user_id.empty());
  }
  std::string mint(const rct::SeededWorkspace& where, const rct::Credentials& caller,
                   const std::string& username) {
    rct::HttpResult r = rct::http_request(host.port(), "POST", "/api/v1/users.createToken",
                                          json{{"username", username}}.dump(),
                                          rct::auth_headers(where.host, caller));
    REQUIRE(r.status == 200);
    return r.json()["data"]["authToken"];
  }
  int me(const rct::SeededWorkspace& where, const std::string& username, const std::string& token) {
    return rct::http_request(host.port(), "GET", "/api/v1/me", {},
                             rct::auth_headers(where.host, {where.ids.at(username), token}))
        .status;
  }
};

// The 32 bytes a base64url token encodes.
std::string raw_bytes(const std::string& token) {
  unsigned char bin[64];
  size_t len = 0;
  REQUIRE(sodium_base642bin(bin, sizeof(bin), token.data(), token.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
  return std::string(reinterpret_cast<const char*>(bin), len);
}

}  // namespace

TEST_CASE("tokens: 43 base64url characters of 32 random bytes, stored only as their hash") {
  LifeHost s;
  s.start();
  const std::regex shape("^[A-Za-z0-9_-]{43}$");
  std::vector<std::string> tokens;
  for (const char* user : {"alice", "bob", "ops", "alice", "bob"}) {
    tokens.push_back(s.mint(s.ws, s.admin, user));
  }
  tokens.push_back(s.admin.token);
  tokens.push_back(rct::login(s.host.port(), s.ws.host, "alice").token);
  CHECK(std::set<std::string>(tokens.begin(), tokens.end()).size() == tokens.size());

  rct::DbPeek db(s.host.data_dir());
  std::set<std::string> stored;
  for (const char* user : {"admin", "alice", "bob", "ops"}) {
    for (const auto& row : db.sessions("default", s.ws.ids.at(user))) {
      stored.insert(row.token_hash);
    }
  }
  // Read while the host runs (WAL not yet checkpointed) and again after it stopped.
  for (int pass = 0; pass < 2; ++pass) {
    CAPTURE(pass);
    if (pass == 1) REQUIRE(s.host.stop() == 0);
    std::string bytes = rct::database_bytes(s.host.data_dir());
    REQUIRE(bytes.size() > 4096);
    for (const auto& token : tokens) {
      CHECK(std::regex_match(token, shape));
      CHECK(raw_bytes(token).size() == 32);
      CHECK(bytes.find(token) == std::string::npos);
      CHECK(bytes.find(raw_bytes(token)) == std::string::npos);
      const std::string hash = rct::token_hash(token);
      CHECK(hash.size() == 44);
      CHECK(stored.count(hash) == 1);
    }
  }
}

TEST_CASE("expiry: Accounts_LoginExpiration of 0, negative or not a number means 90 days") {
  LifeHost s(rct::HostOptions{{}, true, 2, {}});
  std::map<std::string, rct::SeededWorkspace> by_value;
  for (const char* value : {"0", "-3", "abc", "NaN", "2"}) {
    std::string name = "exp" + std::to_string(by_value.size());
    rct::SeededWorkspace ws = rct::seed_workspace(s.host, name);
    rct::set_setting(s.host, name, "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(s.host, name, "Accounts_LoginExpiration", value);
    by_value.emplace(value, std::move(ws));
  }
  s.start();
  std::map<std::string, std::string> token_of;
  for (const auto& [value, ws] : by_value) {
    token_of[value] = s.mint(ws, rct::login(s.host.port(), ws.host, "admin"), "alice");
  }
  auto advance_days = [&](double days) {
    json body = {{"ms", static_cast<long long>(days * 24 * 3600 * 1000)}};
    REQUIRE(
        rct::http_request(s.host.port(), "POST", "/api/test/clock/advance", body.dump()).status ==
        200);
  };
  auto status = [&](const std::string& value) {
    return s.me(by_value.at(value), "alice", token_of.at(value));
  };

  advance_days(3);  // the control: a valid setting of 2 days has expired
  CHECK(status("2") == 401);
  for (const char* value : {"0", "-3", "abc", "NaN"}) {
    CAPTURE(value);
    CHECK(status(value) == 200);
  }
  advance_days(86.9);  // 89.9 days after issue
  for (const char* value : {"0", "-3", "abc", "NaN"}) {
    CAPTURE(value);
    CHECK(status(value) == 200);
  }
  advance_days(0.2);  // 90.1 days
  for (const char* value : {"0", "-3", "abc", "NaN"}) {
    CAPTURE(value);
    CHECK(status(value) == 401);
  }
}

TEST_CASE("logout revokes exactly the token it was called with") {
  LifeHost s;
  s.start();
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) tokens.push_back(s.mint(s.ws, s.admin, "bob"));
  rct::HttpResult out =
      rct::http_request(s.host.port(), "POST", "/api/v1/logout", {},
                        rct::auth_headers(s.ws.host, {s.ws.ids.at("bob"), tokens[1]}));
  REQUIRE(out.status == 200);
  CHECK(s.me(s.ws, "bob", tokens[0]) == 200);
  CHECK(s.me(s.ws, "bob", tokens[1]) == 401);
  CHECK(s.me(s.ws, "bob", tokens[2]) == 200);
  CHECK(rct::DbPeek(s.host.data_dir()).sessions("default", s.ws.ids.at("bob")).size() == 2);
}

TEST_CASE("deactivating a user with the CLI while the host runs ends their tokens for good") {
  LifeHost s;
  s.start();
  const std::string minted = s.mint(s.ws, s.admin, "bob");
  const rct::Credentials bob_login = rct::login(s.host.port(), s.ws.host, "bob");
  REQUIRE(s.me(s.ws, "bob", minted) == 200);
  REQUIRE(s.me(s.ws, "bob", bob_login.token) == 200);

  REQUIRE(s.host.cli({"user", "deactivate", "--workspace", "default", "bob"}).exit_code == 0);
  // Changed by another process, so the host may serve what it read for up to a second; the
  // slack covers the polling request itself.
  const auto changed = std::chrono::steady_clock::now();
  while (s.me(s.ws, "bob", minted) != 401 &&
         std::chrono::steady_clock::now() - changed < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(std::chrono::steady_clock::now() - changed <= std::chrono::milliseconds(1250));
  CHECK(s.me(s.ws, "bob", minted) == 401);
  CHECK(s.me(s.ws, "bob", bob_login.token) == 401);
  // Nor can the deactivated user call the endpoint for themselves.
  rct::HttpResult self =
      rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", R"({"username":"bob"})",
                        rct::auth_headers(s.ws.host, bob_login));
  CHECK(self.status == 401);
  // And no new token can be minted for them.
  rct::HttpResult r =
      rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", R"({"username":"bob"})",
                        rct::auth_headers(s.ws.host, s.admin));
  CHECK(r.json()["errorType"] == "error-user-is-not-activated");
  // Deactivation ended their sessions: activating bob again revives none of them.
  CHECK(rct::DbPeek(s.host.data_dir()).sessions("default", s.ws.ids.at("bob")).empty());
  REQUIRE(s.host.cli({"user", "activate", "--workspace", "default", "bob"}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1250));  // past the host's read cache
  CHECK(s.me(s.ws, "bob", minted) == 401);
  CHECK(s.me(s.ws, "bob", bob_login.token) == 401);
  CHECK(s.me(s.ws, "bob", s.mint(s.ws, s.admin, "bob")) == 200);
}
