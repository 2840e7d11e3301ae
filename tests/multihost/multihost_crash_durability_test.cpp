// Crash durability on PostgreSQL: clients mint tokens over keep-alive connections, the host is
// killed with SIGKILL mid-traffic and started again on the same database. Every token a client
// got a complete 200 for must authenticate afterwards, and nothing may be half-written: every
// session has its "issued" audit row (they commit in one transaction) and its user, and the
// session cap holds. The PostgreSQL twin of tests/e2e/e2e_crash_durability_test.cpp.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "host_pair.h"
#include "pg_database.h"
#include "workspace_fixture.h"

using namespace rct_multihost;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

bool no_server() { return env("RCT_PG_URL").empty(); }

constexpr int kBusyClients = 48;  // of which kCappedClients mint in the capped workspace
constexpr int kCappedClients = 12;
constexpr int kTargets = 200;      // users t1..t200 of workspace default (no cap to speak of)
constexpr int kCappedTargets = 4;  // users c1..c4 of workspace capped, at most kCap sessions
constexpr std::size_t kCap = 5;
constexpr auto kMintWindow = 1500ms;  // traffic before the kill

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void require_cli(const std::string& url, const std::vector<std::string>& args) {
  auto r = cli(url, args);
  if (r.exit_code != 0) throw std::runtime_error(args.at(0) + " " + args.at(1) + ": " + r.err);
}

// Every row of a query on the scratch database, each column as text ("" for NULL).
std::vector<std::vector<std::string>> rows(const PgDatabase& db, const std::string& sql,
                                           const std::vector<std::string>& params = {}) {
  pqxx::connection conn(db.url());
  pqxx::nontransaction txn(conn);
  pqxx::result result;
  if (params.empty()) {
    result = txn.exec(sql);
  } else if (params.size() == 1) {
    result = txn.exec_params(sql, params[0]);
  } else {
    result = txn.exec_params(sql, params.at(0), params.at(1));
  }
  std::vector<std::vector<std::string>> out;
  for (const auto& row : result) {
    std::vector<std::string> values;
    for (const auto& field : row) values.emplace_back(field.is_null() ? "" : field.c_str());
    out.push_back(std::move(values));
  }
  return out;
}

// The first lines of a host log that are warnings or errors.
std::string problems(const std::string& log) {
  std::string out;
  std::size_t start = 0, lines = 0;
  while (start < log.size() && lines < 20) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find("warn") != std::string::npos || line.find("error") != std::string::npos) {
      out += line + "\n";
      ++lines;
    }
    start = end + 1;
  }
  return out;
}

struct Workspace {
  std::string name, host;  // Host header
  rct::Credentials admin;
  std::string prefix;  // of the target usernames
  int targets = 0;
};

struct Minted {
  const Workspace* ws = nullptr;
  std::string user_id, token;
  std::int64_t sent_ms = 0;  // the session's created_ms is at least this
};

// One client: a keep-alive connection minting for random targets until told to stop; what
// it got a whole 200 for goes to `out`. A connection that fails (the host was killed) is
// replaced until `stop`.
void mint_loop(unsigned short port, const Workspace& ws, unsigned seed, std::atomic<bool>& stop,
               std::vector<Minted>& out, std::vector<std::string>& unexpected) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(1, ws.targets);
  const rct::HeaderList headers = rct::auth_headers(ws.host, ws.admin);
  while (!stop) {
    rct::HttpConnection c(port, 10s);
    if (!c.connected()) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    while (!stop) {
      const std::string body = json{{"username", ws.prefix + std::to_string(pick(rng))}}.dump();
      const std::int64_t sent = now_ms();
      rct::HttpResult r = c.request("POST", "/api/v1/users.createToken", body, headers);
      if (r.status == 0) break;  // no whole answer: the host died, or the connection did
      json j = r.json();
      if (r.status == 200 && j.is_object() && j["data"].is_object()) {
        out.push_back({&ws, j["data"].value("userId", ""), j["data"].value("authToken", ""), sent});
      } else if (unexpected.size() < 5) {
        unexpected.push_back(std::to_string(r.status) + " " + r.body);
      }
    }
  }
}

struct CrashHost {
  PgDatabase db{"crash"};
  std::unique_ptr<rct::HostProcess> host;
  Workspace open_ws{"default", "localhost", {}, "t", kTargets};
  Workspace capped_ws{"capped", "capped.test", {}, "c", kCappedTargets};
  std::vector<Minted> all;  // every token minted so far, over every cycle

