// Crash durability: clients mint tokens over keep-alive connections, the host is killed with
// SIGKILL mid-traffic and started again on the same SQLite file. Every token a client got a
// complete 200 for must authenticate afterwards, and nothing may be half-written: the file is
// intact, every session has its "issued" audit row and its user, and the session cap holds.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "db_peek.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kBusyClients = 64;  // of which kCappedClients mint in the capped workspace
constexpr int kCappedClients = 16;
constexpr int kTargets = 200;      // users t1..t200 of workspace default (no cap to speak of)
constexpr int kCappedTargets = 4;  // users c1..c4 of workspace capped, at most kCap sessions
constexpr std::size_t kCap = 5;
constexpr auto kMintWindow = 1500ms;  // traffic before the kill

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void require_ok(const rct::CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + " failed: " + r.err);
}

// A read-only look at host.db with the SQLite C API (the host is down, or runs meanwhile).
class Db {
 public:
  explicit Db(const std::filesystem::path& data_dir) {
    const std::string path = (data_dir / "host.db").string();
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Every row of a query, each column as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + ": " + sql);
    }
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = sqlite3_column_text(stmt, i);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + ": " + sql);
    return out;
  }
  std::int64_t number(const std::string& sql) { return std::stoll(rows(sql).at(0).at(0)); }

 private:
  sqlite3* db_ = nullptr;
};

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
  rct::HostProcess host;
  Workspace open_ws{"default", "localhost", {}, "t", kTargets};
  Workspace capped_ws{"capped", "capped.test", {}, "c", kCappedTargets};
  std::vector<Minted> all;  // every token minted so far, over every cycle

  CrashHost() {
    require_ok(host.cli({"workspace", "add", "capped", "--host", "capped.test"}), "workspace add");
    for (Workspace* ws : {&open_ws, &capped_ws}) {
      require_ok(host.cli({"user", "add", "-w", ws->name, "--username", "admin", "--password",
                           rct::password_for("admin"), "--roles", "admin"}),
                 "user add admin");
      require_ok(host.cli({"user", "seed", "-w", ws->name, "--count", std::to_string(ws->targets),
                           "--prefix", ws->prefix}),
                 "user seed");
      rct::set_setting(host, ws->name, "CREATE_TOKENS_FOR_USERS", "true");
    }
    // No cap to speak of in default (so that every token stays valid), 5 in capped.
    rct::set_setting(host, "default", "MAX_RESUME_LOGIN_TOKENS", "100000000");
    rct::set_setting(host, "capped", "MAX_RESUME_LOGIN_TOKENS", std::to_string(kCap));
  }

  void start() {
    host.start();
    for (Workspace* ws : {&open_ws, &capped_ws}) {
      ws->admin = rct::login(host.port(), ws->host, "admin");
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
    const unsigned short port = host.port();
    for (int i = 0; i < clients; ++i) {
      const Workspace& ws = i < capped ? capped_ws : open_ws;
      threads.emplace_back([&, i, port] {
        mint_loop(port, ws, static_cast<unsigned>(i * 7919 + all.size()), stop,
                  minted[static_cast<std::size_t>(i)], unexpected[static_cast<std::size_t>(i)]);
      });
    }
    std::this_thread::sleep_for(window);
    const int killed = host.kill(SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
    CHECK(killed == 128 + SIGKILL);

    std::vector<Minted> cycle;
    for (auto& m : minted) cycle.insert(cycle.end(), m.begin(), m.end());
    for (auto& u : unexpected) {
      for (auto& what : u) FAIL_CHECK("unexpected answer while minting: " << what);
    }
    all.insert(all.end(), cycle.begin(), cycle.end());
    return cycle;
  }
};

// What the killed host left on disk, checked before it is started again.
void check_nothing_half_written(const std::filesystem::path& data_dir) {
  Db db(data_dir);
  CHECK(db.rows("PRAGMA integrity_check") == std::vector<std::vector<std::string>>{{"ok"}});
  CHECK(db.number("SELECT count(*) FROM pragma_foreign_key_check()") == 0);
  // Every session belongs to an existing user of its workspace.
  CHECK(db.number("SELECT count(*) FROM sessions s LEFT JOIN users u "
                  "ON u.workspace = s.workspace AND u.id = s.user_id WHERE u.id IS NULL") == 0);

  // Each mint writes a session row and an "issued" audit row in the same commit. In default,
  // where the cap prunes nothing, the targets' session rows and issued rows are one to one.
  const std::string mismatched =
      "SELECT u.username, "
      " (SELECT count(*) FROM sessions s WHERE s.workspace = u.workspace AND s.user_id = u.id),"
      " (SELECT count(*) FROM audit a WHERE a.workspace = u.workspace AND a.target_id = u.id"
      "  AND a.action = 'users.createToken' AND a.outcome = 'issued') AS issued "
      "FROM users u WHERE u.workspace = 'default' AND u.username LIKE 't%'";
  std::size_t checked = 0;
  for (const auto& row : db.rows(mismatched)) {
    CAPTURE(row[0]);
    CHECK_MESSAGE(row[1] == row[2], "sessions " << row[1] << " vs issued audit rows " << row[2]);
    ++checked;
  }
  CHECK(checked == static_cast<std::size_t>(kTargets));

  // In capped, the cap prunes: no user holds more than kCap sessions, and the kept ones still
  // each have their own issued row, written no earlier than the session (newest first: the
  // k newest sessions need k issued rows no older than the k-th).
  for (const auto& user : db.rows("SELECT id, username FROM users WHERE workspace = 'capped' "
                                  "AND username LIKE 'c%'")) {
    CAPTURE(user[1]);
    auto created = db.rows(
        "SELECT created_ms FROM sessions WHERE workspace = 'capped' AND "
        "user_id = '" +
        user[0] + "' ORDER BY created_ms DESC, seq DESC");
    auto issued =
        db.rows("SELECT time_ms FROM audit WHERE workspace = 'capped' AND target_id = '" + user[0] +
                "' AND action = 'users.createToken' AND outcome = 'issued' "
                "ORDER BY time_ms DESC");
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
  auto verify = [&] {
    std::map<const Workspace*, std::unique_ptr<rct::HttpConnection>> connections;
    for (std::size_t i = next++; i < minted.size(); i = next++) {
      const Minted& m = minted[i];
      auto& c = connections[m.ws];
      if (!c || !c->connected()) c = std::make_unique<rct::HttpConnection>(h.host.port(), 10s);
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
  Db db(h.host.data_dir());
  std::size_t pushed_out = 0;
  for (const Minted* m : refused) {
    const auto kept = db.rows(
        "SELECT count(*), min(created_ms) FROM sessions WHERE workspace = 'capped' AND "
        "user_id = '" +
        m->user_id + "'");
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

TEST_CASE("SIGKILL under load loses no answered token and leaves nothing half-written") {
  CrashHost h;
  // Three kills under 64 busy clients (their writes share group commits), then three with
  // one client alone: a request alone in flight tries each write as it is made, and a crash
  // between its session and its audit row would show there (it did, before they were
  // committed together).
  const std::vector<std::pair<int, int>> cycles = {{kBusyClients, kCappedClients},
                                                   {kBusyClients, kCappedClients},
                                                   {kBusyClients, kCappedClients},
                                                   {1, 0},
                                                   {1, 0},
                                                   {1, 0}};
  for (std::size_t i = 0; i < cycles.size(); ++i) {
    const auto [clients, capped] = cycles[i];
    CAPTURE(i);
    CAPTURE(clients);
    const auto started = std::chrono::steady_clock::now();
    std::vector<Minted> minted = h.mint_and_kill(clients, capped, kMintWindow);
    CHECK(minted.size() >= 10);
    check_nothing_half_written(h.host.data_dir());
    h.start();
    check_nothing_lost(h, minted);
    // The restarted host serves and mints.
    rct::HttpResult r =
        rct::http_request(h.host.port(), "POST", "/api/v1/users.createToken",
                          R"({"username":"t1"})", rct::auth_headers("localhost", h.open_ws.admin));
    CHECK(r.status == 200);
    h.host.stop();
    MESSAGE("cycle " << i << ": " << clients << " client(s), " << minted.size() << " tokens, "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count()
                     << " ms");
  }

  // At the end, every token of the open workspace from every cycle is still in the database.
  Db db(h.host.data_dir());
  std::set<std::string> stored;
  for (const auto& row : db.rows("SELECT token_hash FROM sessions WHERE workspace = 'default'")) {
    stored.insert(row[0]);
  }
  std::size_t missing = 0;
  for (const Minted& m : h.all) {
    if (m.ws->name == "default" && stored.count(rct::token_hash(m.token)) == 0) ++missing;
  }
  CHECK(missing == 0);
}
