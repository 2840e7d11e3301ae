// Audit and metrics on the real host: one audit event per authenticated attempt with the
// right reason (read with `rchost audit list --json`), none without authentication, and
// the /metrics counters of issued tokens and refusals by reason moving by one.
#include <doctest/doctest.h>

#include <sstream>

#include "db_peek.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using nlohmann::json;

struct AuditHost {
  rct::HostProcess host;
  rct::SeededWorkspace open, closed, secret, limits;  // limits: a rate-limit window of its own

  AuditHost() {
    open = rct::seed_workspace(host, "open");
    closed = rct::seed_workspace(host, "closed");
    secret = rct::seed_workspace(host, "secret");
    limits = rct::seed_workspace(host, "limits");
    rct::set_setting(host, "open", "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(host, "limits", "CREATE_TOKENS_FOR_USERS", "true");
    rct::set_setting(host, "open", "protectedRoles", R"(["admin"])");
    rct::set_setting(host, "secret", "CREATE_TOKENS_FOR_USERS_SECRET", "audit-secret-7");
    host.start();
  }

  std::vector<json> events(const std::string& workspace) {
    rct::CommandResult r =
        host.cli({"audit", "list", "--json", "--limit", "0", "--workspace", workspace});
    REQUIRE(r.exit_code == 0);
    std::vector<json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  // A counter's value in /metrics; 0 when the series is absent.
  long long metric(const std::string& series) {
    std::string body = rct::http_request(host.port(), "GET", "/metrics").body;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) return std::stoll(line.substr(series.size() + 1));
    }
    return 0;
  }
};

AuditHost& shared() {
  static AuditHost instance;
  return instance;
}

std::string refusals(const std::string& reason) {
  return "createtoken_refusals_total{reason=\"" + reason + "\"}";
}
constexpr const char* kIssued = "createtoken_tokens_issued_total";

struct Attempt {
  const rct::SeededWorkspace& ws;
  std::string caller;  // username
  std::string body;
  int status;
  std::string outcome;
  std::string reason;
  std::string target;  // username, empty when the event names none
};

// Runs one attempt and checks it left exactly one event and moved exactly one counter.
void check_attempt(AuditHost& s, const Attempt& a) {
  CAPTURE(a.body);
  CAPTURE(a.reason);
  rct::Credentials caller = rct::login(s.host.port(), a.ws.host, a.caller);
  REQUIRE(!caller.user_id.empty());
  const std::string counter = a.outcome == "issued" ? std::string(kIssued) : refusals(a.reason);
  const bool plugin_counts = a.reason != "rate-limited";  // the host counts those itself
  const long long counter_before = s.metric(counter);
  const long long issued_before = s.metric(kIssued);
  const std::size_t before = s.events(a.ws.name).size();

  rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", a.body,
                                        rct::auth_headers(a.ws.host, caller));
  CHECK(r.status == a.status);

  std::vector<json> after = s.events(a.ws.name);
  REQUIRE(after.size() == before + 1);
  // Oldest first, so the new event is the last line.
  for (std::size_t i = 1; i < after.size(); ++i) CHECK(after[i - 1]["id"] < after[i]["id"]);
  const json& e = after.back();
  CHECK(e["workspace"] == a.ws.name);
  CHECK(e["action"] == "users.createToken");
  CHECK(e["caller_id"] == caller.user_id);
  CHECK(e["target_id"] == (a.target.empty() ? "" : a.ws.ids.at(a.target)));
  CHECK(e["client_address"] == "127.0.0.1");
  CHECK(e["outcome"] == a.outcome);
  CHECK(e["reason"] == a.reason);
  CHECK(e["time_ms"].get<long long>() > 0);
  if (plugin_counts) CHECK(s.metric(counter) == counter_before + 1);
  if (a.outcome != "issued") CHECK(s.metric(kIssued) == issued_before);
}

}  // namespace

TEST_CASE("every authenticated attempt writes one event with its reason and moves a counter") {
  AuditHost& s = shared();
  const std::string alice_id = s.open.ids.at("alice");
  const std::vector<Attempt> attempts = {
      {s.open, "admin", R"({"username":"alice"})", 200, "issued", "", "alice"},
      {s.open, "admin", R"({"userId":")" + alice_id + R"("})", 200, "issued", "", "alice"},
      {s.closed, "admin", R"({"username":"alice"})", 400, "refused", "gate-closed", ""},
      {s.secret, "admin", R"({"username":"alice","secret":"nope"})", 400, "refused",
       "secret-mismatch", ""},
      {s.secret, "admin", R"({"username":"alice"})", 400, "refused", "secret-mismatch", ""},
      {s.open, "alice", R"({"username":"bob"})", 400, "refused", "permission-missing", ""},
      {s.open, "alice", R"({"username":"no-such-user"})", 400, "refused", "permission-missing", ""},
      {s.open, "admin", R"({"username":"no-such-user"})", 400, "refused", "unknown-user", ""},
      {s.open, "admin", R"({"username":"carol"})", 400, "refused", "deactivated", "carol"},
      {s.open, "admin", R"({"username":"ops"})", 400, "refused", "protected-target", "ops"},
      {s.open, "admin", "[1]", 400, "refused", "invalid-params", ""},
      {s.open, "admin", "{}", 400, "refused", "no-target", ""},
  };
  for (const auto& a : attempts) check_attempt(s, a);
}

TEST_CASE("rate-limited: audited by the host and counted in rchost_rate_limited_total") {
  AuditHost& s = shared();
  const std::string series = "rchost_rate_limited_total{route=\"/api/v1/users.createToken\"}";
  const long long limited_before = s.metric(series);
  rct::Credentials bob = rct::login(s.host.port(), s.limits.host, "bob");
  for (int i = 0; i < 10; ++i) {
    rct::HttpResult r =
        rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken", R"({"user":"bob"})",
                          rct::auth_headers(s.limits.host, bob));
    REQUIRE(r.status == 200);
  }
  check_attempt(s, {s.limits, "bob", R"({"user":"bob"})", 429, "refused", "rate-limited", ""});
  CHECK(s.metric(series) == limited_before + 1);
}

TEST_CASE("no audit event and no counter for a request that fails authentication") {
  AuditHost& s = shared();
  rct::DbPeek db(s.host.data_dir());
  const auto events_before = db.count("SELECT count(*) FROM audit");
  const std::string metrics_before = rct::http_request(s.host.port(), "GET", "/metrics").body;
  for (const rct::HeaderList& headers : {rct::HeaderList{{"Host", s.open.host}},
                                         rct::HeaderList{{"Host", s.open.host},
                                                         {"X-User-Id", s.open.ids.at("admin")},
                                                         {"X-Auth-Token", std::string(43, 'x')}}}) {
    rct::HttpResult r = rct::http_request(s.host.port(), "POST", "/api/v1/users.createToken",
                                          R"({"username":"alice"})", headers);
    CHECK(r.status == 401);
  }
  CHECK(db.count("SELECT count(*) FROM audit") == events_before);
  CHECK(s.metric(kIssued) >= 2);
  // The plugin's counters did not move (the host's request counters did).
  auto plugin_lines = [](const std::string& body) {
    std::string out;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("createtoken_", 0) == 0) out += line + "\n";
    }
    return out;
  };
  CHECK(plugin_lines(rct::http_request(s.host.port(), "GET", "/metrics").body) ==
        plugin_lines(metrics_before));
}