  CrashHost() {
    const std::string& url = db.url();
    require_cli(url, {"workspace", "add", "capped", "--host", "capped.test"});
    for (Workspace* ws : {&open_ws, &capped_ws}) {
      require_cli(url, {"user", "add", "-w", ws->name, "--username", "admin", "--password",
                        rct::password_for("admin"), "--roles", "admin"});
      require_cli(url, {"user", "seed", "-w", ws->name, "--count", std::to_string(ws->targets),
                        "--prefix", ws->prefix});
      require_cli(url, {"setting", "set", "-w", ws->name, "CREATE_TOKENS_FOR_USERS", "true"});
    }
    // No cap to speak of in default (so that every token stays valid), 5 in capped.
    require_cli(url, {"setting", "set", "-w", "default", "MAX_RESUME_LOGIN_TOKENS", "100000000"});
    require_cli(
        url, {"setting", "set", "-w", "capped", "MAX_RESUME_LOGIN_TOKENS", std::to_string(kCap)});
    rct::HostOptions options;
    options.threads = 4;
    options.extra_args = {"--storage", url};
    host = std::make_unique<rct::HostProcess>(options);
  }

  void start() {
    host->start();
    for (Workspace* ws : {&open_ws, &capped_ws}) {
      ws->admin = rct::login(host->port(), ws->host, "admin");
      if (ws->admin.user_id.empty()) throw std::runtime_error("admin login failed");
    }
  }

