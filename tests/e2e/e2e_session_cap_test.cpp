// The per-user cap (MAX_RESUME_LOGIN_TOKENS=5 in the host's environment) over HTTP: after
// every issue exactly the 5 newest tokens work, also under 200 concurrent requests.
#include <doctest/doctest.h>

#include <latch>
#include <set>
#include <thread>

#include "db_peek.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

constexpr std::size_t kCap = 5;

// A test-only journal of every session row ever inserted, so the test knows the issue order
// of rows the cap has since deleted. The host's schema version is untouched.
constexpr const char* kJournal = R"sql(
CREATE TABLE issued_journal(seq INTEGER, user_id TEXT, token_hash TEXT, created_ms INTEGER);
CREATE TRIGGER issued_journal_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO issued_journal VALUES(new.seq, new.user_id, new.token_hash, new.created_ms);
END;)sql";

struct CapHost {
  rct::HostProcess host{options()};
  rct::SeededWorkspace ws;
  rct::Credentials admin;

  static rct::HostOptions options() {
    rct::HostOptions o;
    o.threads = 4;
    o.environment = {{"MAX_RESUME_LOGIN_TOKENS", std::to_string(kCap)}};
    return o;
  }

  CapHost() {
    ws = rct::seed_workspace(host, "default");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
    rct::DbPeek(host.data_dir()).exec(kJournal);
    host.start();
    admin = rct::login(host.port(), ws.host, "admin");
  }

  std::string mint(rct::HttpConnection& c, const std::string& username) {
    rct::HttpResult r =
        c.request("POST", "/api/v1/users.createToken", R"({"username":")" + username + R"("})",
                  rct::auth_headers(ws.host, admin));
    if (r.status != 200) return {};
    return r.json()["data"].value("authToken", "");
  }

  bool works(const std::string& user_id, const std::string& token) {
    return rct::http_request(host.port(), "GET", "/api/v1/me", {},
                             rct::auth_headers(ws.host, {user_id, token}))
               .status == 200;
  }
};

CapHost& shared() {
  static CapHost instance;
  return instance;
}

// Exactly `expected` of `tokens` authenticate; they are the newest session rows ever stored
// for the user, and the sessions table holds exactly their hashes.
void check_newest_remain(CapHost& s, const std::string& username,
                         const std::vector<std::string>& tokens, std::size_t expected) {
  const std::string user_id = s.ws.ids.at(username);
  std::set<std::string> working_hashes;
  for (const auto& token : tokens) {
    if (s.works(user_id, token)) working_hashes.insert(rct::token_hash(token));
  }
  CHECK(working_hashes.size() == expected);

  rct::DbPeek db(s.host.data_dir());
  std::set<std::string> stored;
  for (const auto& row : db.sessions("default", user_id)) stored.insert(row.token_hash);
  CHECK(stored.size() == expected);
  CHECK(stored == working_hashes);

  // The stored rows are the newest `expected` by storage time (seq breaks ties) of all
  // ever issued to the user.
  std::int64_t limit = static_cast<std::int64_t>(expected);
  std::int64_t newest_stored =
      db.count("SELECT count(*) FROM issued_journal WHERE user_id = '" + user_id +
               "' AND token_hash IN (SELECT token_hash FROM sessions WHERE user_id = '" + user_id +
               "') AND seq IN (SELECT seq FROM issued_journal WHERE user_id = '" + user_id +
               "' ORDER BY created_ms DESC, seq DESC LIMIT " + std::to_string(limit) + ")");
  CHECK(newest_stored == limit);
}

}  // namespace

TEST_CASE("after every issue only the newest 5 work, for a user who never logged in") {
  CapHost& s = shared();
  REQUIRE(!s.admin.user_id.empty());
  rct::HttpConnection c(s.host.port());
  std::vector<std::string> tokens;
  for (std::size_t i = 1; i <= 8; ++i) {
    CAPTURE(i);
    tokens.push_back(s.mint(c, "bob"));
    REQUIRE(!tokens.back().empty());
    check_newest_remain(s, "bob", tokens, std::min(i, kCap));
    // The token issued last always works; the ones beyond the cap never again.
    CHECK(s.works(s.ws.ids.at("bob"), tokens.back()));
    if (i > kCap) CHECK(!s.works(s.ws.ids.at("bob"), tokens[i - kCap - 1]));
  }
}

TEST_CASE("login sessions count toward the cap and are trimmed oldest first") {
  CapHost& s = shared();
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) tokens.push_back(rct::login(s.host.port(), s.ws.host, "ops").token);
  rct::HttpConnection c(s.host.port());
  for (int i = 0; i < 4; ++i) tokens.push_back(s.mint(c, "ops"));
  check_newest_remain(s, "ops", tokens, kCap);
  CHECK(!s.works(s.ws.ids.at("ops"), tokens[0]));
  CHECK(!s.works(s.ws.ids.at("ops"), tokens[1]));
  CHECK(s.works(s.ws.ids.at("ops"), tokens[2]));
}

TEST_CASE("200 concurrent requests for one user on 200 connections leave exactly 5") {
  CapHost& s = shared();
  constexpr int kRequests = 200;
  std::vector<std::string> tokens(kRequests);
  std::vector<int> statuses(kRequests, 0);
  std::latch ready(kRequests);
  {
    std::vector<std::jthread> clients;
    for (int i = 0; i < kRequests; ++i) {
      clients.emplace_back([&, i] {
        rct::HttpConnection c(s.host.port(), std::chrono::seconds(60));
        ready.arrive_and_wait();  // every connection is open before anyone sends
        rct::HttpResult r =
            c.request("POST", "/api/v1/users.createToken", R"({"username":"alice"})",
                      rct::auth_headers(s.ws.host, s.admin));
        statuses[i] = r.status;
        if (r.status == 200) tokens[i] = r.json()["data"].value("authToken", "");
      });
    }
  }
  int ok = 0;
  for (int status : statuses) ok += status == 200;
  CHECK(ok == kRequests);
  CHECK(std::set<std::string>(tokens.begin(), tokens.end()).size() == kRequests);

  rct::DbPeek db(s.host.data_dir());
  // Every 200 stored its row before answering: the journal saw all of them.
  CHECK(db.count("SELECT count(*) FROM issued_journal WHERE user_id = '" + s.ws.ids.at("alice") +
                 "'") == kRequests);
  check_newest_remain(s, "alice", tokens, kCap);
}
