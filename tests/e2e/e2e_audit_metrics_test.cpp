// Audit and metrics on the real host: one audit event per authenticated attempt with the
// right reason (read with `rchost audit list --json`), none without authentication, the
// /metrics counters of issued tokens and refusals by reason moving by one, the latency
// histogram per route and status, and the plugin loader's results.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
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

namespace {

// One sample of the Prometheus text exposition: `name{labels} value`.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses every sample line (comments skipped); fails the test on a line it cannot read.
std::vector<Sample> parse_exposition(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    CAPTURE(line);
    Sample s;
    std::size_t at = line.find_first_of("{ ");
    REQUIRE(at != std::string::npos);
    s.name = line.substr(0, at);
    if (line[at] == '{') {
      ++at;
      while (line[at] != '}') {
        std::size_t eq = line.find("=\"", at);
        REQUIRE(eq != std::string::npos);
        std::string key = line.substr(at, eq - at);
        std::string value;
        std::size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') ++i;  // escaped backslash, quote or newline
          value += line[i];
        }
        REQUIRE(i < line.size());
        s.labels[key] = value;
        at = i + 1;
        if (line[at] == ',') ++at;
      }
      ++at;
    }
    REQUIRE(line[at] == ' ');
    s.value = std::stod(line.substr(at + 1));
    samples.push_back(std::move(s));
  }
  return samples;
}

// The latency histogram of one (route, status): buckets by bound, sum and count.
struct Histogram {
  std::map<double, double> buckets;  // le -> cumulative count (+Inf as infinity)
  double sum = -1, count = -1;
};

std::map<std::pair<std::string, std::string>, Histogram> histograms(
    const std::vector<Sample>& samples) {
  std::map<std::pair<std::string, std::string>, Histogram> out;
  const std::string base = "rchost_http_request_duration_seconds";
  for (const auto& s : samples) {
    if (s.name.rfind(base, 0) != 0) continue;
    Histogram& h = out[{s.labels.at("route"), s.labels.at("status")}];
    if (s.name == base + "_bucket") {
      const std::string& le = s.labels.at("le");
      h.buckets[le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le)] = s.value;
    } else if (s.name == base + "_sum") {
      h.sum = s.value;
    } else if (s.name == base + "_count") {
      h.count = s.value;
    }
  }
  return out;
}

// Every histogram well formed: 14 buckets, cumulative counts never falling, +Inf == count.
void check_histograms(const std::map<std::pair<std::string, std::string>, Histogram>& all) {
  for (const auto& [key, h] : all) {
    CAPTURE(key.first);
    CAPTURE(key.second);
    REQUIRE(h.buckets.size() == 14);
    double previous = 0;
    for (const auto& [le, n] : h.buckets) {
      CHECK(n >= previous);
      previous = n;
    }
    CHECK(h.buckets.rbegin()->first == std::numeric_limits<double>::infinity());
    CHECK(h.buckets.rbegin()->second == h.count);
    CHECK(h.sum >= 0);
  }
}

double sample_value(const std::vector<Sample>& samples, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return 0;
}

}  // namespace

TEST_CASE("metrics: a latency histogram per route and status counts every request") {
  AuditHost& s = shared();
  const unsigned short port = s.host.port();
  auto before = parse_exposition(rct::http_request(port, "GET", "/metrics").body);
  check_histograms(histograms(before));
  const std::pair<std::string, std::string> health{"/health", "200"};
  const double count_before = histograms(before)[health].count;  // -1: none yet

  constexpr int kRequests = 7;
  for (int i = 0; i < kRequests; ++i)
    REQUIRE(rct::http_request(port, "GET", "/health").status == 200);
  // Unknown paths share one label; the raw path never becomes a label value.
  for (const char* path : {"/no/such/zqpath", "/api/v1/zqnothing?x=1", "/%22zqquoted%22"}) {
    REQUIRE(rct::http_request(port, "GET", path).status == 404);
  }

  const std::string text = rct::http_request(port, "GET", "/metrics").body;
  auto after = parse_exposition(text);
  auto all = histograms(after);
  check_histograms(all);
  const Histogram& h = all.at(health);
  CHECK(h.count == std::max(count_before, 0.0) + kRequests);
  CHECK(h.count == sample_value(after, "rchost_http_requests_total",
                                {{"method", "GET"}, {"route", "/health"}, {"status", "200"}}));
  CHECK(h.sum > 0);
  CHECK(h.sum < 60 * h.count);  // seconds, not milliseconds
  REQUIRE(all.count({"unmatched", "404"}) == 1);
  CHECK(all.at({"unmatched", "404"}).count >= 3);
  CHECK(text.find("zq") == std::string::npos);
  // The plugin's counters and its route's histograms.
  const double issued = sample_value(after, "createtoken_tokens_issued_total", {});
  rct::Credentials admin = rct::login(port, s.open.host, "admin");
  REQUIRE(rct::http_request(port, "POST", "/api/v1/users.createToken", R"({"username":"alice"})",
                            rct::auth_headers(s.open.host, admin))
              .status == 200);
  REQUIRE(rct::http_request(port, "POST", "/api/v1/users.createToken", "{}",
                            rct::auth_headers(s.open.host, admin))
              .status == 400);
  after = parse_exposition(rct::http_request(port, "GET", "/metrics").body);
  all = histograms(after);
  check_histograms(all);
  CHECK(sample_value(after, "createtoken_tokens_issued_total", {}) == issued + 1);
  CHECK(sample_value(after, "createtoken_refusals_total", {{"reason", "no-target"}}) >= 1);
  CHECK(all.count({"/api/v1/users.createToken", "200"}) == 1);
  CHECK(all.count({"/api/v1/users.createToken", "400"}) == 1);
  CHECK(sample_value(after, "rchost_plugin_load",
                     {{"plugin", "users-create-token"}, {"result", "loaded"}, {"reason", ""}}) ==
        1);
}

TEST_CASE("metrics: each plugin the loader refused is listed with the check that refused it") {
  rct::TempDir plugins;
  std::filesystem::copy(RCT_PLUGINS_DIR, plugins.path(), std::filesystem::copy_options::recursive);
  std::filesystem::create_directory(plugins.path() / "no-manifest");
  rct::HostOptions options;
  options.plugins_dir = plugins.path();
  rct::HostProcess host(options);
  host.start();
  auto samples = parse_exposition(rct::http_request(host.port(), "GET", "/metrics").body);
  CHECK(sample_value(samples, "rchost_plugin_load",
                     {{"plugin", "users-create-token"}, {"result", "loaded"}, {"reason", ""}}) ==
        1);
  CHECK(sample_value(
            samples, "rchost_plugin_load",
            {{"plugin", "no-manifest"}, {"result", "refused"}, {"reason", "manifest.json"}}) == 1);
}