  // Starts the host, runs `clients` minting clients (the first `capped` of them in the capped
  // workspace) for the window, kills the host with SIGKILL; returns what they were given.
  std::vector<Minted> mint_and_kill(int clients, int capped, std::chrono::milliseconds window) {
    start();
    std::atomic<bool> stop{false};
    std::vector<std::vector<Minted>> minted(static_cast<std::size_t>(clients));
    std::vector<std::vector<std::string>> unexpected(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    const unsigned short port = host->port();
    for (int i = 0; i < clients; ++i) {
      const Workspace& ws = i < capped ? capped_ws : open_ws;
      threads.emplace_back([&, i, port] {
        mint_loop(port, ws, static_cast<unsigned>(i * 7919 + all.size()), stop,
                  minted[static_cast<std::size_t>(i)], unexpected[static_cast<std::size_t>(i)]);
      });
    }
    std::this_thread::sleep_for(window);
    const int killed = host->kill(SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
    CHECK(killed == 128 + SIGKILL);

    std::vector<Minted> cycle;
    for (auto& m : minted) cycle.insert(cycle.end(), m.begin(), m.end());
    bool any_unexpected = false;
    for (auto& u : unexpected) {
      for (auto& what : u) {
        FAIL_CHECK("unexpected answer while minting: " << what);
        any_unexpected = true;
      }
    }
    if (any_unexpected) MESSAGE("the host's warnings and errors:\n" << problems(host->log()));
    all.insert(all.end(), cycle.begin(), cycle.end());
    return cycle;
  }
};

// What the killed host left in the database, checked before it is started again.
void check_nothing_half_written(const PgDatabase& db) {
  // Every session belongs to an existing user of its workspace (the foreign key says so too).
  CHECK(db.count("SELECT count(*) FROM sessions s LEFT JOIN users u "
                 "ON u.workspace = s.workspace AND u.id = s.user_id WHERE u.id IS NULL") == 0);

  // Each mint writes a session row and an "issued" audit row in the same transaction. The
  // audit row does not name the token, so they are matched by count per user: in default,
  // where the cap prunes nothing, the targets' session rows and issued rows are one to one.
  const std::string per_user =
      "SELECT u.username, "
      " (SELECT count(*) FROM sessions s WHERE s.workspace = u.workspace AND s.user_id = u.id),"
      " (SELECT count(*) FROM audit a WHERE a.workspace = u.workspace AND a.target_id = u.id"
      "  AND a.action = 'users.createToken' AND a.outcome = 'issued') "
      "FROM users u WHERE u.workspace = 'default' AND u.username LIKE 't%'";
  std::size_t checked = 0, mismatched = 0;
  for (const auto& row : rows(db, per_user)) {
    CAPTURE(row[0]);
    if (row[1] != row[2]) {
      ++mismatched;
      if (mismatched <= 5) {
        FAIL_CHECK("sessions " << row[1] << " vs issued audit rows " << row[2]);
      }
    }
    ++checked;
  }
  CHECK(mismatched == 0);
  CHECK(checked == static_cast<std::size_t>(kTargets));

  // In capped, the cap prunes: no user holds more than kCap sessions, and the kept ones still
  // each have their own issued row, written no earlier than the session (newest first: the
  // k newest sessions need k issued rows no older than the k-th).
  for (const auto& user : rows(db,
                               "SELECT id, username FROM users WHERE workspace = 'capped' "
                               "AND username LIKE 'c%'")) {
    CAPTURE(user[1]);
    auto created = rows(db,
                        "SELECT created_ms FROM sessions WHERE workspace = 'capped' AND "
                        "user_id = $1 ORDER BY created_ms DESC, seq DESC",
                        {user[0]});
    auto issued = rows(db,
                       "SELECT time_ms FROM audit WHERE workspace = 'capped' AND target_id = $1"
                       " AND action = 'users.createToken' AND outcome = 'issued' "
                       "ORDER BY time_ms DESC",
                       {user[0]});
    CHECK(created.size() <= kCap);
    for (std::size_t k = 0; k < created.size(); ++k) {
      const std::int64_t kth = std::stoll(created[k][0]);
      const auto newer = std::count_if(issued.begin(), issued.end(),
                                       [&](const auto& r) { return std::stoll(r[0]) >= kth; });
      CHECK_MESSAGE(static_cast<std::size_t>(newer) >= k + 1,
                    "session " << k + 1 << " newest has no issued audit row of its own");
    }
  }
}

// Every token minted in the cycle answers GET /api/v1/me on the restarted host, but for a
// capped user's token that kCap newer sessions have since pushed out (legitimately).
void check_nothing_lost(CrashHost& h, const std::vector<Minted>& minted) {
  std::atomic<std::size_t> next{0}, ok{0};
  std::mutex mutex;
  std::vector<const Minted*> refused;  // 401 for a capped user: pushed out, or lost?
  std::vector<std::string> lost;
  const unsigned short port = h.host->port();
  auto verify = [&] {
    std::map<const Workspace*, std::unique_ptr<rct::HttpConnection>> connections;
    for (std::size_t i = next++; i < minted.size(); i = next++) {
      const Minted& m = minted[i];
      auto& c = connections[m.ws];
      if (!c || !c->connected()) c = std::make_unique<rct::HttpConnection>(port, 10s);
      rct::HttpResult r =
          c->request("GET", "/api/v1/me", {},
                     {{"Host", m.ws->host}, {"X-User-Id", m.user_id}, {"X-Auth-Token", m.token}});
      if (r.status == 0) c.reset();
      std::lock_guard lock(mutex);
      if (r.status == 200 && r.json()["_id"] == m.user_id) {
        ++ok;
      } else if (r.status == 401 && m.ws->name == "capped") {
        refused.push_back(&m);
      } else {
        lost.push_back(m.ws->name + " " + m.user_id + " -> " + std::to_string(r.status) + " " +
                       r.body + r.error);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back(verify);
  for (auto& t : threads) t.join();

  // Pushed out means: kCap sessions of that user remain, all created after it was requested.
  std::size_t pushed_out = 0;
  for (const Minted* m : refused) {
    const auto kept = rows(h.db,
                           "SELECT count(*), min(created_ms) FROM sessions WHERE workspace = "
                           "'capped' AND user_id = $1",
                           {m->user_id});
    if (std::stoul(kept[0][0]) == kCap && std::stoll(kept[0][1]) >= m->sent_ms) {
      ++pushed_out;
    } else {
      lost.push_back("capped " + m->user_id + " requested at " + std::to_string(m->sent_ms));
    }
  }
  for (std::size_t i = 0; i < lost.size() && i < 5; ++i) FAIL_CHECK("lost token: " << lost[i]);
  CHECK(lost.empty());
  CHECK(ok + pushed_out == minted.size());
  MESSAGE(minted.size() << " tokens answered before the kill: " << ok.load() << " authenticate, "
                        << pushed_out << " pushed out by the cap of " << kCap);
}

}  // namespace

TEST_CASE("multihost crash: PostgreSQL server") {
  if (no_server()) MESSAGE("RCT_PG_URL is not set: run through scripts/pg.sh run");
}

TEST_CASE(
    "multihost crash: SIGKILL under load on PostgreSQL loses no answered token and "
    "leaves nothing half-written" *
    doctest::skip(no_server())) {
  CrashHost h;
  // Three kills under busy clients (their requests' writes share group commits, each request
  // one savepoint), then two with one client alone: a request alone in flight tries each
  // write as it is made, and a crash between its session and its audit row would show there.
  const std::vector<std::pair<int, int>> cycles = {{kBusyClients, kCappedClients},
                                                   {kBusyClients, kCappedClients},
                                                   {kBusyClients, kCappedClients},
                                                   {1, 0},
                                                   {1, 0}};
  for (std::size_t i = 0; i < cycles.size(); ++i) {
    const auto [clients, capped] = cycles[i];
    CAPTURE(i);
    CAPTURE(clients);
    const auto started = std::chrono::steady_clock::now();
    std::vector<Minted> minted = h.mint_and_kill(clients, capped, kMintWindow);
    CHECK(minted.size() >= 10);
    check_nothing_half_written(h.db);
    h.start();
    check_nothing_lost(h, minted);
    // The restarted host serves and mints.
    rct::HttpResult r =
        rct::http_request(h.host->port(), "POST", "/api/v1/users.createToken",
                          R"({"username":"t1"})", rct::auth_headers("localhost", h.open_ws.admin));
    CHECK(r.status == 200);
    h.host->stop();
    MESSAGE("cycle " << i << ": " << clients << " client(s), " << minted.size() << " tokens, "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count()
                     << " ms");
  }

  // At the end, every token of the open workspace from every cycle is still in the database.
  std::set<std::string> stored;
  for (const auto& row :
       rows(h.db, "SELECT token_hash FROM sessions WHERE workspace = 'default'")) {
    stored.insert(row[0]);
  }
  std::size_t missing = 0;
  for (const Minted& m : h.all) {
    if (m.ws->name == "default" && stored.count(token_hash(m.token)) == 0) ++missing;
  }
  CHECK(missing == 0);
  check_nothing_half_written(h.db);
}
